"""Drills: scenarios of simulated incidents, runs against a registry snapshot, reports,
exports and the comparison of two runs.  Nothing here touches live status or stock."""

from __future__ import annotations

import csv
import io
from typing import Any

from flask import Response, current_app, url_for
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from responder.http.api import fields as f
from responder.http.auth import current_actor
from responder.http.context import loaded_road_network, routing_context, snap_max_m, today
from responder.models import Drill, db
from responder.services import drills
from responder.vocabulary import INCIDENT_TYPES, SEVERITIES

blp = Blueprint("drills", __name__, url_prefix="/api/v1", description="Drills (演练)")


class DrillIncidentSchema(Schema):
    id = f.Integer(dump_only=True)
    type = f.code_of(INCIDENT_TYPES, required=True)
    severity = f.code_of(SEVERITIES, required=True)
    lon = f.lon(load_default=None, metadata={"description": "needed unless enterprise_id"})
    lat = f.lat(load_default=None, metadata={"description": "needed unless enterprise_id"})
    enterprise_id = f.Integer(
        allow_none=True,
        load_default=None,
        metadata={"description": "placed on this enterprise (its location is used)"},
    )
    offset_min = fields.Float(
        load_default=0.0,
        allow_nan=False,
        validate=validate.Range(0, drills.MAX_OFFSET_MIN),
        metadata={"description": "minutes after the drill start"},
    )
    note = f.text(500, load_default="")


class DrillInjectSchema(Schema):
    """A timed inject; which fields it needs depends on ``kind`` (checked by the service)."""

    id = f.Integer(dump_only=True)
    kind = fields.String(required=True, validate=validate.OneOf(drills.INJECT_KINDS))
    at_min = fields.Float(
        required=True,
        allow_nan=False,
        validate=validate.Range(0, drills.MAX_OFFSET_MIN),
        metadata={"description": "minutes after the drill start"},
    )
    lon = f.lon(allow_none=True, load_default=None)
    lat = f.lat(allow_none=True, load_default=None)
    radius_m = fields.Float(
        allow_none=True,
        load_default=None,
        allow_nan=False,
        metadata={"description": "road_closure: roads this close to the point or line"},
    )
    line = fields.List(
        fields.List(fields.Float(allow_nan=False), validate=validate.Length(equal=2)),
        allow_none=True,
        load_default=None,
        metadata={"description": "road_closure: [[lon, lat], ...] along the closed road"},
    )
    team_id = f.Integer(allow_none=True, load_default=None)
    incident_id = f.Integer(
        allow_none=True, load_default=None, metadata={"description": "severity_raised"}
    )
    type = f.code_of(INCIDENT_TYPES, allow_none=True, load_default=None)
    severity = f.code_of(SEVERITIES, allow_none=True, load_default=None)
    enterprise_id = f.Integer(allow_none=True, load_default=None)
    note = f.text(500, load_default="")


class ActionSchema(Schema):
    action = f.text(1000, load_default="")
    owner = f.text(200, load_default="")
    due_on = fields.Date(allow_none=True, load_default=None)


class EvaluationSchema(Schema):
    went_well = f.text(4000, load_default="")
    gaps = f.text(4000, load_default="")
    actions = fields.List(fields.Nested(ActionSchema), load_default=list)


class PlanDrillSchema(Schema):
    plan_ids = fields.List(f.Integer(), required=True)
    participants = f.Integer(load_default=0, validate=validate.Range(0, 100000))


class DrillSchema(Schema):
    id = f.Integer(dump_only=True)
    name = f.name(required=True)
    description = f.text(4000, load_default="")
    start_at = fields.AwareDateTime(required=True, default_timezone=None)
    jurisdiction_id = f.Integer(allow_none=True, load_default=None)
    owner_id = f.Integer(dump_only=True)
    incidents = fields.List(fields.Nested(DrillIncidentSchema), load_default=list)
    injects = fields.Function(lambda d: [drills.inject_dict(i) for i in d.injects], dump_only=True)
    created_at = fields.DateTime(dump_only=True)
    updated_at = fields.DateTime(dump_only=True)
    runs = fields.Function(
        lambda d: [
            {"id": r.id, "started_at": r.started_at.isoformat(), "summary": r.summary}
            for r in d.runs
        ],
        dump_only=True,
    )


#: PATCH changes only what it is given: every top-level field may be left out (and then
#: no default fills it in), while a given ``incidents`` list is checked in full.
DrillPatchSchema = DrillSchema(
    partial=("name", "description", "start_at", "jurisdiction_id", "incidents")
)


class RunArgs(Schema):
    on_scene_min = fields.Float(
        allow_nan=False,
        validate=validate.Range(0, 1440),
        metadata={"description": "override the rules' on-scene minutes for this run"},
    )


def _readable(drill_id: int) -> Drill:
    drill = drills.get(db.session, drill_id)
    drills.require_read(current_actor(), drill)
    return drill


def _readable_run(run_id: int) -> Any:
    drill_run = drills.get_run(db.session, run_id)
    _readable(drill_run.drill_id)
    return drill_run


@blp.route("/drills")
class Drills(MethodView):
    @blp.response(200, DrillSchema(many=True))
    def get(self) -> Any:
        """Drills the caller may see, newest first."""
        return drills.visible(db.session, current_actor())

    @blp.arguments(DrillSchema)
    @blp.response(201, DrillSchema)
    def post(self, data: dict[str, Any]) -> Any:
        """Save a scenario (role drill_organizer or admin); incidents may come at once."""
        drill = drills.create(
            db.session,
            current_actor(),
            data,
            network=loaded_road_network(),
            snap_max_m=snap_max_m(),
        )
        db.session.commit()
        return drill, 201, {"Location": url_for("drills.DrillItem", drill_id=drill.id)}


@blp.route("/drills/<int:drill_id>")
class DrillItem(MethodView):
    @blp.response(200, DrillSchema)
    def get(self, drill_id: int) -> Any:
        return _readable(drill_id)

    @blp.arguments(DrillPatchSchema)
    @blp.response(200, DrillSchema)
    def patch(self, data: dict[str, Any], drill_id: int) -> Any:
        """Edit the scenario; a given ``incidents`` list replaces the old one."""
        drill = drills.get(db.session, drill_id)
        drills.update(
            db.session,
            current_actor(),
            drill,
            data,
            network=loaded_road_network(),
            snap_max_m=snap_max_m(),
        )
        db.session.commit()
        return drill


@blp.route("/drills/<int:drill_id>/incidents")
class DrillIncidents(MethodView):
    @blp.arguments(DrillIncidentSchema)
    @blp.response(201, DrillIncidentSchema)
    def post(self, data: dict[str, Any], drill_id: int) -> Any:
        """Add one simulated incident (what a click on the editor map sends)."""
        drill = drills.get(db.session, drill_id)
        incident = drills.add_incident(
            db.session,
            current_actor(),
            drill,
            data,
            network=loaded_road_network(),
            snap_max_m=snap_max_m(),
        )
        db.session.commit()
        return incident, 201


@blp.route("/drills/<int:drill_id>/incidents/<int:incident_id>")
class DrillIncidentItem(MethodView):
    @blp.response(204)
    def delete(self, drill_id: int, incident_id: int) -> Any:
        drill = drills.get(db.session, drill_id)
        drills.remove_incident(db.session, current_actor(), drill, incident_id)
        db.session.commit()
        return ""


@blp.route("/drills/<int:drill_id>/injects")
class DrillInjects(MethodView):
    @blp.arguments(DrillInjectSchema)
    @blp.response(201)
    def post(self, data: dict[str, Any], drill_id: int) -> Any:
        """Add a timed inject: a road closure, a team going unavailable, a second incident
        or a raised severity, at ``at_min`` minutes after the start."""
        drill = drills.get(db.session, drill_id)
        inject = drills.add_inject(
            db.session,
            current_actor(),
            drill,
            {k: v for k, v in data.items() if v is not None},
            network=loaded_road_network(),
            snap_max_m=snap_max_m(),
        )
        db.session.commit()
        return drills.inject_dict(inject), 201


@blp.route("/drills/<int:drill_id>/injects/<int:inject_id>")
class DrillInjectItem(MethodView):
    @blp.response(204)
    def delete(self, drill_id: int, inject_id: int) -> Any:
        drill = drills.get(db.session, drill_id)
        drills.remove_inject(db.session, current_actor(), drill, inject_id)
        db.session.commit()
        return ""


@blp.route("/drills/<int:drill_id>/runs")
class DrillRuns(MethodView):
    @blp.response(200)
    def get(self, drill_id: int) -> Any:
        """Past runs of the drill (summaries), newest first."""
        drill = _readable(drill_id)
        return [
            {
                "id": r.id,
                "started_at": r.started_at.isoformat(),
                "summary": r.summary,
                "fingerprint": r.fingerprint,
            }
            for r in drill.runs
        ]

    @blp.arguments(RunArgs)
    @blp.response(201)
    def post(self, args: dict[str, Any], drill_id: int) -> Any:
        """Run the drill now against a snapshot of live availability and stock; nothing live
        changes.  Returns the timeline."""
        drill = drills.get(db.session, drill_id)
        drill_run = drills.run(
            db.session,
            current_actor(),
            routing_context(),
            drill,
            today=today(),
            on_scene_min=args.get("on_scene_min"),
        )
        db.session.commit()
        return (
            drills.run_json(drill_run),
            201,
            {"Location": url_for("drills.DrillRunItem", run_id=drill_run.id)},
        )


@blp.route("/drill-runs/<int:run_id>")
class DrillRunItem(MethodView):
    @blp.response(200)
    def get(self, run_id: int) -> Any:
        return drills.run_json(_readable_run(run_id))


@blp.route("/drill-runs/<int:run_id>/evaluation")
class DrillRunEvaluation(MethodView):
    @blp.arguments(EvaluationSchema)
    @blp.response(200)
    def put(self, data: dict[str, Any], run_id: int) -> Any:
        """Save the run's evaluation: what went well, gaps, actions with owners and due
        dates (the drill's owner or an admin)."""
        drill_run = drills.get_run(db.session, run_id)
        drill = drills.get(db.session, drill_run.drill_id)
        evaluation = drills.evaluate(db.session, current_actor(), drill, drill_run, data)
        db.session.commit()
        return evaluation


@blp.route("/drill-runs/<int:run_id>/plans")
class DrillRunPlans(MethodView):
    @blp.response(200)
    def get(self, run_id: int) -> Any:
        """The filed plans the run exercised (enterprise plans of the enterprises its
        incidents were placed on, government plans for the incident types)."""
        return drills.plan_choices(db.session, _readable_run(run_id))

    @blp.arguments(PlanDrillSchema)
    @blp.response(201)
    def post(self, data: dict[str, Any], run_id: int) -> Any:
        """Record the run as a tabletop drill of the chosen plans (moves their drill due
        dates); one drill record per plan owner."""
        drill_run = drills.get_run(db.session, run_id)
        drill = drills.get(db.session, drill_run.drill_id)
        ids = drills.record_plan_drills(
            db.session,
            current_actor(),
            drill,
            drill_run,
            plan_ids=data["plan_ids"],
            today=today(),
            timezone=current_app.config["TIMEZONE"],
            participants=data["participants"],
        )
        db.session.commit()
        return {"record_ids": ids}, 201


@blp.route("/drill-runs/<int:run_id>/timeline.csv")
class DrillRunCsv(MethodView):
    @blp.response(200, content_type="text/csv")
    def get(self, run_id: int) -> Any:
        """The timeline, one row per incident and team, material arrival and unmet need."""
        drill_run = _readable_run(run_id)
        buffer = io.StringIO()
        buffer.write("\ufeff")  # so spreadsheet programs read the Chinese labels as UTF-8
        writer = csv.DictWriter(buffer, fieldnames=drills.TIMELINE_COLUMNS)
        writer.writeheader()
        writer.writerows(drills.timeline_rows(drill_run))
        name = f"drill-{drill_run.drill_id}-run-{run_id}.csv"
        return Response(
            buffer.getvalue(),
            mimetype="text/csv",
            headers={"Content-Disposition": f'attachment; filename="{name}"'},
        )


@blp.route("/drill-runs/<int:run_id>/compare/<int:other_id>")
class DrillRunCompare(MethodView):
    @blp.response(200)
    def get(self, run_id: int, other_id: int) -> Any:
        """What changed from run ``run_id`` to run ``other_id`` of the same drill."""
        return drills.compare(_readable_run(run_id), _readable_run(other_id))
