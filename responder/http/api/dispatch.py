"""Incidents, dispatch proposals, confirmation and the life of a dispatch."""

from __future__ import annotations

from typing import Any

from flask import Response, request, url_for
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from responder.errors import NotFound
from responder.http.api import fields as f
from responder.http.api.common import page_schema
from responder.http.auth import current_actor
from responder.http.context import (
    loaded_road_network,
    road_names,
    routing_context,
    snap_max_m,
    today,
)
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
    severity = f.code_of(SEVERITIES, load_default=None)
    severity_reason = f.text(500, load_default="")
    derived_severity = fields.String(dump_only=True)
    deaths = f.Integer(load_default=0, validate=validate.Range(min=0))
    serious_injuries = f.Integer(load_default=0, validate=validate.Range(min=0))
    direct_loss_yuan = fields.Float(
        load_default=0.0, validate=validate.Range(min=0), allow_nan=False
    )
    figures_estimated = f.Boolean(load_default=True)
    lon = f.lon(required=True)
    lat = f.lat(required=True)
    reported_at = fields.DateTime()
    enterprise_id = f.Integer(allow_none=True)
    description = f.text(2000, load_default="")
    jurisdiction_id = fields.Integer(dump_only=True)
    status = fields.String(dump_only=True)
    closed_at = fields.DateTime(dump_only=True)
    close_reason = fields.String(dump_only=True)
    assignments = fields.List(fields.Nested(AssignmentSchema), dump_only=True)
    material_dispatches = fields.List(fields.Nested(MaterialDispatchSchema), dump_only=True)


class IncidentArgs(Schema):
    status = f.Text(validate=validate.OneOf(["open", "closed"]))
    type = f.code_of(INCIDENT_TYPES)
    jurisdiction_id = f.Integer()
    page = f.Integer(load_default=1, validate=validate.Range(min=1))
    per_page = f.Integer(load_default=50, validate=validate.Range(min=1, max=500))


class ProposalArgs(Schema):
    alternatives = f.Integer(load_default=2, validate=validate.Range(min=0, max=10))
    reinforce = fields.Boolean(load_default=False)


class TeamPickSchema(Schema):
    team_id = f.Integer(required=True)
    specialty = f.Text(load_default="")


class MaterialPickSchema(Schema):
    inventory_line_id = f.Integer(required=True)
    quantity = fields.Float(
        required=True, validate=validate.Range(min=0, min_inclusive=False), allow_nan=False
    )


#: Most teams or material lines one confirmation may name (bounds the request's work).
MAX_PICKS = 200


class ConfirmSchema(Schema):
    proposal_id = f.Integer(allow_none=True, load_default=None)
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
    status = f.Text(required=True, validate=validate.OneOf(["on_scene", "returning", "available"]))


class ConsumedSchema(Schema):
    material_dispatch_id = f.Integer(required=True)
    consumed = fields.Float(required=True, validate=validate.Range(min=0), allow_nan=False)


class RecordSchema(Schema):
    deaths = f.Integer(required=True, validate=validate.Range(min=0))
    serious_injuries = f.Integer(required=True, validate=validate.Range(min=0))
    direct_loss_yuan = fields.Float(required=True, validate=validate.Range(min=0), allow_nan=False)
    figures_estimated = f.Boolean(load_default=True)
    severity = f.code_of(SEVERITIES, load_default=None)
    severity_reason = f.text(500, load_default="")


class NoteSchema(Schema):
    text = f.Text(required=True, validate=validate.Length(min=1, max=2000))


class ClosedSchema(IncidentSchema):
    settlement = fields.Dict(dump_only=True)


class CloseSchema(Schema):
    reason = f.Text(required=True, validate=validate.Length(min=1, max=500))
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
            reinforce=args["reinforce"],
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
    @blp.response(200)
    def post(self, data: dict[str, Any], incident_id: int) -> Any:
        """Close: release teams and record what each stock line used.  Nothing is assumed
        used: a line without a ``consumed`` figure goes back to stock in full, and
        ``settlement`` says which lines that was."""
        incident = dispatch.get_live_incident(db.session, incident_id)
        consumed = {c["material_dispatch_id"]: c["consumed"] for c in data["consumed"]}
        closure = dispatch.close_incident(
            db.session, current_actor(), incident, reason=data["reason"], consumed=consumed
        )
        settlement = {
            "materials": closure.materials,
            "assumed_returned": closure.assumed_returned,
            "message": closure.message(),
        }
        db.session.commit()
        return {**ClosedSchema().dump(closure.incident), "settlement": settlement}


@blp.route("/dispatch/availability")
class Availability(MethodView):
    @blp.response(200)
    def get(self) -> Any:
        """Team availability with a version that changes whenever any status changes;
        consoles poll it every few seconds."""
        current_actor()
        return dispatch.availability(db.session)


@blp.route("/incidents/<int:incident_id>/record")
class IncidentRecord(MethodView):
    @blp.arguments(RecordSchema)
    @blp.response(200, IncidentSchema)
    def put(self, data: dict[str, Any], incident_id: int) -> Any:
        """Update deaths, serious injuries and direct loss (estimates may be revised); the
        grade follows them.  ``severity`` above the derived grade needs
        ``severity_reason``; below it is refused (422 on ``severity``)."""
        incident = dispatch.get_live_incident(db.session, incident_id)
        dispatch.severity.update_record(
            db.session,
            current_actor(),
            incident,
            dispatch.severity.Figures(
                data["deaths"], data["serious_injuries"], data["direct_loss_yuan"]
            ),
            severity=data["severity"],
            reason=data["severity_reason"],
            estimated=data["figures_estimated"],
        )
        db.session.commit()
        return db.session.get(Incident, incident_id)


@blp.route("/incidents/<int:incident_id>/notes")
class IncidentNotes(MethodView):
    @blp.arguments(NoteSchema)
    @blp.response(201)
    def post(self, data: dict[str, Any], incident_id: int) -> Any:
        """Add a note to the incident's timeline."""
        incident = dispatch.get_live_incident(db.session, incident_id)
        note = dispatch.timeline.add_note(db.session, current_actor(), incident, data["text"])
        answer = {"id": note.id, "text": note.body, "created_at": note.created_at.isoformat()}
        db.session.commit()
        return answer


@blp.route("/incidents/<int:incident_id>/timeline")
class IncidentTimeline(MethodView):
    @blp.response(200)
    def get(self, incident_id: int) -> Any:
        """Every moment of the incident, oldest first (times in UTC, ISO 8601)."""
        current_actor()
        incident = dispatch.get_live_incident(db.session, incident_id)
        return {
            "items": [
                {"at": e.at.isoformat(), "kind": e.kind, "who": e.who, "details": e.details}
                for e in dispatch.timeline.events(db.session, incident)
            ]
        }


@blp.route("/dispatch/board")
class Board(MethodView):
    @blp.response(200)
    def get(self) -> Any:
        """Open incidents in the caller's scope, newest first, with an ``ETag`` of the
        change version: send it back in ``If-None-Match`` and the answer is 304 (no body,
        one index lookup) until anything changes."""
        actor = current_actor()
        version = dispatch.board.change_version(db.session)
        etag = f'"{version}.{actor.user_id or 0}"'
        if etag in request.headers.get("If-None-Match", ""):
            return Response(status=304, headers={"ETag": etag, "Cache-Control": "no-cache"})
        body = {"version": version, "items": dispatch.board.board(db.session, actor)}
        return body, 200, {"ETag": etag, "Cache-Control": "no-cache"}


class PlaceArgs(Schema):
    q = f.Text(required=True, validate=validate.Length(max=100))
    crs = f.Text(load_default="wgs84")


@blp.route("/dispatch/places")
class Places(MethodView):
    @blp.arguments(PlaceArgs, location="query")
    @blp.response(200)
    def get(self, args: dict[str, Any]) -> Any:
        """One search box for placing an incident: enterprises (name or credit code),
        hazard sources, jurisdictions, street names, or ``lon, lat`` in ``crs`` (wgs84,
        gcj02, bd09); every hit is given in WGS-84."""
        current_actor()
        found = dispatch.places.search(
            db.session, args["q"], system=args["crs"], streets=road_names()
        )
        return {"items": found}
