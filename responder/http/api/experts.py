"""Emergency rescue experts (应急救援专家)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from flask import current_app
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from responder.http.api import fields as f
from responder.http.api.common import ListArgs
from responder.http.api.crud import add_crud_routes
from responder.http.api.teams import Registered
from responder.http.auth import current_actor
from responder.models import db
from responder.services import experts, jurisdictions
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


# --- expert groups, on-call dates, contacts (responder.services.experts) -------------------


class ExpertGroupSchema(Schema):
    id = fields.Integer(dump_only=True)
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    specialty = f.code_of(SPECIALTIES, required=True)
    jurisdiction_id = fields.Integer(required=True)


class MemberSchema(Schema):
    expert_id = fields.Integer(required=True)


class OnCallSchema(Schema):
    id = fields.Integer(dump_only=True)
    expert_id = fields.Integer(dump_only=True)
    starts_on = fields.Date(required=True)
    ends_on = fields.Date(required=True)


class OnCallArgs(Schema):
    specialty = f.CommaList(SPECIALTIES, required=True)
    on = fields.Date(metadata={"description": "the day (default: today, local time)"})
    jurisdiction_id = fields.Integer(
        metadata={"description": "groups of this jurisdiction and those above it"}
    )


class OnCallExpertSchema(Schema):
    expert_id = fields.Integer()
    name = fields.String()
    unit = fields.String()
    phone = fields.String()
    specialty = fields.String()
    group = fields.String()
    title = fields.String()


class ContactSchema(Schema):
    id = fields.Integer(dump_only=True)
    expert_id = fields.Integer(dump_only=True)
    incident_id = fields.Integer(allow_none=True, load_default=None)
    channel = fields.String(
        load_default="phone", validate=validate.OneOf(list(experts.CONTACT_CHANNELS))
    )
    note = f.text(500, load_default="")
    contacted_at = fields.DateTime(dump_only=True)
    username = fields.String(dump_only=True)


def local_today() -> date:
    """Today in the office's time zone (an on-call day is a local day)."""
    return datetime.now(ZoneInfo(current_app.config["TIMEZONE"])).date()


@blp.route("/expert-groups")
class ExpertGroups(MethodView):
    @blp.arguments(ExpertGroupSchema)
    @blp.response(201, ExpertGroupSchema)
    def post(self, data: dict[str, Any]) -> Any:
        """Add an expert group (应急救援专家组) of one specialty to a jurisdiction."""
        group = experts.create_group(db.session, current_actor(), **data)
        db.session.commit()
        return group


@blp.route("/expert-groups/<int:group_id>/members")
class ExpertGroupMembers(MethodView):
    @blp.arguments(MemberSchema)
    @blp.response(204)
    def post(self, data: dict[str, Any], group_id: int) -> None:
        """Put an expert into the group."""
        experts.add_member(db.session, current_actor(), group_id=group_id, **data)
        db.session.commit()


@blp.route("/experts/<int:expert_id>/on-call")
class ExpertOnCallDates(MethodView):
    @blp.arguments(OnCallSchema)
    @blp.response(201, OnCallSchema)
    def post(self, data: dict[str, Any], expert_id: int) -> Any:
        """Put the expert on call from ``starts_on`` to ``ends_on`` (both days included)."""
        duty = experts.set_on_call(db.session, current_actor(), expert_id=expert_id, **data)
        db.session.commit()
        return duty


@blp.route("/experts/on-call")
class OnCallExperts(MethodView):
    @blp.arguments(OnCallArgs, location="query")
    @blp.response(200, OnCallExpertSchema(many=True))
    def get(self, args: dict[str, Any]) -> Any:
        """The experts on call on a day for the specialties (name, unit, phone)."""
        current_actor()
        path = None
        if args.get("jurisdiction_id") is not None:
            path = jurisdictions.get(db.session, args["jurisdiction_id"]).path
        return experts.on_call_experts(
            db.session,
            specialties=args["specialty"],
            on=args.get("on") or local_today(),
            jurisdiction_path=path,
        )


@blp.route("/experts/<int:expert_id>/contacts")
class ExpertContacts(MethodView):
    @blp.response(200, ContactSchema(many=True))
    def get(self, expert_id: int) -> Any:
        """Contacts made with the expert, oldest first."""
        current_actor()
        return experts.contacts(db.session, expert_id=expert_id)

    @blp.arguments(ContactSchema)
    @blp.response(201, ContactSchema)
    def post(self, data: dict[str, Any], expert_id: int) -> Any:
        """Record that the expert was notified (now), for an incident when given."""
        contact = experts.notify(db.session, current_actor(), expert_id=expert_id, **data)
        db.session.commit()
        return contact
