"""Emergency rescue experts (应急救援专家)."""

from __future__ import annotations

from flask_smorest import Blueprint
from marshmallow import fields, validate

from responder.http.api import fields as f
from responder.http.api.common import ListArgs
from responder.http.api.crud import add_crud_routes
from responder.http.api.teams import Registered
from responder.services.resources import EXPERTS
from responder.vocabulary import SPECIALTIES

blp = Blueprint("experts", __name__, url_prefix="/api/v1", description="Experts")


class ExpertSchema(Registered):
    jurisdiction_id = f.Integer(
        required=True, metadata={"description": "the roster the expert is on"}
    )
    name = f.Text(required=True, validate=validate.Length(min=1, max=100))
    specialties = fields.List(
        f.code_of(SPECIALTIES), required=True, validate=validate.Length(min=1)
    )
    title = f.text(100)
    organization = f.text(200)
    phone = f.text(40)


class ExpertArgs(ListArgs):
    specialty = f.CommaList(SPECIALTIES)


add_crud_routes(blp, EXPERTS, schema=ExpertSchema, args=ExpertArgs, url="/experts")
