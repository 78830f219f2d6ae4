"""Enterprises (生产经营单位) and their major hazard sources (重大危险源)."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from responder.http.api import fields as f
from responder.http.api.common import ListArgs, list_query, page_body, page_schema
from responder.http.api.crud import add_crud_routes
from responder.http.api.teams import Registered
from responder.http.auth import current_actor
from responder.models import db
from responder.services import registry
from responder.services.resources import ENTERPRISES, HAZARD_SOURCES
from responder.vocabulary import ENTERPRISE_SCALES, HAZARD_GRADES, INDUSTRIES

blp = Blueprint(
    "enterprises",
    __name__,
    url_prefix="/api/v1",
    description="Enterprises and major hazard sources",
)


class EnterpriseSchema(Registered):
    name = f.name(required=True)
    credit_code = fields.String(
        required=True,
        validate=validate.Length(equal=18),
        metadata={
            "description": "统一社会信用代码, 18 characters with its GB 32100 check character"
        },
    )
    industry = f.code_of(INDUSTRIES, required=True)
    scale = f.code_of(ENTERPRISE_SCALES, load_default="below")
    lon = f.lon(required=True)
    lat = f.lat(required=True)
    address = f.text(300)
    contact = f.text(200)


class EnterpriseArgs(ListArgs):
    industry = f.CommaList(INDUSTRIES)
    scale = f.CommaList(ENTERPRISE_SCALES)
    has_hazard_source = fields.Boolean()


class SubstanceSchema(Schema):
    name = f.Text(required=True, validate=validate.Length(min=1, max=100))
    quantity_t = fields.Float(
        validate=validate.Range(min=0), allow_nan=False, allow_none=True, load_default=None
    )


class HazardSourceSchema(Registered):
    jurisdiction_id = f.Integer(dump_only=True, attribute="enterprise.jurisdiction_id")
    enterprise_id = f.Integer(required=True)
    name = f.name(required=True)
    grade = f.Integer(
        required=True,
        validate=validate.Range(min=1, max=4),
        metadata={"description": "1 (一级, highest) to 4 (四级)"},
    )
    substances = fields.List(fields.Nested(SubstanceSchema), load_default=list)
    monitored = fields.Boolean(load_default=False)


class HazardSourceArgs(ListArgs):
    grade = f.CommaList(HAZARD_GRADES)
    enterprise_id = f.Integer()
    monitored = fields.Boolean()


add_crud_routes(blp, ENTERPRISES, schema=EnterpriseSchema, args=EnterpriseArgs, url="/enterprises")
add_crud_routes(
    blp, HAZARD_SOURCES, schema=HazardSourceSchema, args=HazardSourceArgs, url="/hazard-sources"
)


@blp.route("/enterprises/<int:enterprise_id>/hazard-sources")
class EnterpriseHazardSources(MethodView):
    @blp.arguments(HazardSourceArgs, location="query")
    @blp.response(200, page_schema(HazardSourceSchema))
    def get(self, args: dict[str, Any], enterprise_id: int) -> Any:
        """The enterprise's major hazard sources (same filters as ``/hazard-sources``)."""
        current_actor()
        registry.get(db.session, ENTERPRISES, enterprise_id)
        args["enterprise_id"] = enterprise_id
        query = list_query(args, tuple(HAZARD_SOURCES.filters))
        return page_body(registry.list_page(db.session, HAZARD_SOURCES, query))
