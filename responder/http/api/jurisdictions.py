"""The jurisdiction tree (行政区划)."""

from __future__ import annotations

import json
from typing import Any

from flask import url_for
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate
from sqlalchemy import select

from responder.errors import NotFound
from responder.http.api import fields as f
from responder.http.api.common import page_schema
from responder.http.auth import current_actor
from responder.models import Jurisdiction, db
from responder.services import jurisdictions
from responder.vocabulary import JURISDICTION_LEVELS

blp = Blueprint(
    "jurisdictions",
    __name__,
    url_prefix="/api/v1/jurisdictions",
    description="The jurisdiction tree",
)


#: Every administrative code is 6 (province, city, county) or 9/12 digits (township);
#: which length a level takes is the service's rule.
CODE_FORMAT = r"^\d{6,12}$"
CODE_MESSAGE = "must be an administrative code of 6 to 12 digits"


class JurisdictionSchema(Schema):
    id = f.Integer(dump_only=True)
    code = f.Text(required=True, validate=validate.Regexp(CODE_FORMAT, error=CODE_MESSAGE))
    name = f.name(required=True)
    level = f.code_of(JURISDICTION_LEVELS, required=True)
    parent_id = f.Integer(allow_none=True)
    depth = f.Integer(dump_only=True)
    path = fields.String(dump_only=True)
    boundary = fields.Method(
        "dump_boundary",
        "load_boundary",
        allow_none=True,
        metadata={"description": "GeoJSON Polygon or MultiPolygon"},
    )
    key_hazchem = fields.Boolean(
        load_default=False,
        metadata={"description": "a key county for hazardous chemicals (危化品重点县)"},
    )
    key_mining = fields.Boolean(
        load_default=False, metadata={"description": "a key county for mining (矿山重点县)"}
    )
    updated_at = fields.DateTime(dump_only=True)

    def dump_boundary(self, obj: Jurisdiction | dict[str, Any]) -> Any:
        # The list leaves boundaries out unless asked (it then dumps plain dicts).
        boundary = obj.get("boundary") if isinstance(obj, dict) else obj.boundary
        return json.loads(boundary) if boundary else None

    def load_boundary(self, value: Any) -> Any:
        return value


class JurisdictionUpdateSchema(Schema):
    """What an edit may change; the level stays (re-create a node to change it)."""

    name = f.name()
    code = f.Text(validate=validate.Regexp(CODE_FORMAT, error=CODE_MESSAGE))
    parent_id = f.Integer(allow_none=True, metadata={"description": "move under this node"})
    boundary = fields.Raw(allow_none=True)
    key_hazchem = fields.Boolean(metadata={"description": "mark or clear: 危化品重点县"})
    key_mining = fields.Boolean(metadata={"description": "mark or clear: 矿山重点县"})


class TreeArgs(Schema):
    parent_id = f.Integer(metadata={"description": "children of this node; omit for all"})
    level = f.code_of(JURISDICTION_LEVELS)
    with_boundary = fields.Boolean(load_default=False)


class LocateArgs(Schema):
    lon = f.lon(required=True)
    lat = f.lat(required=True)


@blp.route("")
class Collection(MethodView):
    @blp.arguments(TreeArgs, location="query")
    @blp.response(200, page_schema(JurisdictionSchema))
    def get(self, args: dict[str, Any]) -> Any:
        """All jurisdictions (or the children of one), ordered by path."""
        current_actor()
        query = select(Jurisdiction).order_by(Jurisdiction.path)
        if "parent_id" in args:
            query = query.where(Jurisdiction.parent_id == args["parent_id"])
        if "level" in args:
            query = query.where(Jurisdiction.level == args["level"])
        items = list(db.session.scalars(query))
        schema_items = items if args["with_boundary"] else [_without_boundary(j) for j in items]
        return {"items": schema_items, "total": len(items), "page": 1, "per_page": len(items)}

    @blp.arguments(JurisdictionSchema)
    @blp.response(201, JurisdictionSchema)
    def post(self, data: dict[str, Any]) -> Any:
        node = jurisdictions.create(db.session, current_actor(), data)
        db.session.commit()
        return node, 201, {"Location": url_for("jurisdictions.Item", jurisdiction_id=node.id)}


def _without_boundary(node: Jurisdiction) -> dict[str, Any]:
    return {
        c: getattr(node, c)
        for c in (
            "id",
            "code",
            "name",
            "level",
            "parent_id",
            "depth",
            "path",
            "key_hazchem",
            "key_mining",
            "updated_at",
        )
    }


@blp.route("/<int:jurisdiction_id>")
class Item(MethodView):
    @blp.response(200, JurisdictionSchema)
    def get(self, jurisdiction_id: int) -> Any:
        current_actor()
        return jurisdictions.by_id_or_404(db.session, jurisdiction_id)

    @blp.arguments(JurisdictionUpdateSchema)
    @blp.response(200, JurisdictionSchema)
    def patch(self, data: dict[str, Any], jurisdiction_id: int) -> Any:
        node = jurisdictions.by_id_or_404(db.session, jurisdiction_id)
        jurisdictions.update(db.session, current_actor(), node, data)
        db.session.commit()
        return node

    @blp.response(204)
    def delete(self, jurisdiction_id: int) -> None:
        """Remove a node entered by mistake; 409 while it has subdivisions or records
        (``details`` counts them by table)."""
        node = jurisdictions.by_id_or_404(db.session, jurisdiction_id)
        jurisdictions.delete(db.session, current_actor(), node)
        db.session.commit()


@blp.route("/locate")
class Locate(MethodView):
    @blp.arguments(LocateArgs, location="query")
    @blp.response(200, JurisdictionSchema)
    def get(self, args: dict[str, Any]) -> Any:
        """The deepest jurisdiction containing a point."""
        current_actor()
        node = jurisdictions.locate(db.session, args["lon"], args["lat"])
        if node is None:
            raise NotFound("no registered jurisdiction contains that point", field="lon")
        return node
