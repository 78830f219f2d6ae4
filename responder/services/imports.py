"""Bulk import of registry records from CSV or XLSX files, all or nothing.

Two steps, both independent of HTTP:

1. :func:`read_table` turns the uploaded bytes into :class:`Row` objects: the format is told
   by the content (XLSX is a ZIP holding ``xl/workbook.xml``; CSV is UTF-8 text, with or
   without a BOM), never by the file name.  Header cells are mapped to field names through
   the caller's alias table (so ``经度`` and ``lon`` both mean ``lon``).  A file is bounded
   by :class:`UploadLimits` *before* it is parsed — an XLSX's uncompressed member sizes
   and the range its sheet claims (``<dimension ref>``) — and while it is streamed (rows,
   non-empty columns, seconds), so a 44 KB workbook of 300,000 rows or one claiming
   ``A1:XFD2000`` is refused at once (:class:`UploadTooLarge`, 413, naming the limit).
2. :func:`import_rows` feeds every row to a *row loader* — supplied by the caller, because
   the loader validates with the same request schema as the API and services must not import
   HTTP schemas — inside one transaction.  Every row is checked even after a failure, so the
   report lists every problem as ``{row, column, message}`` (rows numbered as a spreadsheet
   shows them, header = row 1; columns named as the file names them).  Any problem: nothing
   is stored and :class:`ImportRejected` carries the report.  The caller commits on success.
"""

from __future__ import annotations

import csv
import io
import time as clock
import warnings
import zipfile
from collections import Counter
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any
from xml.etree import ElementTree
from xml.parsers import expat

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from responder.errors import DomainError, InvalidInput
from responder.services import audit, workbooks
from responder.services.actors import Actor

XLSX_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # legacy .xls / .doc


class UnsupportedFile(DomainError):
    """The upload is neither UTF-8 CSV text nor an XLSX workbook."""

    status = 415
    code = "unsupported_file"


class UploadTooLarge(DomainError):
    """The upload exceeds one of the :class:`UploadLimits`; the message names the setting."""

    status = 413
    code = "upload_too_large"


@dataclass(frozen=True)
class UploadLimits:
    """Bounds on one imported file (the ``IMPORT_MAX_*`` settings).

    ``max_rows`` counts data rows (the header is extra); ``max_columns`` bounds the columns
    that hold a value; ``max_uncompressed_mb`` bounds the sum of an XLSX's member sizes;
    ``max_seconds`` bounds reading the file.
    """

    max_rows: int = 10_000
    max_columns: int = 64
    max_uncompressed_mb: float = 16.0
    max_seconds: float = 10.0

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> UploadLimits:
        """The limits from the app's settings."""
        return cls(
            max_rows=int(config["IMPORT_MAX_ROWS"]),
            max_columns=int(config["IMPORT_MAX_COLUMNS"]),
            max_uncompressed_mb=float(config["IMPORT_MAX_UNCOMPRESSED_MB"]),
            max_seconds=float(config["IMPORT_MAX_SECONDS"]),
        )


class _Budget:
    """Counts rows and time while a file is streamed; refuses as soon as a limit is hit."""

    def __init__(self, limits: UploadLimits) -> None:
        self.limits = limits
        self.deadline = clock.monotonic() + limits.max_seconds

    def row(self, number: int, cells: list[str]) -> list[str]:
        """Check one row (1 = header) and return its cells up to the last non-empty one."""
        limits = self.limits
        if number > limits.max_rows + 1:
            raise UploadTooLarge(
                f"the file has more than {limits.max_rows} data rows (IMPORT_MAX_ROWS)",
                field="file",
            )
        if len(cells) > limits.max_columns:
            extra = next((i for i, c in enumerate(cells) if i >= limits.max_columns and c), None)
            if extra is not None:
                raise UploadTooLarge(
                    f"row {number} has a value in column {extra + 1}; at most "
                    f"{limits.max_columns} columns are accepted (IMPORT_MAX_COLUMNS)",
                    field="file",
                )
            cells = cells[: limits.max_columns]
        if clock.monotonic() > self.deadline:
            raise UploadTooLarge(
                f"reading the file took longer than {limits.max_seconds:g} s "
                "(IMPORT_MAX_SECONDS); split it into smaller files",
                field="file",
            )
        return cells


class ImportRejected(InvalidInput):
    """At least one row is bad; ``details`` is the full list of ``{row, column, message}``."""

    code = "import_rejected"


class RowInvalid(Exception):
    """Raised by a row loader: several ``(field, message)`` problems in one row."""

    def __init__(self, problems: list[tuple[str | None, str]]) -> None:
        super().__init__("; ".join(message for _field, message in problems))
        self.problems = problems


@dataclass(frozen=True)
class Row:
    """One data row: ``number`` as the file shows it; ``values`` maps field names to the
    non-empty cell texts; ``headers`` maps field names to the header written in the file."""

    number: int
    values: dict[str, str]
    headers: Mapping[str, str]

    def column(self, field_name: str | None) -> str | None:
        """The header the user wrote for ``field_name`` (its first dotted part)."""
        if field_name is None:
            return None
        return self.headers.get(field_name.split(".")[0], field_name)


@dataclass
class Table:
    headers: dict[str, str]  # field name -> header as written
    rows: list[Row]


@dataclass
class ImportReport:
    rows: int
    created: dict[str, int] = field(default_factory=dict)


#: A row loader validates one row and stores it in ``session`` (flushed, not committed),
#: returning what it created (entity names, repeated per record).  It raises
#: :class:`RowInvalid` or a :class:`DomainError` naming a field.
RowLoader = Callable[[Session, Actor, Row], Iterable[str]]


def normalize_header(text: str) -> str:
    """Header matching ignores case, spaces, a BOM and full-width brackets."""
    text = text.replace("\ufeff", "").replace("（", "(").replace("）", ")")
    return "".join(text.split()).lower()


#: What an export puts before text a spreadsheet would run as a formula (see
#: ``responder.http.api.cells``); dropped again on import.
FORMULA_GUARD = tuple("'" + start for start in "=+-@\t\r")


def cell_text(value: Any) -> str:
    """A cell value as the text a user would type (numbers without a spurious ``.0``;
    an export's apostrophe before formula-like text removed)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time(0) else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    text = str(value)
    if text.startswith(FORMULA_GUARD):
        text = text[1:]
    return text.strip()


def read_table(
    data: bytes,
    *,
    aliases: Mapping[str, str],
    ignored: Collection[str] = (),
    limits: UploadLimits | None = None,
) -> Table:
    """Parse an uploaded CSV or XLSX file into rows of field-name -> text.

    ``aliases`` maps normalized header texts (see :func:`normalize_header`) to field names;
    headers in ``ignored`` (export-only columns such as ``id`` or ``updated_at``) are read
    and dropped.  Unknown or repeated headers are reported as errors on row 1.  ``limits``
    (default :class:`UploadLimits`) bound the file; beyond them :class:`UploadTooLarge`.
    """
    budget = _Budget(limits or UploadLimits())
    read = _read_xlsx if data.startswith(XLSX_MAGIC) else _read_csv
    grid = read(data, budget)
    numbered = [(n, cells) for n, cells in grid if any(cells)]
    if not numbered:
        raise InvalidInput("the file is empty", field="file")
    header_number, header_cells = numbered[0]
    positions, headers, problems = _map_headers(header_number, header_cells, aliases, ignored)
    if problems:
        raise ImportRejected(
            f"{len(problems)} problem(s) in the header row; nothing was imported",
            field="file",
            details=problems,
        )
    rows = []
    for number, cells in numbered[1:]:
        values = {name: cells[i] for i, name in positions.items() if i < len(cells) and cells[i]}
        if values:
            rows.append(Row(number=number, values=values, headers=headers))
    if not rows:
        raise InvalidInput("the file has a header but no data rows", field="file")
    return Table(headers=headers, rows=rows)


def _map_headers(
    number: int, cells: list[str], aliases: Mapping[str, str], ignored: Collection[str]
) -> tuple[dict[int, str], dict[str, str], list[dict[str, Any]]]:
    positions: dict[int, str] = {}
    headers: dict[str, str] = {}
    problems: list[dict[str, Any]] = []
    for index, text in enumerate(cells):
        if not text:
            continue
        key = normalize_header(text)
        if key in ignored:
            continue
        name = aliases.get(key)
        if name is None:
            problems.append({"row": number, "column": text, "message": "unknown column"})
        elif name in headers:
            problems.append(
                {"row": number, "column": text, "message": f"repeats column {headers[name]!r}"}
            )
        else:
            positions[index] = name
            headers[name] = text
    return positions, headers, problems


def _read_csv(data: bytes, budget: _Budget) -> list[tuple[int, list[str]]]:
    if data.startswith(OLE_MAGIC):
        raise UnsupportedFile(
            "legacy .xls files are not supported; save as .xlsx or CSV UTF-8", field="file"
        )
    if b"\x00" in data[:8192]:
        raise UnsupportedFile("the file is neither CSV text nor an XLSX workbook", field="file")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise UnsupportedFile(
            "CSV must be UTF-8 text (in Excel: Save As 'CSV UTF-8'); byte "
            f"{exc.start} is not UTF-8",
            field="file",
        ) from exc
    first_line = text.split("\n", 1)[0]
    delimiter = "\t" if "\t" in first_line and "," not in first_line else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        return [
            (n, budget.row(n, [cell_text(c) for c in cells]))
            for n, cells in enumerate(reader, start=1)
        ]
    except csv.Error as exc:
        raise InvalidInput(f"the CSV text is malformed: {exc}", field="file") from exc


def _read_xlsx(data: bytes, budget: _Budget) -> list[tuple[int, list[str]]]:
    import openpyxl  # imported here: only XLSX uploads pay for it

    limits = budget.limits
    try:
        workbooks.inspect_workbook(
            data,
            max_rows=limits.max_rows,
            max_columns=limits.max_columns,
            max_uncompressed_bytes=int(limits.max_uncompressed_mb * 1024 * 1024),
            deadline=budget.deadline,
        )
    except workbooks.TooLarge as error:
        raise UploadTooLarge(error.message, field="file") from None
    except KeyError as exc:
        raise UnsupportedFile("the ZIP file is not an XLSX workbook", field="file") from exc
    except (zipfile.BadZipFile, ElementTree.ParseError, expat.ExpatError) as exc:
        raise UnsupportedFile("the file looks like a ZIP but is damaged", field="file") from exc
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # openpyxl warns about styles it does not read
        try:
            workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        except Exception as exc:  # openpyxl raises many kinds on damaged workbooks
            raise UnsupportedFile(f"the XLSX workbook cannot be read: {exc}", field="file") from exc
        try:
            sheet = workbook.worksheets[0]
            # Read what is there, not what the sheet claims: openpyxl pads every row to the
            # claimed width and silently drops rows past the claimed height.
            sheet.reset_dimensions()
            return [
                (n, budget.row(n, [cell_text(v) for v in values]))
                for n, values in enumerate(sheet.iter_rows(values_only=True), start=1)
            ]
        finally:
            workbook.close()


def import_rows(
    session: Session,
    actor: Actor,
    entity: str,
    table: Table,
    load_row: RowLoader,
    *,
    source: str = "",
    progress: Callable[[int], None] | None = None,
) -> ImportReport:
    """Load every row with ``load_row`` in the session's transaction, all or nothing.

    Returns the counts of created records by entity (and audits the import as a whole, next
    to the per-record entries the loader's services write).  On any problem the session is
    rolled back and :class:`ImportRejected` lists every problem.  ``progress(n)`` is called
    after each row.
    """
    problems: list[dict[str, Any]] = []
    created: Counter[str] = Counter()
    for row in table.rows:
        try:
            created.update(load_row(session, actor, row))
        except RowInvalid as error:
            problems.extend(_problem(row, name, message) for name, message in error.problems)
        except DomainError as error:
            problems.append(_problem(row, error.field, error.message))
        except IntegrityError as error:  # a rule the services missed; the transaction is lost
            session.rollback()
            problems.append(_problem(row, None, f"rejected by the database: {error.orig}"))
            problems.append(_problem(row, None, "later rows were not checked"))
            break
        if progress is not None:
            progress(1)
    if problems:
        session.rollback()
        bad_rows = len({p["row"] for p in problems})
        raise ImportRejected(
            f"{bad_rows} of {len(table.rows)} rows have problems; nothing was imported",
            field="file",
            details=problems,
        )
    audit.record(
        session,
        actor,
        "import",
        entity,
        None,
        after={"rows": len(table.rows), "created": dict(created)},
        note=source,
    )
    return ImportReport(rows=len(table.rows), created=dict(created))


def _problem(row: Row, field_name: str | None, message: str) -> dict[str, Any]:
    return {"row": row.number, "column": row.column(field_name), "message": message}


def to_wgs84_table(table: Table, crs: str | None) -> Table:
    """The table with each row's ``lon``/``lat`` converted from ``crs`` to WGS-84.

    Spreadsheets from Chinese web maps hold GCJ-02 (高德/腾讯) or BD-09 (百度); the registry
    stores WGS-84.  Cells that are not numbers are left for the schema to report.

    Raises
    ------
    InvalidInput
        If ``crs`` is not a known coordinate system (field ``crs``).
    """
    from responder import crs as crs_module

    try:
        code = crs_module.check_crs(crs)
    except crs_module.UnknownCRS as exc:
        raise InvalidInput(str(exc), field="crs") from exc
    if code in ("wgs84", "cgcs2000"):
        return table
    rows = []
    for row in table.rows:
        values = dict(row.values)
        try:
            lon, lat = float(values["lon"]), float(values["lat"])
        except (KeyError, ValueError):
            rows.append(row)
            continue
        x, y = crs_module.to_wgs84(lon, lat, code)
        values["lon"], values["lat"] = repr(round(x, 8)), repr(round(y, 8))
        rows.append(Row(row.number, values, row.headers))
    return Table(headers=table.headers, rows=rows)
