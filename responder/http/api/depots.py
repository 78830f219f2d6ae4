"""Material depots (应急物资储备库) and their stock (inventory lines) as a sub-resource."""

from __future__ import annotations

from typing import Any

from flask import url_for
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from responder.http.api import fields as f
from responder.http.api.common import ListArgs
from responder.http.api.crud import add_crud_routes
from responder.http.api.teams import Registered
from responder.http.auth import current_actor
from responder.models import InventoryLine, db
from responder.models.base import begin_write
from responder.services import inventory, registry
from responder.services.resources import DEPOTS
from responder.vocabulary import TEAM_LEVELS

blp = Blueprint("depots", __name__, url_prefix="/api/v1", description="Material depots and stock")


class DepotSchema(Registered):
    name = f.name(required=True)
    operator = f.text(200)
    level = f.code_of(TEAM_LEVELS, load_default="county")
    base_id = f.Integer(allow_none=True)
    lon = f.lon(required=True)
    lat = f.lat(required=True)
    address = f.text(300)
    contact = f.text(200)


class DepotArgs(ListArgs):
    level = f.CommaList(TEAM_LEVELS)
    base_id = f.Integer()
    material = f.CommaList(metadata={"description": "holds stock of any of these material codes"})


class InventoryLineSchema(Schema):
    id = f.Integer(dump_only=True)
    depot_id = f.Integer(dump_only=True)
    material_id = f.Integer(metadata={"description": "catalog id; or give material_code"})
    material_code = f.Text(validate=validate.Length(min=1, max=40))
    material_name_zh = fields.String(dump_only=True, attribute="material.name_zh")
    material_name_en = fields.String(dump_only=True, attribute="material.name_en")
    unit = fields.String(
        dump_only=True,
        attribute="material.unit",
        metadata={"description": "the material's catalog unit"},
    )
    quantity = f.quantity(required=True)
    expiry_date = fields.Date(allow_none=True, load_default=None)
    created_at = fields.DateTime(dump_only=True)
    updated_at = fields.DateTime(dump_only=True)
    verified_at = fields.DateTime(dump_only=True)


class InventoryLineDump(InventoryLineSchema):
    material_code = f.Text(attribute="material.code", dump_only=True)


class InventoryLinePatch(Schema):
    quantity = f.quantity(metadata={"description": "a stock count; use /adjust for changes"})
    expiry_date = fields.Date(allow_none=True)


class AdjustSchema(Schema):
    delta = f.quantity(
        signed=True,
        required=True,
        metadata={"description": "signed change in the material's unit"},
    )
    reason = f.Text(required=True, validate=validate.Length(min=1, max=500))


add_crud_routes(blp, DEPOTS, schema=DepotSchema, args=DepotArgs, url="/depots")


def _depot(depot_id: int) -> Any:
    return registry.get(db.session, DEPOTS, depot_id)


@blp.route("/depots/<int:depot_id>/inventory")
class Inventory(MethodView):
    @blp.response(200, InventoryLineDump(many=True))
    def get(self, depot_id: int) -> Any:
        """The depot's stock lines, by material."""
        current_actor()
        return _depot(depot_id).lines

    @blp.arguments(InventoryLineSchema)
    @blp.response(201, InventoryLineDump)
    def post(self, data: dict[str, Any], depot_id: int) -> Any:
        """Add a line of a catalog material (by ``material_id`` or ``material_code``)."""
        line = inventory.add_line(db.session, current_actor(), _depot(depot_id), **data)
        db.session.commit()
        url = url_for("depots.InventoryItem", depot_id=depot_id, line_id=line.id)
        return line, 201, {"Location": url}


@blp.route("/depots/<int:depot_id>/inventory/<int:line_id>")
class InventoryItem(MethodView):
    @blp.response(200, InventoryLineDump)
    def get(self, depot_id: int, line_id: int) -> Any:
        current_actor()
        return inventory.get_line(db.session, _depot(depot_id), line_id)

    @blp.arguments(InventoryLinePatch)
    @blp.response(200, InventoryLineDump)
    def patch(self, data: dict[str, Any], depot_id: int, line_id: int) -> Any:
        """Set the quantity after a stock count, or the expiry date."""
        line = inventory.get_line(db.session, _depot(depot_id), line_id)
        inventory.update_line(db.session, current_actor(), line, data)
        db.session.commit()
        return line

    @blp.response(204)
    def delete(self, depot_id: int, line_id: int) -> Any:
        line = inventory.get_line(db.session, _depot(depot_id), line_id)
        inventory.remove_line(db.session, current_actor(), line)
        db.session.commit()
        return None


@blp.route("/depots/<int:depot_id>/inventory/<int:line_id>/adjust")
class Adjust(MethodView):
    @blp.arguments(AdjustSchema)
    @blp.response(200, InventoryLineDump)
    def post(self, data: dict[str, Any], depot_id: int, line_id: int) -> Any:
        """Add (positive ``delta``) or remove (negative) stock, atomically.

        Refused with 409 (field ``delta``) if it would take the stock below zero; two
        concurrent removals can never both take the last units.
        """
        actor = current_actor()
        begin_write(db.session)  # the conditional UPDATE must not upgrade a read (SQLite)
        line: InventoryLine = inventory.adjust(
            db.session, actor, depot_id, line_id, data["delta"], reason=data["reason"]
        )
        db.session.commit()
        return line
