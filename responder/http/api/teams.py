"""Rescue teams (应急救援队伍) and bases (应急救援基地)."""

from __future__ import annotations

from datetime import UTC

from flask_smorest import Blueprint
from marshmallow import fields, validate

from responder.http.api import fields as f
from responder.http.api.common import ListArgs
from responder.http.api.coordinates import PointCRS
from responder.http.api.crud import add_crud_routes
from responder.services.resources import BASES, TEAMS, UNAVAILABLE_REASONS
from responder.vocabulary import SPECIALTIES, TEAM_KINDS, TEAM_LEVELS, TEAM_STATUSES

blp = Blueprint("teams", __name__, url_prefix="/api/v1", description="Rescue teams and bases")


class Registered(PointCRS):
    """Fields every registry record shows (and ``crs`` for a posted lon/lat)."""

    id = f.Integer(dump_only=True)
    jurisdiction_id = f.Integer()
    created_at = fields.DateTime(dump_only=True)
    updated_at = fields.DateTime(dump_only=True)
    verified_at = fields.DateTime(dump_only=True)
    retired_at = fields.DateTime(dump_only=True)


class TeamSchema(Registered):
    name = f.name(required=True)
    specialties = fields.List(
        f.code_of(SPECIALTIES), required=True, validate=validate.Length(min=1)
    )
    level = f.code_of(TEAM_LEVELS, required=True)
    kind = f.code_of(TEAM_KINDS, required=True)
    headcount = f.Integer(validate=validate.Range(min=0, max=100000), load_default=0)
    mobilization_min = fields.Float(
        validate=validate.Range(min=0, max=24 * 60),
        allow_none=True,
        metadata={"description": "own 出动准备 time; null = the default for the team's kind"},
    )
    status = f.code_of(TEAM_STATUSES, load_default="available")
    status_changed_at = fields.DateTime(dump_only=True)
    unavailable_reason = fields.String(
        validate=validate.OneOf(list(UNAVAILABLE_REASONS)),
        allow_none=True,
        metadata={"description": "while unavailable: rest (休整), repair (维修), training (训练)"},
    )
    unavailable_note = f.text(500)
    expected_back_at = fields.AwareDateTime(
        allow_none=True,
        default_timezone=UTC,
        metadata={"description": "while unavailable: when the team expects to be back"},
    )
    base_id = f.Integer(allow_none=True)
    lon = f.lon()
    lat = f.lat()
    contact_name = f.text(100)
    contact_phone = f.text(40)
    equipment = f.text(5000)


class TeamArgs(ListArgs):
    specialty = f.CommaList(SPECIALTIES)
    status = f.CommaList(TEAM_STATUSES)
    level = f.CommaList(TEAM_LEVELS)
    kind = f.CommaList(TEAM_KINDS)
    base_id = f.Integer()


class BaseSchema(Registered):
    name = f.name(required=True)
    specialties = fields.List(f.code_of(SPECIALTIES), load_default=list)
    level = f.code_of(TEAM_LEVELS, required=True)
    lon = f.lon(required=True)
    lat = f.lat(required=True)
    address = f.text(300)
    contact = f.text(200)
    notes = f.text(5000)


class BaseArgs(ListArgs):
    level = f.CommaList(TEAM_LEVELS)


add_crud_routes(blp, TEAMS, schema=TeamSchema, args=TeamArgs, url="/teams")
add_crud_routes(blp, BASES, schema=BaseSchema, args=BaseArgs, url="/bases")
