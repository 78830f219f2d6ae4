"""Road closures and slowdowns, and facts about the loaded road network."""

from __future__ import annotations

from typing import Any

from flask import url_for
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from responder.http.api import fields as f
from responder.http.auth import current_actor
from responder.http.context import road_network
from responder.models import db
from responder.services import closures

blp = Blueprint("roads", __name__, url_prefix="/api/v1/roads", description="Road network")


class ClosureSchema(Schema):
    id = fields.Integer(dump_only=True)
    lon = f.lon(required=True)
    lat = f.lat(required=True)
    radius_m = fields.Float(load_default=30.0, validate=validate.Range(min=1, max=5000))
    factor = fields.Float(
        allow_none=True,
        load_default=None,
        metadata={"description": "travel-time multiplier; null closes"},
    )
    reason = f.Text(required=True, validate=validate.Length(min=1, max=500))
    edge_ids = fields.List(fields.Integer(), dump_only=True)
    network_version = fields.String(dump_only=True)
    created_by = fields.Integer(dump_only=True)
    created_at = fields.DateTime(dump_only=True)
    lifted_at = fields.DateTime(dump_only=True)


@blp.route("")
class Network(MethodView):
    @blp.response(200)
    def get(self) -> Any:
        """The loaded network: version, size, bounds."""
        current_actor()
        network = road_network()
        return {
            "version": network.version,
            "nodes": network.node_count,
            "edges": network.edge_count,
            "bounds": list(network.bounds),
        }


@blp.route("/closures")
class Closures(MethodView):
    @blp.response(200, ClosureSchema(many=True))
    def get(self) -> Any:
        """Closures and slowdowns in force, with who set them."""
        current_actor()
        return closures.active(db.session)

    @blp.arguments(ClosureSchema)
    @blp.response(201, ClosureSchema)
    def post(self, data: dict[str, Any]) -> Any:
        """Close (or slow) every road segment within ``radius_m`` of a point."""
        closure = closures.create(db.session, current_actor(), road_network(), **data)
        db.session.commit()
        return closure, 201, {"Location": url_for("roads.Closures")}


@blp.route("/closures/<int:closure_id>/lift")
class Lift(MethodView):
    @blp.response(200, ClosureSchema)
    def post(self, closure_id: int) -> Any:
        closure = closures.lift(db.session, current_actor(), closure_id)
        db.session.commit()
        return closure
