"""Bulk import: ``POST /api/v1/imports/{kind}`` with a CSV or XLSX file, all or nothing.

Columns and their Chinese aliases: :mod:`responder.services.sheets`.  On any bad row nothing
is stored and the answer is 422 with every problem in ``error.details`` as
``{row, column, message}``; on success 201 with the counts of created records.
"""

from __future__ import annotations

from typing import Any

from flask import current_app, request
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields
from werkzeug.datastructures import FileStorage

from responder.errors import DomainError
from responder.http.api.sheets import loader_for
from responder.http.auth import current_actor
from responder.models import db
from responder.models.base import begin_write
from responder.services import imports
from responder.services.sheets import SHEETS, sheet_for

blp = Blueprint(
    "imports",
    __name__,
    url_prefix="/api/v1/imports",
    description="Bulk import of registry records from CSV or XLSX",
)


class TooLarge(DomainError):
    status = 413
    code = "too_large"


class UploadSchema(Schema):
    file = fields.Raw(required=True, metadata={"type": "string", "format": "binary"})


class ImportResultSchema(Schema):
    kind = fields.String()
    rows = fields.Integer()
    created = fields.Dict(keys=fields.String(), values=fields.Integer())


def _check_size() -> None:
    limit = current_app.config.get("MAX_CONTENT_LENGTH")
    if limit and request.content_length and request.content_length > limit:
        raise TooLarge(
            f"the upload is larger than {limit // (1024 * 1024) or limit} "
            f"{'MiB' if limit >= 1024 * 1024 else 'bytes'} (MAX_UPLOAD_MB)",
            field="file",
        )


@blp.route("/<kind>")
class Import(MethodView):
    @blp.arguments(UploadSchema, location="files")
    @blp.response(201, ImportResultSchema)
    @blp.doc(
        parameters=[
            {
                "in": "path",
                "name": "kind",
                "required": True,
                "schema": {"type": "string", "enum": list(SHEETS)},
            }
        ]
    )
    def post(self, files: dict[str, FileStorage], kind: str) -> Any:
        """Import every row of the file, or none (422 with the per-row report).

        ``?crs=gcj02`` (or ``bd09``) says the file's lon/lat are GCJ-02/BD-09; they are
        stored as WGS-84 (default ``wgs84``).
        """
        actor = current_actor()
        sheet = sheet_for(kind)
        actor.require(sheet.kind.permission)
        upload = files["file"]
        table = imports.read_table(
            upload.read(),
            aliases=sheet.aliases(),
            ignored=sheet.ignored(),
            limits=imports.UploadLimits.from_config(current_app.config),
        )
        table = imports.to_wgs84_table(table, request.args.get("crs"))  # ?crs=gcj02|bd09
        begin_write(db.session)  # one writer at a time: reads then writes must not collide
        report = imports.import_rows(
            db.session,
            actor,
            sheet.kind.entity,
            table,
            loader_for(sheet),
            source=upload.filename or "",
        )
        db.session.commit()
        return {"kind": kind, "rows": report.rows, "created": report.created}, 201


@blp.before_request
def _limit_upload() -> None:
    """Refuse an oversize upload before the body is read (413 naming ``file``)."""
    if request.method == "POST":
        _check_size()
