"""Reading the audit log (admins)."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from responder.http.api.common import page_schema
from responder.http.auth import current_actor
from responder.models import db
from responder.services import audit

blp = Blueprint("audit", __name__, url_prefix="/api/v1/audit", description="Append-only audit log")


class AuditSchema(Schema):
    id = fields.Integer()
    at = fields.DateTime()
    user_id = fields.Integer(allow_none=True)
    username = fields.String()
    action = fields.String()
    entity = fields.String()
    entity_id = fields.Integer(allow_none=True)
    before = fields.Raw(allow_none=True)
    after = fields.Raw(allow_none=True)
    note = fields.String()


class AuditArgs(Schema):
    entity = fields.String(validate=validate.Length(max=40))
    entity_id = fields.Integer()
    user_id = fields.Integer()
    since = fields.DateTime()
    page = fields.Integer(load_default=1, validate=validate.Range(min=1))
    per_page = fields.Integer(load_default=50, validate=validate.Range(min=1, max=500))


@blp.route("")
class AuditLog(MethodView):
    @blp.arguments(AuditArgs, location="query")
    @blp.response(200, page_schema(AuditSchema))
    def get(self, args: dict[str, Any]) -> Any:
        """Newest first.  Entries are never changed or removed."""
        current_actor().require("audit.read")
        page, per_page = args.pop("page"), args.pop("per_page")
        items, total = audit.entries(
            db.session, offset=(page - 1) * per_page, limit=per_page, **args
        )
        return {"items": items, "total": total, "page": page, "per_page": per_page}
