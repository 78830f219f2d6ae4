"""Look inside an XLSX archive before anything parses it: member sizes, the first
worksheet's claimed range, and its rows and cell references, streamed with expat.

openpyxl trusts the file: it pads every row to the claimed width (``A1:XFD2000`` becomes
32 million cells), and when a sheet claims no range it parses the whole sheet just to find
one.  :func:`inspect_workbook` reads the ZIP directory and then streams the sheet XML,
stopping at the first row, cell or claim past the :class:`~responder.services.imports.
UploadLimits`, so a hostile file costs milliseconds and kilobytes, and only a file within
the limits reaches openpyxl.
"""

from __future__ import annotations

import io
import posixpath
import re
import time
import zipfile
from collections.abc import Callable
from typing import Any
from xml.etree import ElementTree
from xml.parsers import expat

_CELL_REF = re.compile(r"([A-Z]{1,3})([0-9]+)")
_RANGE = re.compile(r"\$?([A-Z]{1,3})\$?([0-9]+)(?::\$?([A-Z]{1,3})\$?([0-9]+))?")
_REL_NS = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
_CHUNK = 64 * 1024


class TooLarge(Exception):
    """A limit was hit; ``message`` names it (the caller turns it into its own error)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def column_number(letters: str) -> int:
    """``A`` -> 1, ``XFD`` -> 16384."""
    number = 0
    for letter in letters:
        number = number * 26 + ord(letter) - 64
    return number


def inspect_workbook(
    data: bytes,
    *,
    max_rows: int,
    max_columns: int,
    max_uncompressed_bytes: int,
    deadline: float,
) -> None:
    """Raise :class:`TooLarge` if the workbook in ``data`` unpacks past
    ``max_uncompressed_bytes``, or its first worksheet claims or holds more than
    ``max_rows`` data rows (plus the header) or a cell past column ``max_columns``, or
    inspecting it runs past ``deadline`` (a ``time.monotonic()`` value).  Raises
    ``zipfile.BadZipFile`` or ``KeyError`` for a damaged archive."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        total = sum(member.file_size for member in archive.infolist())
        if total > max_uncompressed_bytes:
            raise TooLarge(
                f"the workbook unpacks to {total / 2**20:.1f} MiB; at most "
                f"{max_uncompressed_bytes / 2**20:g} MiB are accepted "
                "(IMPORT_MAX_UNCOMPRESSED_MB)"
            )
        sheet = first_worksheet(archive)
        if sheet is None:
            return
        scan = _SheetScan(max_rows + 1, max_columns, deadline)
        with archive.open(sheet) as stream:
            scan.feed(stream.read)


def first_worksheet(archive: zipfile.ZipFile) -> str | None:
    """The archive path of the workbook's first sheet (the one openpyxl reads first)."""
    workbook = ElementTree.fromstring(archive.read("xl/workbook.xml"))
    sheets = [e for e in workbook.iter() if e.tag.rsplit("}", 1)[-1] == "sheet"]
    if not sheets:
        return None
    rel_id = sheets[0].get(_REL_NS)
    rels = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    for rel in rels:
        if rel.get("Id") == rel_id:
            target = rel.get("Target", "")
            path = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
            return posixpath.normpath(path)
    return None


class _SheetScan:
    """Expat handlers that count rows and check cell references as the XML streams by."""

    def __init__(self, max_row: int, max_column: int, deadline: float) -> None:
        self.max_row = max_row
        self.max_column = max_column
        self.deadline = deadline
        self.row = 0
        self.column = 0
        self.seen = 0

    def feed(self, read: Callable[[int], bytes]) -> None:
        parser = expat.ParserCreate(namespace_separator=" ")
        parser.StartElementHandler = self._start
        while chunk := read(_CHUNK):
            parser.Parse(chunk, False)
            if time.monotonic() > self.deadline:
                raise TooLarge(_slow())
        parser.Parse(b"", True)

    def _start(self, name: str, attrs: dict[str, Any]) -> None:
        tag = name.rsplit(" ", 1)[-1]
        if tag == "dimension":
            self._claimed(attrs.get("ref", ""))
        elif tag == "row":
            self.row = int(attrs["r"]) if "r" in attrs else self.row + 1
            self.column = 0
            if self.row > self.max_row:
                raise TooLarge(
                    f"the sheet has more than {self.max_row - 1} data rows (IMPORT_MAX_ROWS)"
                )
        elif tag == "c":
            ref = _CELL_REF.fullmatch(attrs.get("r", ""))
            self.column = column_number(ref.group(1)) if ref else self.column + 1
            if self.column > self.max_column:
                raise TooLarge(
                    f"row {self.row} has a cell in column {self.column}; at most "
                    f"{self.max_column} columns are accepted (IMPORT_MAX_COLUMNS)"
                )
            self.seen += 1
            if self.seen % 4096 == 0 and time.monotonic() > self.deadline:
                raise TooLarge(_slow())

    def _claimed(self, ref: str) -> None:
        match = _RANGE.fullmatch(ref.upper())
        if not match:
            return
        columns = column_number(match.group(3) or match.group(1))
        rows = int(match.group(4) or match.group(2))
        if rows > self.max_row or columns > self.max_column:
            raise TooLarge(
                f"the sheet claims the range {ref} ({rows} rows x {columns} columns); at most "
                f"{self.max_row - 1} data rows (IMPORT_MAX_ROWS) and {self.max_column} "
                "columns (IMPORT_MAX_COLUMNS) are accepted"
            )


def _slow() -> str:
    return "reading the file took too long (IMPORT_MAX_SECONDS); split it into smaller files"
