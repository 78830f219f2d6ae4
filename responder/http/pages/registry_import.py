"""Bulk import from a page: blank templates, a preview with the column mapping, and the
all-or-nothing import with a progress bar.

The import is the API's: the same sheet (:mod:`responder.services.sheets`: columns, Chinese
aliases, row loaders that use the API schemas and services) and the same
:func:`responder.services.imports.import_rows`, so a row refused here is refused there with
the same row, column and message.

Progress: the import request itself streams its progress as NDJSON lines while the rows are
checked and written (``{"done": n, "total": N}`` ..., then one final ``{"result": ...}`` or
``{"problems": [...]}``), and the page reads that stream.  There is no job state to share,
so it works with any number of gunicorn workers (each import is one request in one worker)
and on SQLite, whose single writer lock would keep a progress row in the database from
being written while the import's own transaction is open.  The rows run in a worker thread
of that request with its own session; the request's transaction is ended first so the
thread can take the write lock.
"""

from __future__ import annotations

import csv
import io
import json
import queue
import threading
import time
from collections.abc import Iterator
from typing import Any

from flask import Response, current_app, render_template, request, stream_with_context
from flask_babel import gettext as _
from flask_login import login_required
from werkzeug.datastructures import FileStorage

from responder.errors import DomainError, InvalidInput
from responder.http.api.sheets import SCHEMAS, loader_for
from responder.http.auth import current_actor
from responder.http.pages.form_errors import localized
from responder.http.pages.registry import LISTINGS, bp
from responder.models import db
from responder.models.base import begin_write
from responder.services import imports
from responder.services.actors import Actor
from responder.services.sheets import ALIASES, CRS_ALIASES, KIND_ALIASES, SHEETS, Sheet, sheet_for

#: Rows shown in the preview.
PREVIEW_ROWS = 5
#: At most one progress line per this many seconds (a 1,000-row import sends ~50).
PROGRESS_EVERY_S = 0.1


def template_headers(sheet: Sheet) -> list[tuple[str, str]]:
    """(field, Chinese header) of a blank template: the importable columns, then the
    coordinate system for kinds with a location."""
    overrides = KIND_ALIASES.get(sheet.name, {})
    headers = []
    for name in sheet.columns:
        aliases = overrides.get(name, ALIASES.get(name, ()))
        headers.append((name, aliases[0] if aliases else name))
    if sheet.kind.located:
        headers.append(("crs", CRS_ALIASES[1]))
    return headers


def _template_csv(sheet: Sheet) -> bytes:
    buffer = io.StringIO(newline="")
    csv.writer(buffer).writerow([header for _name, header in template_headers(sheet)])
    return buffer.getvalue().encode("utf-8-sig")


def _template_xlsx(sheet: Sheet) -> bytes:
    import openpyxl

    workbook = openpyxl.Workbook()
    worksheet = workbook.active
    worksheet.title = str(LISTINGS[sheet.name].title) if sheet.name in LISTINGS else sheet.name
    worksheet.append([header for _name, header in template_headers(sheet)])
    for index, (_name, header) in enumerate(template_headers(sheet), start=1):
        worksheet.column_dimensions[openpyxl.utils.get_column_letter(index)].width = max(
            10, 2 * len(header) + 2
        )
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _sheet(kind: str) -> Sheet:
    sheet = sheet_for(kind.replace("-", "_"))
    current_actor().require(sheet.kind.permission)
    return sheet


@bp.get("/registry/import/<kind>", endpoint="import_page")
@login_required
def import_page(kind: str) -> Any:
    """Download a template, choose a file, preview it, import it with progress."""
    sheet = _sheet(kind)
    return render_template(
        "registry/import.html",
        sheet=sheet,
        listing=LISTINGS[sheet.name],
        headers=template_headers(sheet),
        field_labels=_field_labels(sheet),
    )


@bp.get("/registry/import/<kind>/template.<any(csv, xlsx):fmt>", endpoint="import_template")
@login_required
def import_template(kind: str, fmt: str) -> Response:
    """A blank file with the Chinese headers the import understands."""
    sheet = _sheet(kind)
    body = _template_xlsx(sheet) if fmt == "xlsx" else _template_csv(sheet)
    mimetype = (
        "text/csv; charset=utf-8"
        if fmt == "csv"
        else "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    filename = f"{sheet.name}-template.{fmt}"
    return Response(
        body,
        mimetype=mimetype,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


def _upload() -> FileStorage:
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        raise InvalidInput(_("请选择要导入的文件"), field="file")
    return upload


def _problems_json(error: DomainError) -> dict[str, Any]:
    """A refused file as the page shows it: the summary and every (row, column, message)."""
    details = error.details if isinstance(error.details, list) else []
    return {
        "message": localized(error.message),
        "problems": [{**p, "message": localized(str(p.get("message", "")))} for p in details],
    }


@bp.post("/registry/import/<kind>/preview", endpoint="import_preview")
@login_required
def import_preview(kind: str) -> Any:
    """The file's columns (as written, and the field each maps to) and its first rows."""
    sheet = _sheet(kind)
    upload = _upload()
    try:
        table = imports.read_table(upload.read(), aliases=sheet.aliases(), ignored=sheet.ignored())
    except DomainError as error:
        db.session.rollback()
        return {"ok": False, **_problems_json(error)}, error.status
    labels = _field_labels(sheet)
    columns = [
        {"header": header, "field": name, "label": labels.get(name, name)}
        for name, header in table.headers.items()
    ]
    rows = [
        {"row": row.number, "values": [row.values.get(c["field"], "") for c in columns]}
        for row in table.rows[:PREVIEW_ROWS]
    ]
    missing = [
        labels.get(name, name)
        for name in _required(sheet)
        if name not in table.headers and not _located_by_base(sheet, name, table.headers)
    ]
    return {
        "ok": True,
        "columns": columns,
        "rows": rows,
        "total": len(table.rows),
        "missing": missing,
    }


def _required(sheet: Sheet) -> list[str]:
    schema = SCHEMAS[sheet.name]()
    return [
        name
        for name, f in schema.fields.items()
        if f.required and not f.dump_only and name in sheet.columns
    ]


def _located_by_base(sheet: Sheet, name: str, headers: dict[str, str]) -> bool:
    """A team file may give a base instead of coordinates."""
    return sheet.name == "teams" and name in {"lon", "lat"} and "base_id" in headers


def _field_labels(sheet: Sheet) -> dict[str, str]:
    """Page labels of the sheet's fields (the Chinese header, in English the field name)."""
    if request.args.get("lang") == "en" or _english():
        return {name: name for name, _header in template_headers(sheet)}
    return dict(template_headers(sheet))


def _english() -> bool:
    from responder.localization import current_language

    return current_language() == "en"


@bp.post("/registry/import/<kind>/run", endpoint="import_run")
@login_required
def import_run(kind: str) -> Response:
    """Import the file, all or nothing, streaming progress lines (see the module doc)."""
    sheet = _sheet(kind)
    upload = _upload()
    data, filename = upload.read(), upload.filename or ""
    actor = current_actor()
    try:
        table = imports.read_table(data, aliases=sheet.aliases(), ignored=sheet.ignored())
    except DomainError as error:
        db.session.rollback()
        return Response(json.dumps(_problems_json(error), ensure_ascii=False) + "\n", 422)
    db.session.commit()  # release the request's write lock: the worker thread takes its own
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    events: queue.Queue[dict[str, Any]] = queue.Queue()
    translate = _english()
    worker = threading.Thread(
        target=_run_import,
        args=(app, actor, sheet, table, filename, events),
        name=f"import-{sheet.name}",
        daemon=True,
    )
    worker.start()

    def stream() -> Iterator[str]:
        total = len(table.rows)
        yield json.dumps({"done": 0, "total": total}) + "\n"
        while True:
            event = events.get()
            if "problems" in event and not translate:
                event = {
                    **event,
                    "message": localized(event["message"]),
                    "problems": [
                        {**p, "message": localized(str(p["message"]))} for p in event["problems"]
                    ],
                }
            yield json.dumps(event, ensure_ascii=False, default=str) + "\n"
            if "done" not in event:
                break
        worker.join(timeout=5)

    return Response(
        stream_with_context(stream()),
        mimetype="application/x-ndjson",
        headers={"X-Accel-Buffering": "no"},  # "no-store" makes Chromium flag the stream aborted
    )


def _run_import(
    app: Any,
    actor: Actor,
    sheet: Sheet,
    table: imports.Table,
    filename: str,
    events: queue.Queue[dict[str, Any]],
) -> None:
    """The import in its own app context and session; progress and the outcome go to
    ``events``: ``{"done", "total"}`` lines, then ``{"result"}`` or ``{"problems"}``."""
    total = len(table.rows)
    state = {"done": 0, "sent": 0.0}

    def progress(rows: int) -> None:
        state["done"] += rows
        now = time.monotonic()
        if now - state["sent"] >= PROGRESS_EVERY_S:
            state["sent"] = now
            events.put({"done": int(state["done"]), "total": total})

    with app.app_context():
        try:
            begin_write(db.session)
            report = imports.import_rows(
                db.session,
                actor,
                sheet.kind.entity,
                table,
                loader_for(sheet),
                source=filename,
                progress=progress,
            )
            db.session.commit()
            events.put({"result": {"rows": report.rows, "created": report.created}})
        except DomainError as error:
            db.session.rollback()
            details = error.details if isinstance(error.details, list) else []
            events.put({"message": error.message, "problems": details})
        except Exception:  # a bug: say so on the page, log it, store nothing
            db.session.rollback()
            app.logger.exception("import failed")
            events.put({"message": "internal error; it has been logged", "problems": []})
        finally:
            db.session.remove()


#: Kinds the page import offers (every sheet the API imports).
IMPORT_KINDS = tuple(SHEETS)


@bp.app_context_processor
def _import_kinds() -> dict[str, Any]:
    return {"import_kinds": IMPORT_KINDS}
