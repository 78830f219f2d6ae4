"""Incidents, dispatch proposals, confirmation and the life of a dispatch."""

from __future__ import annotations

from typing import Any

from flask import url_for
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from responder.errors import NotFound
from responder.http.api import fields as f
from responder.http.api.common import page_schema
from responder.http.auth import current_actor
from responder.http.context import loaded_road_network, routing_context, snap_max_m, today
from responder.models import Incident, db
from responder.models.base import begin_read
from responder.services import dispatch, mutual_aid
from responder.vocabulary import INCIDENT_TYPES, SEVERITIES

blp = Blueprint("dispatch", __name__, url_prefix="/api/v1", description="Incidents and dispatch")


class AssignmentSchema(Schema):
    id = fields.Integer()
    team_id = fields.Integer()
    team_name = fields.Function(lambda a: a.team.name)
    specialty = fields.String()
    status = fields.String()
    expected_arrival_s = fields.Float(allow_none=True)
    deviation_reason = fields.String()
    dispatched_at = fields.DateTime()
    on_scene_at = fields.DateTime(allow_none=True)
    returning_at = fields.DateTime(allow_none=True)
    released_at = fields.DateTime(allow_none=True)


class MaterialDispatchSchema(Schema):
    id = fields.Integer()
    inventory_line_id = fields.Integer()
    material = fields.Function(lambda d: d.line.material.name_zh)
    unit = fields.Function(lambda d: d.line.material.unit)
    depot_id = fields.Function(lambda d: d.line.depot_id)
    quantity = fields.Float()
    consumed = fields.Float(allow_none=True)
    returned = fields.Float(allow_none=True)


class IncidentSchema(Schema):
    id = fields.Integer(dump_only=True)
    type = f.code_of(INCIDENT_TYPES, required=True)
    severity = f.code_of(SEVERITIES, required=True)
    lon = f.lon(required=True)
    lat = f.lat(required=True)
    reported_at = fields.DateTime()
    enterprise_id = fields.Integer(allow_none=True)
    description = f.text(2000, load_default="")
    jurisdiction_id = fields.Integer(dump_only=True)
    status = fields.String(dump_only=True)
    closed_at = fields.DateTime(dump_only=True)
    close_reason = fields.String(dump_only=True)
    assignments = fields.List(fields.Nested(AssignmentSchema), dump_only=True)
    material_dispatches = fields.List(fields.Nested(MaterialDispatchSchema), dump_only=True)


class IncidentArgs(Schema):
    status = fields.String(validate=validate.OneOf(["open", "closed"]))
    type = f.code_of(INCIDENT_TYPES)
    jurisdiction_id = fields.Integer()
    page = fields.Integer(load_default=1, validate=validate.Range(min=1))
    per_page = fields.Integer(load_default=50, validate=validate.Range(min=1, max=500))


class ProposalArgs(Schema):
    alternatives = fields.Integer(load_default=2, validate=validate.Range(min=0, max=10))


class TeamPickSchema(Schema):
    team_id = fields.Integer(required=True)
    specialty = fields.String(load_default="")


class MaterialPickSchema(Schema):
    inventory_line_id = fields.Integer(required=True)
    quantity = fields.Float(
        required=True, validate=validate.Range(min=0, min_inclusive=False), allow_nan=False
    )


#: Most teams or material lines one confirmation may name (bounds the request's work).
MAX_PICKS = 200


class ConfirmSchema(Schema):
    proposal_id = fields.Integer(allow_none=True, load_default=None)
    teams = fields.List(
        fields.Nested(TeamPickSchema), load_default=list, validate=validate.Length(max=MAX_PICKS)
    )
    materials = fields.List(
        fields.Nested(MaterialPickSchema),
        load_default=list,
        validate=validate.Length(max=MAX_PICKS),
    )
    deviation_reason = f.text(500, load_default="")
    cross_jurisdiction_reason = f.text(
        500,
        load_default="",
        metadata={"description": "required when taking teams from outside your jurisdiction"},
    )


class StatusSchema(Schema):
    status = fields.String(
        required=True, validate=validate.OneOf(["on_scene", "returning", "available"])
    )


class ConsumedSchema(Schema):
    material_dispatch_id = fields.Integer(required=True)
    consumed = fields.Float(required=True, validate=validate.Range(min=0), allow_nan=False)


class CloseSchema(Schema):
    reason = fields.String(required=True, validate=validate.Length(min=1, max=500))
    consumed = fields.List(fields.Nested(ConsumedSchema), load_default=list)


@blp.route("/incidents")
class Incidents(MethodView):
    @blp.arguments(IncidentArgs, location="query")
    @blp.response(200, page_schema(IncidentSchema))
    def get(self, args: dict[str, Any]) -> Any:
        """Live incidents (drill incidents never appear here), newest first."""
        current_actor()
        where = {k: args.get(k) for k in ("status", "type", "jurisdiction_id")}
        page, per_page = args["page"], args["per_page"]
        items = dispatch.live_incidents(
            db.session, **where, limit=per_page, offset=(page - 1) * per_page
        )
        total = dispatch.count_live_incidents(db.session, **where)
        return {"items": items, "total": total, "page": page, "per_page": per_page}

    @blp.arguments(IncidentSchema)
    @blp.response(201, IncidentSchema)
    def post(self, data: dict[str, Any]) -> Any:
        """Record an incident at a point (it must be within reach of a road)."""
        incident = dispatch.create_incident(
            db.session,
            current_actor(),
            loaded_road_network(),
            data,
            snap_max_m=snap_max_m(),
        )
        db.session.commit()
        return (
            incident,
            201,
            {"Location": url_for("dispatch.IncidentItem", incident_id=incident.id)},
        )


@blp.route("/incidents/<int:incident_id>")
class IncidentItem(MethodView):
    @blp.response(200, IncidentSchema)
    def get(self, incident_id: int) -> Any:
        current_actor()
        return dispatch.get_live_incident(db.session, incident_id)


@blp.route("/incidents/<int:incident_id>/proposal")
class IncidentProposal(MethodView):
    @blp.arguments(ProposalArgs, location="query")
    @blp.response(200)
    def post(self, args: dict[str, Any], incident_id: int) -> Any:
        """Compute a proposal from live availability now (teams ranked by arrival time,
        materials from the nearest depots, unmet needs, nearby hazard sources, plans)."""
        begin_read(db.session)  # the search runs without the write lock; storing takes it
        incident = dispatch.get_live_incident(db.session, incident_id)
        proposal = dispatch.propose(
            db.session,
            current_actor(),
            routing_context(),
            incident,
            alternatives=args["alternatives"],
            today=today(),
        )
        answer = {**proposal.body, "proposal_id": proposal.id}  # before commit expires it
        db.session.commit()
        return answer

    @blp.response(200)
    def get(self, incident_id: int) -> Any:
        """The latest proposal made for the incident."""
        current_actor()
        dispatch.get_live_incident(db.session, incident_id)
        proposal = dispatch.latest_proposal(db.session, incident_id)
        if proposal is None:
            raise NotFound("no proposal yet: POST to this URL to compute one")
        return {**proposal.body, "proposal_id": proposal.id}


@blp.route("/incidents/<int:incident_id>/dispatch")
class IncidentDispatch(MethodView):
    @blp.arguments(ConfirmSchema)
    @blp.response(201, IncidentSchema)
    def post(self, data: dict[str, Any], incident_id: int) -> Any:
        """Confirm teams and material lines, all or nothing (409 names what was taken)."""
        actor = current_actor()
        incident = dispatch.get_live_incident(db.session, incident_id)
        reason = data["cross_jurisdiction_reason"]
        foreign = mutual_aid.check(db.session, actor, (t["team_id"] for t in data["teams"]), reason)
        dispatch.confirm(
            db.session,
            actor,
            incident,
            proposal_id=data["proposal_id"],
            teams=[dispatch.TeamPick(**t) for t in data["teams"]],
            materials=[dispatch.MaterialPick(**m) for m in data["materials"]],
            deviation_reason=data["deviation_reason"],
            today=today(),
        )
        mutual_aid.record(db.session, actor, incident_id, foreign, reason)
        db.session.commit()
        return db.session.get(Incident, incident_id), 201


@blp.route("/incidents/<int:incident_id>/assignments/<int:assignment_id>/status")
class AssignmentStatus(MethodView):
    @blp.arguments(StatusSchema)
    @blp.response(200, AssignmentSchema)
    def post(self, data: dict[str, Any], incident_id: int, assignment_id: int) -> Any:
        """Move a team on: on_scene, then returning, then available (released)."""
        dispatch.get_live_incident(db.session, incident_id)
        assignment = dispatch.get_assignment(db.session, incident_id, assignment_id)
        assignment = dispatch.advance(db.session, current_actor(), assignment, data["status"])
        db.session.commit()
        return assignment


@blp.route("/incidents/<int:incident_id>/close")
class IncidentClose(MethodView):
    @blp.arguments(CloseSchema)
    @blp.response(200, IncidentSchema)
    def post(self, data: dict[str, Any], incident_id: int) -> Any:
        """Close: release teams, return unused materials, record what was consumed."""
        incident = dispatch.get_live_incident(db.session, incident_id)
        consumed = {c["material_dispatch_id"]: c["consumed"] for c in data["consumed"]}
        incident = dispatch.close_incident(
            db.session, current_actor(), incident, reason=data["reason"], consumed=consumed
        )
        db.session.commit()
        return incident


@blp.route("/dispatch/availability")
class Availability(MethodView):
    @blp.response(200)
    def get(self) -> Any:
        """Team availability with a version that changes whenever any status changes;
        consoles poll it every few seconds."""
        current_actor()
        return dispatch.availability(db.session)
