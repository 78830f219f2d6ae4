"""Running a drill (one snapshot, the simulation, stored and audited) and reading runs."""

from __future__ import annotations

import math
from dataclasses import asdict
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from responder.errors import InvalidInput, Unprocessable
from responder.models import (
    Drill,
    DrillIncident,
    DrillInject,
    DrillRun,
    utcnow,
)
from responder.rules import Standard
from responder.services import audit, dispatch, experts, jurisdictions, matrix
from responder.services.actors import Actor
from responder.services.dispatch import Resources, RoutingContext
from responder.services.drills.scenarios import (
    closure_edges,
    drill_path,
    incident_dict,
    inject_dict,
)
from responder.services.drills.simulation import Inject, Planned, simulate
from responder.services.drills.snapshot import fingerprint, registry_snapshot
from responder.services.standards import Land, land_for
from responder.vocabulary import INCIDENT_TYPES, SEVERITIES, SPECIALTIES, label


def run(
    session: Session,
    actor: Actor,
    ctx: RoutingContext,
    drill: Drill,
    *,
    today: date,
    on_scene_min: float | None = None,
) -> DrillRun:
    """Run the drill against a snapshot of the registry taken now; store and audit the run.

    ``on_scene_min`` overrides the rules' on-scene time for every specialty in this run.
    """
    actor.require("drills.write", path=drill_path(drill), what="the drill")
    if not drill.incidents:
        raise Unprocessable("the drill has no incidents: add some first", field="incidents")
    if on_scene_min is not None and not (0 <= on_scene_min <= 24 * 60):
        raise InvalidInput("on_scene_min must be between 0 and 1440", field="on_scene_min")
    resources = dispatch.live_resources(session, ctx.rules, today=today)  # the one snapshot
    snapshot = registry_snapshot(session, ctx, today=today)
    plan = [_planned(session, incident_dict(i), i.type, i.severity) for i in drill.incidents]
    plan += [
        _planned(session, _second_incident(i), i.incident_type or "", i.severity or "")
        for i in drill.injects
        if i.kind == "second_incident"
    ]
    plan.sort(key=lambda p: (p.incident["offset_min"], p.incident.get("inject_id") or 0))
    by_id = {i.id: i for i in drill.incidents}
    injects = [
        _inject(session, ctx, i, by_id) for i in drill.injects if i.kind != "second_incident"
    ]

    def on_scene_s(specialty: str) -> float:
        minutes = on_scene_min if on_scene_min is not None else ctx.rules.on_scene_for(specialty)
        return minutes * 60.0

    lands: dict[str, Land] = {}

    def standards(specialty: str) -> tuple[Standard, Land]:
        standard = ctx.rules.standard_for(specialty)
        if specialty not in lands:
            lands[specialty] = land_for(session, ctx.rules, standard)
        return standard, lands[specialty]

    effects: dict[int, dict[str, Any]] = {}
    timeline = simulate(
        ctx,
        plan,
        resources,
        on_scene_s=on_scene_s,
        standards=standards,
        injects=injects,
        effects=effects,
    )
    start = drill.start_at
    for entry in timeline:
        _stamp(entry, start)
    script = _script(drill.injects, timeline, effects, start)
    needed = [need.specialty for planned in plan for need in planned.team_needs]
    results = {
        "drill": {"id": drill.id, "name": drill.name, "start_at": start.isoformat()},
        "incidents": timeline,
        "injects": script,
        # Who the organizers would phone: experts on call on the run's day (name, unit, phone).
        "experts": [
            asdict(expert)
            for expert in experts.on_call_experts(session, specialties=needed, on=today)
        ],
    }
    summary = {**_summary(timeline, resources, ctx, on_scene_min), "injects": len(script)}
    drill_run = DrillRun(
        drill_id=drill.id,
        started_at=utcnow(),
        started_by=actor.user_id,
        summary=summary,
        registry_snapshot=snapshot,
        fingerprint=fingerprint(snapshot),
        results=results,
    )
    session.add(drill_run)
    session.flush()
    audit.record(
        session,
        actor,
        "run",
        "drill",
        drill.id,
        after={"drill_id": drill.id, "run_id": drill_run.id, "summary": summary},
        note="drill run (simulation; nothing live changed)",
    )
    return drill_run


def _planned(
    session: Session, incident: dict[str, Any], incident_type: str, severity: str
) -> Planned:
    team_needs, material_needs = matrix.needs(session, incident_type, severity)
    return Planned(
        incident=incident,
        county_id=_county_of(session, incident["lon"], incident["lat"]),
        team_needs=team_needs,
        material_needs=material_needs,
    )


def _second_incident(inject: DrillInject) -> dict[str, Any]:
    """A second-incident inject as a simulated incident at the inject's time."""
    return {
        "id": None,
        "inject_id": inject.id,
        "type": inject.incident_type,
        "severity": inject.severity,
        "lon": inject.lon,
        "lat": inject.lat,
        "offset_min": inject.at_min,
        "note": inject.note,
        "enterprise_id": inject.enterprise_id,
    }


def _inject(
    session: Session, ctx: RoutingContext, inject: DrillInject, incidents: dict[int, DrillIncident]
) -> Inject:
    """An inject resolved for the simulation: closed edges on today's network, the
    needs at a raised severity."""
    at_s = inject.at_min * 60.0
    if inject.kind == "road_closure":
        edges = tuple(closure_edges(ctx.network, inject))
        return Inject(inject.id, inject.kind, at_s, closed_edges=edges)
    if inject.kind == "team_unavailable":
        return Inject(inject.id, inject.kind, at_s, team_id=inject.team_id)
    target = incidents[inject.incident_id or -1]
    team_needs, material_needs = matrix.needs(session, target.type, inject.severity or "")
    return Inject(
        inject.id,
        inject.kind,
        at_s,
        incident_id=target.id,
        severity=inject.severity,
        team_needs=team_needs,
        material_needs=material_needs,
    )


def _script(
    injects: list[DrillInject],
    timeline: list[dict[str, Any]],
    effects: dict[int, dict[str, Any]],
    start: datetime,
) -> list[dict[str, Any]]:
    """The injects as the run replayed them: what each was, when (clock time) and what it
    did (roads closed and teams detoured, the team's job, reinforcements sent); a
    team-unavailable inject also keeps the team's name and location (``team_lon``,
    ``team_lat``)."""
    second = {
        e["incident"]["inject_id"]: e["index"] for e in timeline if e["incident"].get("inject_id")
    }
    out = []
    for inject in injects:
        row = {
            **inject_dict(inject),
            "at": (start + timedelta(minutes=inject.at_min)).isoformat(),
            "effect": effects.get(inject.id, {}),
        }
        if inject.kind == "second_incident":
            row["effect"] = {"index": second.get(inject.id)}
        if inject.team_id is not None and inject.team is not None:
            # Where the team was when the run took it out: the report map draws it there.
            row["team"] = inject.team.name
            row["team_lon"], row["team_lat"] = inject.team.lon, inject.team.lat
        out.append(row)
    return out


def _county_of(session: Session, lon: float, lat: float) -> int | None:
    where = jurisdictions.locate(session, lon, lat)
    return jurisdictions.county_id_of(session, where.id) if where else None


def _stamp(entry: dict[str, Any], start: datetime) -> None:
    """Add wall-clock times (drill start + seconds) next to every ``*_s`` moment."""

    def at(seconds: float | None) -> str | None:
        if seconds is None or not math.isfinite(seconds):
            return None
        return (start + timedelta(seconds=seconds)).isoformat()

    entry["dispatched_at"] = at(entry["dispatched_s"])
    for team in entry["teams"]:
        team["dispatched_at"] = at(team["dispatched_s"])
        team["arrival_at"] = at(team["arrival_s"])
        team["free_at"] = at(team["free_at_s"])
        if team.get("reinforcement"):
            team["reinforced_at"] = at(team["dispatched_s"])
        for key in ("return_s",):
            if not math.isfinite(team[key]):
                team[key] = None
    for busy in entry["busy"]:
        busy["free_at"] = at(busy["free_at_s"])
        if not math.isfinite(busy["free_at_s"]):
            busy["free_at_s"] = None
    for fill in entry["materials"]:
        for source in fill["sources"]:
            source["arrival_at"] = at(source["arrival_s"])


def _summary(
    timeline: list[dict[str, Any]],
    resources: Resources,
    ctx: RoutingContext,
    on_scene_min: float | None,
) -> dict[str, Any]:
    teams = [t for e in timeline for t in e["teams"]]
    return {
        "incidents": len(timeline),
        "teams_dispatched": len(teams),
        "arrivals_met": sum(1 for t in teams if t["met"] is True),
        "arrivals_missed": sum(1 for t in teams if t["met"] is False),
        "arrivals_not_judged": sum(1 for t in teams if t["met"] is None),
        "unmet_needs": sum(len(e["unmet"]) for e in timeline),
        "worst_response_s": max((t["response_s"] for t in teams), default=None),
        "teams_available_at_start": len(resources.teams),
        "stock_lines_at_start": len(resources.stock),
        "network_version": ctx.network.version,
        "closures_in_force": list(ctx.closure_ids),
        "on_scene_min": on_scene_min,
    }


TIMELINE_COLUMNS = (
    "drill_id",
    "run_id",
    "incident",
    "type",
    "severity",
    "incident_at",
    "specialty",
    "team_id",
    "team",
    "cross_jurisdiction",
    "dispatched_at",
    "mobilization_min",
    "travel_min",
    "response_min",
    "arrival_at",
    "standard_min",
    "met",
    "free_again_at",
    "note",
)


def timeline_rows(drill_run: DrillRun) -> list[dict[str, Any]]:
    """One row per incident and team (and one per unmet need, material arrival), for CSV."""
    rows = []
    for entry in drill_run.results.get("incidents", []):
        incident = entry["incident"]
        base = {
            "drill_id": drill_run.drill_id,
            "run_id": drill_run.id,
            "incident": entry["index"],
            "type": label(INCIDENT_TYPES, incident["type"]),
            "severity": label(SEVERITIES, incident["severity"]),
            "incident_at": entry.get("dispatched_at"),
        }
        for team in entry["teams"]:
            rows.append(
                {
                    **base,
                    "specialty": label(SPECIALTIES, team["specialty"]),
                    "team_id": team["team_id"],
                    "team": team["name"],
                    "cross_jurisdiction": "yes" if team["cross_jurisdiction"] else "",
                    "dispatched_at": team["dispatched_at"],
                    "mobilization_min": round(team["mobilization_s"] / 60, 1),
                    "travel_min": round(team["travel_s"] / 60, 1),
                    "response_min": round(team["response_s"] / 60, 1),
                    "arrival_at": team["arrival_at"],
                    "standard_min": team["standard_min"],
                    "met": {True: "met", False: "MISSED"}.get(team["met"], "not judged"),
                    "free_again_at": team["free_at"],
                    "note": _team_note(team),
                }
            )
        for fill in entry["materials"]:
            for source in fill["sources"]:
                rows.append(
                    {
                        **base,
                        "team": f"{fill['name']} {source['quantity']:g} {fill['unit']}",
                        "note": f"material from {source['depot']}",
                        "arrival_at": source["arrival_at"],
                        "travel_min": round(source["travel_s"] / 60, 1),
                    }
                )
        for need in entry["unmet"]:
            rows.append(
                {
                    **base,
                    "specialty": need.get("specialty", ""),
                    "met": "UNMET",
                    "note": need["message"],
                }
            )
    for inject in drill_run.results.get("injects", []):
        rows.append(
            {
                "drill_id": drill_run.drill_id,
                "run_id": drill_run.id,
                "type": f"inject: {inject['kind']}",
                "incident_at": inject["at"],
                "team_id": inject.get("team_id") or "",
                "team": inject.get("team", ""),
                "note": _inject_note(inject),
            }
        )
    return [{column: row.get(column, "") for column in TIMELINE_COLUMNS} for row in rows]


def _team_note(team: dict[str, Any]) -> str:
    notes = []
    if team.get("reinforcement"):
        notes.append("reinforcement after a severity raise")
    if team.get("detour_s"):
        notes.append(f"detour +{team['detour_s'] / 60:.1f} min (drill road closure)")
    return "; ".join(notes)


def _inject_note(inject: dict[str, Any]) -> str:
    """What an inject was and did, in words (the CSV is read in spreadsheets)."""
    effect = inject.get("effect") or {}
    if inject["kind"] == "road_closure":
        detoured = ", ".join(f"{d['name']} (#{d['index']})" for d in effect.get("detoured", []))
        return f"{effect.get('edges_closed', 0)} road edges closed; detoured: {detoured or 'none'}"
    if inject["kind"] == "team_unavailable":
        return "busy then; not sent again" if effect.get("was_busy") else "not sent from then on"
    if inject["kind"] == "second_incident":
        return f"incident #{effect.get('index')}"
    return f"raised to {inject.get('severity')}: {effect.get('teams_sent', 0)} more team(s)"


def run_json(drill_run: DrillRun) -> dict[str, Any]:
    """A run as the API returns it."""
    return {
        "id": drill_run.id,
        "drill_id": drill_run.drill_id,
        "started_at": drill_run.started_at.isoformat(),
        "started_by": drill_run.started_by,
        "fingerprint": drill_run.fingerprint,
        "summary": drill_run.summary,
        "results": drill_run.results,
        "evaluation": drill_run.evaluation,
    }
