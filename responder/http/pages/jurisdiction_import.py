"""Admin page: import a jurisdiction tree (boundary file and/or adcode) with its report.

The form posts to the same service as ``flask jurisdictions import``
(:func:`responder.services.jurisdiction_import.gather` then ``import_features``).
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from flask import Blueprint, render_template, request
from flask_babel import gettext as _
from flask_login import login_required

from responder.crs import CRS_CODES, CRS_LABELS, DEFAULT_CRS
from responder.errors import DomainError, InvalidInput
from responder.http.auth import current_actor
from responder.models import db
from responder.models.base import begin_write
from responder.services import jurisdiction_import as service

bp = Blueprint("jurisdiction_import_pages", __name__)
#: Field-name inputs of the form and their defaults (the DataV layout).
FIELD_INPUTS = ("code", "name", "level", "parent")
#: Largest boundary file accepted from the page (a county's polygons are far smaller).
MAX_UPLOAD_BYTES = 50 * 1024 * 1024


def _form_values() -> dict[str, Any]:
    form = request.form
    defaults = service.FieldMap()
    return {
        "crs": form.get("crs", DEFAULT_CRS),
        "adcode": form.get("adcode", "").strip(),
        "fields": {k: form.get(f"{k}_field", getattr(defaults, k)).strip() for k in FIELD_INPUTS},
        "repair": form.get("repair") == "on" if request.method == "POST" else True,
        "dry_run": form.get("dry_run") == "on",
    }


def _run(values: dict[str, Any]) -> service.ImportReport:
    """Save the upload (keeping its suffix for the reader), gather, import, commit."""
    upload = request.files.get("file")
    if values["crs"] not in CRS_CODES:
        raise InvalidInput(_("未知的坐标系"), field="crs")
    with tempfile.TemporaryDirectory() as tmp:
        path: Path | None = None
        if upload is not None and upload.filename:
            data = upload.read(MAX_UPLOAD_BYTES + 1)
            if len(data) > MAX_UPLOAD_BYTES:
                raise InvalidInput(_("文件过大（上限 50 MB）"), field="file")
            path = Path(tmp) / ("upload" + "".join(Path(upload.filename).suffixes[-2:]).lower())
            path.write_bytes(data)
        features = service.gather(
            path,
            values["adcode"] or None,
            crs=values["crs"],
            fields=service.FieldMap(**values["fields"]),
            repair=values["repair"],
        )
    begin_write(db.session)
    report = service.import_features(
        db.session, current_actor(), features, dry_run=values["dry_run"]
    )
    if values["dry_run"]:
        db.session.rollback()
    else:
        db.session.commit()
    return report


@bp.route("/admin/jurisdictions/import", methods=["GET", "POST"])
@login_required
def import_page() -> Any:
    current_actor().require("jurisdictions.write")
    values = _form_values()
    report: dict[str, Any] | None = None
    error: DomainError | None = None
    if request.method == "POST":
        try:
            report = _run(values).as_dict()
        except DomainError as exc:
            db.session.rollback()
            error = exc
            if isinstance(exc.details, dict) and "features" in exc.details:
                report = exc.details
    status = 422 if error is not None else 200
    return (
        render_template(
            "admin/jurisdiction_import.html",
            values=values,
            report=report,
            error=error,
            crs_choices=[(code, CRS_LABELS[code]) for code in CRS_CODES],
        ),
        status,
    )
