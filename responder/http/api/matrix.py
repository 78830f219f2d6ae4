"""The response matrix (editable data: incident type → specialties and materials)."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from responder.http.api import fields as f
from responder.http.auth import current_actor
from responder.models import db
from responder.services import matrix
from responder.vocabulary import SPECIALTIES

blp = Blueprint(
    "matrix", __name__, url_prefix="/api/v1/response-matrix", description="Response matrix"
)

_count = f.Integer(required=True, validate=validate.Range(min=0, max=50))
_quantity = fields.Float(required=True, validate=validate.Range(min=0), allow_nan=False)


class TeamRow(Schema):
    specialty = f.code_of(SPECIALTIES, required=True)
    general = _count
    larger = _count
    major = _count
    especially_major = _count


class MaterialRow(Schema):
    material_id = f.Integer(required=True)
    code = fields.String(
        load_default=None,
        allow_none=True,
        metadata={"description": "the material's code, as GET shows it; ignored on PUT"},
    )
    general = _quantity
    larger = _quantity
    major = _quantity
    especially_major = _quantity


class TypeRows(Schema):
    teams = fields.List(fields.Nested(TeamRow), required=True)
    materials = fields.List(fields.Nested(MaterialRow), required=True)


@blp.route("")
class Matrix(MethodView):
    @blp.response(200)
    def get(self) -> Any:
        """The whole matrix, by incident type."""
        current_actor()
        return matrix.table(db.session)


@blp.route("/<incident_type>")
class MatrixType(MethodView):
    @blp.arguments(TypeRows)
    @blp.response(200)
    def put(self, data: dict[str, Any], incident_type: str) -> Any:
        """Replace one incident type's rows (admins; audited).  Accepts the shape GET
        returns for that type, so a read-edit-write round trip works."""
        materials = [{k: v for k, v in m.items() if k != "code"} for m in data["materials"]]
        rows = matrix.replace_type(
            db.session, current_actor(), incident_type, data["teams"], materials
        )
        db.session.commit()
        return rows
