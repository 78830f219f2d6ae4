"""Drills (应急演练): simulated incidents dispatched against a snapshot of the registry.

A drill is a saved scenario (a start time and simulated incidents at minute offsets).
Running it reads live availability and stock ONCE, then dispatches each incident in time
order with :func:`responder.services.dispatch.compute_proposal` against that snapshot:

- a team sent to an earlier incident is busy until it could have returned (arrival + the
  on-scene time of its specialty from the rules + road travel back to its base), and free
  again after that;
- stock taken by an earlier incident is gone for the later ones.

Nothing live changes: no team status, no stock, no live incident.  The run is stored in
``drill_runs`` (with the registry snapshot, so two runs can be compared) and audited once.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from responder.errors import Forbidden, InvalidInput, NotFound, Unprocessable
from responder.models import (
    Depot,
    Drill,
    DrillIncident,
    DrillRun,
    InventoryLine,
    Material,
    RescueTeam,
    utcnow,
)
from responder.routing import RoadNetwork
from responder.services import audit, dispatch, jurisdictions, matrix
from responder.services.actors import Actor
from responder.services.dispatch import DispatchContext, Resources, TeamResource
from responder.vocabulary import INCIDENT_TYPES, SEVERITIES, SPECIALTIES, label

MAX_INCIDENTS = 200
MAX_OFFSET_MIN = 7 * 24 * 60  # a drill spans at most a week
SCENARIO_FIELDS = ("name", "description", "start_at", "jurisdiction_id")


# ---------------------------------------------------------------- scenarios
def get(session: Session, drill_id: int) -> Drill:
    drill = session.get(Drill, drill_id)
    if drill is None:
        raise NotFound(f"drill {drill_id} not found")
    return drill


def get_run(session: Session, run_id: int) -> DrillRun:
    run = session.get(DrillRun, run_id)
    if run is None:
        raise NotFound(f"drill run {run_id} not found")
    return run


def visible(session: Session, actor: Actor) -> list[Drill]:
    """Drills the actor may read: all of them, or those in their jurisdiction subtree."""
    actor.require("drills.read")
    query = select(Drill).order_by(Drill.id.desc())
    if actor.scope_path is not None:
        query = query.where(jurisdictions.subtree_filter(Drill.jurisdiction_id, actor.scope_path))
    return list(session.scalars(query))


def require_read(actor: Actor, drill: Drill) -> None:
    actor.require("drills.read", path=_path(drill), what="the drill")


def create(
    session: Session,
    actor: Actor,
    data: dict[str, Any],
    *,
    network: RoadNetwork | None,
    snap_max_m: float,
) -> Drill:
    """Save a new scenario owned by ``actor`` (incidents may be given at once)."""
    actor.require("drills.write")
    _check_name(data.get("name"))
    drill = Drill(
        name=data["name"].strip(),
        description=data.get("description", ""),
        start_at=_aware(data.get("start_at")),
        owner_id=actor.user_id,
        jurisdiction_id=_jurisdiction_id(session, actor, data.get("jurisdiction_id")),
    )
    session.add(drill)
    session.flush()
    for i, item in enumerate(data.get("incidents") or []):
        drill.incidents.append(
            _new_incident(session, actor, item, network, snap_max_m, f"incidents.{i}")
        )
    _check_count(drill)
    session.flush()
    audit.record(session, actor, "create", "drill", drill.id, after=_scenario(drill))
    return drill


def update(
    session: Session,
    actor: Actor,
    drill: Drill,
    data: dict[str, Any],
    *,
    network: RoadNetwork | None,
    snap_max_m: float,
) -> Drill:
    """Edit a scenario; ``incidents``, when given, replaces the whole list."""
    _require_owner(actor, drill)
    before = _scenario(drill)
    if "name" in data:
        _check_name(data["name"])
        drill.name = data["name"].strip()
    if "description" in data:
        drill.description = data["description"] or ""
    if "start_at" in data:
        drill.start_at = _aware(data["start_at"])
    if "jurisdiction_id" in data:
        drill.jurisdiction_id = _jurisdiction_id(session, actor, data["jurisdiction_id"])
    if "incidents" in data:
        drill.incidents = [
            _new_incident(session, actor, item, network, snap_max_m, f"incidents.{i}")
            for i, item in enumerate(data["incidents"] or [])
        ]
        _check_count(drill)
    session.flush()
    audit.record(session, actor, "update", "drill", drill.id, before=before, after=_scenario(drill))
    return drill


def add_incident(
    session: Session,
    actor: Actor,
    drill: Drill,
    data: dict[str, Any],
    *,
    network: RoadNetwork | None,
    snap_max_m: float,
) -> DrillIncident:
    """Add one simulated incident (e.g. clicked on the drill editor's map)."""
    _require_owner(actor, drill)
    incident = _new_incident(session, actor, data, network, snap_max_m, "")
    drill.incidents.append(incident)
    _check_count(drill)
    session.flush()
    audit.record(session, actor, "add_incident", "drill", drill.id, after=_incident_dict(incident))
    return incident


def remove_incident(session: Session, actor: Actor, drill: Drill, incident_id: int) -> None:
    """Take a simulated incident out of the scenario (past runs keep their copy)."""
    _require_owner(actor, drill)
    incident = next((i for i in drill.incidents if i.id == incident_id), None)
    if incident is None:
        raise NotFound(f"incident {incident_id} is not part of drill {drill.id}")
    before = _incident_dict(incident)
    drill.incidents.remove(incident)
    session.flush()
    audit.record(session, actor, "remove_incident", "drill", drill.id, before=before)


def _new_incident(
    session: Session,
    actor: Actor,
    data: dict[str, Any],
    network: RoadNetwork | None,
    snap_max_m: float,
    prefix: str,
) -> DrillIncident:
    def name(field: str) -> str:
        return f"{prefix}.{field}" if prefix else field

    if data.get("type") not in INCIDENT_TYPES:
        raise InvalidInput(f"unknown incident type '{data.get('type')}'", field=name("type"))
    if data.get("severity") not in SEVERITIES:
        raise InvalidInput(f"unknown severity '{data.get('severity')}'", field=name("severity"))
    offset = data.get("offset_min", 0.0)
    if not isinstance(offset, int | float) or not 0 <= offset <= MAX_OFFSET_MIN:
        raise InvalidInput(
            f"offset_min must be between 0 and {MAX_OFFSET_MIN} minutes", field=name("offset_min")
        )
    lon, lat = data.get("lon"), data.get("lat")
    if not isinstance(lon, int | float) or not -180 <= lon <= 180:
        raise InvalidInput("lon must be within [-180, 180]", field=name("lon"))
    if not isinstance(lat, int | float) or not -90 <= lat <= 90:
        raise InvalidInput("lat must be within [-90, 90]", field=name("lat"))
    where = jurisdictions.locate(session, lon, lat)
    if where is not None:
        actor.require("drills.write", path=where.path, what="the incident location")
    if network is not None:
        dispatch.snap_point(network, lon, lat, max_m=snap_max_m, field=name("lon"))
    return DrillIncident(
        type=data["type"],
        severity=data["severity"],
        offset_min=float(offset),
        lon=float(lon),
        lat=float(lat),
        note=(data.get("note") or "")[:500],
    )


def _check_name(name: Any) -> None:
    if not isinstance(name, str) or not name.strip():
        raise InvalidInput("give the drill a name", field="name")
    if len(name) > 200:
        raise InvalidInput("name is longer than 200 characters", field="name")


def _check_count(drill: Drill) -> None:
    if len(drill.incidents) > MAX_INCIDENTS:
        raise InvalidInput(f"a drill holds at most {MAX_INCIDENTS} incidents", field="incidents")


def _aware(moment: Any) -> datetime:
    if moment is None:
        raise InvalidInput("give the drill a start time", field="start_at")
    if not isinstance(moment, datetime):
        raise InvalidInput("start_at must be a date and time", field="start_at")
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _jurisdiction_id(session: Session, actor: Actor, jurisdiction_id: int | None) -> int | None:
    if jurisdiction_id is None:
        return None
    node = jurisdictions.get(session, jurisdiction_id)
    actor.require("drills.write", path=node.path, what="the drill's jurisdiction")
    return node.id


def _path(drill: Drill) -> str | None:
    return drill.jurisdiction.path if drill.jurisdiction else None


def _require_owner(actor: Actor, drill: Drill) -> None:
    actor.require("drills.write", path=_path(drill), what="the drill")
    if actor.role != "admin" and drill.owner_id != actor.user_id:
        raise Forbidden("only the drill's owner (or an admin) may edit it", field="drill")


def _incident_dict(incident: DrillIncident) -> dict[str, Any]:
    return {
        "id": incident.id,
        "type": incident.type,
        "severity": incident.severity,
        "lon": incident.lon,
        "lat": incident.lat,
        "offset_min": incident.offset_min,
        "note": incident.note,
    }


def _scenario(drill: Drill) -> dict[str, Any]:
    return {
        "name": drill.name,
        "description": drill.description,
        "start_at": drill.start_at.isoformat(),
        "jurisdiction_id": drill.jurisdiction_id,
        "incidents": [_incident_dict(i) for i in drill.incidents],
    }


# ---------------------------------------------------------------- the registry snapshot
def registry_snapshot(session: Session, ctx: DispatchContext, *, today: date) -> dict[str, Any]:
    """Every non-retired team (with its status) and every stock line, as plain values:
    what a run saw, kept so two runs can say what changed in the registry."""
    teams = {}
    for team in session.scalars(
        select(RescueTeam).where(RescueTeam.retired_at.is_(None)).order_by(RescueTeam.id)
    ):
        teams[str(team.id)] = {
            "name": team.name,
            "status": team.status,
            "specialties": team.specialties,
            "kind": team.kind,
            "mobilization_min": (
                team.mobilization_min
                if team.mobilization_min is not None
                else ctx.rules.mobilization_for(team.kind)
            ),
            "lon": round(team.lon, 6),
            "lat": round(team.lat, 6),
        }
    stock = {}
    rows = session.execute(
        select(InventoryLine, Depot, Material)
        .join(Depot, Depot.id == InventoryLine.depot_id)
        .join(Material, Material.id == InventoryLine.material_id)
        .where(Depot.retired_at.is_(None))
        .order_by(InventoryLine.id)
    )
    for line, depot, material in rows:
        stock[str(line.id)] = {
            "depot": depot.name,
            "material": material.code,
            "name": material.name_zh,
            "unit": material.unit,
            "quantity": float(line.quantity),
            "expired": line.expiry_date is not None and line.expiry_date < today,
        }
    return {
        "teams": teams,
        "stock": stock,
        "network_version": ctx.network.version,
        "closures": list(ctx.closure_ids),
    }


def fingerprint(snapshot: dict[str, Any]) -> str:
    """A stable hash of a registry snapshot (equal snapshots, equal fingerprints)."""
    text = json.dumps(snapshot, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


# ---------------------------------------------------------------- running a drill
@dataclass(frozen=True)
class Planned:
    """One simulated incident with what it needs, read from the database up front."""

    incident: dict[str, Any]
    county_id: int | None
    team_needs: list[matrix.TeamNeed]
    material_needs: list[matrix.MaterialNeed]


def run(
    session: Session,
    actor: Actor,
    ctx: DispatchContext,
    drill: Drill,
    *,
    today: date | None = None,
    on_scene_min: float | None = None,
) -> DrillRun:
    """Run the drill against a snapshot of the registry taken now; store and audit the run.

    ``on_scene_min`` overrides the rules' on-scene time for every specialty in this run.
    """
    actor.require("drills.write", path=_path(drill), what="the drill")
    if not drill.incidents:
        raise Unprocessable("the drill has no incidents: add some first", field="incidents")
    if on_scene_min is not None and not (0 <= on_scene_min <= 24 * 60):
        raise InvalidInput("on_scene_min must be between 0 and 1440", field="on_scene_min")
    today = today or date.today()
    resources = dispatch.live_resources(session, ctx.rules, today=today)  # the one snapshot
    snapshot = registry_snapshot(session, ctx, today=today)
    plan = [
        Planned(
            incident=_incident_dict(i),
            county_id=_county_of(session, i.lon, i.lat),
            team_needs=(needs := matrix.needs(session, i.type, i.severity))[0],
            material_needs=needs[1],
        )
        for i in sorted(drill.incidents, key=lambda i: (i.offset_min, i.id))
    ]

    def on_scene_s(specialty: str) -> float:
        minutes = on_scene_min if on_scene_min is not None else ctx.rules.on_scene_for(specialty)
        return minutes * 60.0

    timeline = simulate(ctx, plan, resources, on_scene_s=on_scene_s)
    start = drill.start_at
    for entry in timeline:
        _stamp(entry, start)
    results = {
        "drill": {"id": drill.id, "name": drill.name, "start_at": start.isoformat()},
        "incidents": timeline,
    }
    summary = _summary(timeline, resources, ctx, on_scene_min)
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


def _county_of(session: Session, lon: float, lat: float) -> int | None:
    where = jurisdictions.locate(session, lon, lat)
    return jurisdictions.county_id_of(session, where.id) if where else None


def simulate(
    ctx: DispatchContext,
    plan: Sequence[Planned],
    resources: Resources,
    *,
    on_scene_s: Any,
) -> list[dict[str, Any]]:
    """Dispatch each planned incident in order against ``resources`` (pure: no database).

    Times are seconds after the drill start.  A team is free again at dispatch + arrival +
    on scene + travel back; stock lines shrink as incidents take from them.
    """
    free_at: dict[int, float] = {}
    left = {s.line_id: s.quantity for s in resources.stock}
    by_id = {t.id: t for t in resources.teams}
    timeline = []
    for index, item in enumerate(plan, start=1):
        incident = item.incident
        t0 = incident["offset_min"] * 60.0
        entry: dict[str, Any] = {
            "index": index,
            "incident": incident,
            "dispatched_s": t0,
            "teams": [],
            "materials": [],
            "unmet": [],
            "busy": [],
            "excluded": [],
        }
        timeline.append(entry)
        try:
            target = dispatch.snap_point(
                ctx.network, incident["lon"], incident["lat"], max_m=ctx.snap_max_m
            )
        except (InvalidInput, Unprocessable) as error:
            entry["unmet"].append({"kind": "location", "message": error.message})
            continue
        needed = {n.specialty for n in item.team_needs}
        free = [t for t in resources.teams if free_at.get(t.id, 0.0) <= t0]
        entry["busy"] = [
            {
                "team_id": t.id,
                "name": t.name,
                "specialties": list(t.specialties),
                "free_at_s": free_at[t.id],
            }
            for t in resources.teams
            if free_at.get(t.id, 0.0) > t0 and needed.intersection(t.specialties)
        ]
        stock = [
            replace(s, quantity=left[s.line_id]) for s in resources.stock if left[s.line_id] > 1e-9
        ]
        result = dispatch.compute_proposal(
            ctx.network,
            target,
            incident_county_id=item.county_id,
            team_needs=item.team_needs,
            material_needs=item.material_needs,
            resources=Resources(teams=free, stock=stock),
            closures=ctx.closures,
            snap_max_m=ctx.snap_max_m,
            alternatives=0,
            with_routes=True,
        )
        for specialty, options in result.teams.items():
            for option in options:
                if not option.recommended:
                    continue
                team = by_id[option.team_id]
                back = _travel_back(ctx, target, team)
                standard_min = ctx.rules.arrival_standard_for(specialty)
                arrival = t0 + option.arrival_s
                released = arrival + on_scene_s(specialty) + back
                free_at[team.id] = released
                entry["teams"].append(
                    {
                        "team_id": team.id,
                        "name": team.name,
                        "specialty": specialty,
                        "kind": team.kind,
                        "cross_jurisdiction": option.cross_jurisdiction,
                        "dispatched_s": t0,
                        "mobilization_s": option.mobilization_s,
                        "travel_s": option.travel_s,
                        "response_s": option.arrival_s,
                        "arrival_s": arrival,
                        "standard_min": standard_min,
                        "met": option.arrival_s <= standard_min * 60.0 + 1e-9,
                        "on_scene_s": on_scene_s(specialty),
                        "return_s": back,
                        "free_at_s": released if math.isfinite(released) else None,
                        "road_m": option.road_m,
                        "route": option.route,
                        "lon": team.lon,
                        "lat": team.lat,
                    }
                )
        for fill in result.materials:
            sources = []
            for source in fill.sources:
                left[source["inventory_line_id"]] -= source["quantity"]
                sources.append(
                    {
                        **source,
                        "arrival_s": t0 + source["arrival_s"],
                        "travel_s": source["arrival_s"],
                    }
                )
            entry["materials"].append(
                {
                    "material": fill.code,
                    "name": fill.name,
                    "unit": fill.unit,
                    "needed": fill.needed,
                    "shortfall": fill.shortfall,
                    "sources": sources,
                }
            )
        entry["unmet"].extend(result.unmet)
        entry["excluded"] = result.excluded
        entry["needs"] = result.needs
        entry["snapped_to"] = [round(target.lon, 6), round(target.lat, 6)]
    return timeline


def _travel_back(ctx: DispatchContext, target: Any, team: TeamResource) -> float:
    """Road time from the incident back to the team's own location (inf if none)."""
    home = dispatch.snap_point(ctx.network, team.lon, team.lat, max_m=ctx.snap_max_m)
    return float(ctx.network.times_from(target, [home], closures=ctx.closures)[0])


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
    ctx: DispatchContext,
    on_scene_min: float | None,
) -> dict[str, Any]:
    teams = [t for e in timeline for t in e["teams"]]
    return {
        "incidents": len(timeline),
        "teams_dispatched": len(teams),
        "arrivals_met": sum(1 for t in teams if t["met"]),
        "arrivals_missed": sum(1 for t in teams if not t["met"]),
        "unmet_needs": sum(len(e["unmet"]) for e in timeline),
        "worst_response_s": max((t["response_s"] for t in teams), default=None),
        "teams_available_at_start": len(resources.teams),
        "stock_lines_at_start": len(resources.stock),
        "network_version": ctx.network.version,
        "closures_in_force": list(ctx.closure_ids),
        "on_scene_min": on_scene_min,
    }


# ---------------------------------------------------------------- reading runs
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
                    "met": "met" if team["met"] else "MISSED",
                    "free_again_at": team["free_at"],
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
    return [{column: row.get(column, "") for column in TIMELINE_COLUMNS} for row in rows]


# ---------------------------------------------------------------- comparing two runs
def compare(first: DrillRun, second: DrillRun) -> dict[str, Any]:
    """What changed between two runs of the same drill: in the registry they saw, in the
    scenario, and in the outcome (teams sent, response times, met standards, unmet needs)."""
    if first.drill_id != second.drill_id:
        raise InvalidInput(
            f"runs {first.id} and {second.id} belong to different drills", field="other"
        )
    if first.id == second.id:
        raise InvalidInput("pick two different runs", field="other")
    a, b = first.registry_snapshot or {}, second.registry_snapshot or {}
    return {
        "drill_id": first.drill_id,
        "runs": [_run_head(first), _run_head(second)],
        "same_registry": first.fingerprint == second.fingerprint,
        "registry": {
            "teams": _diff_records(a.get("teams", {}), b.get("teams", {}), "name"),
            "stock": _diff_records(a.get("stock", {}), b.get("stock", {}), "name"),
            "network_version": _changed(a.get("network_version"), b.get("network_version")),
            "closures": _changed(a.get("closures"), b.get("closures")),
        },
        "summary": {
            key: {"before": first.summary.get(key), "after": second.summary.get(key)}
            for key in (
                "teams_dispatched",
                "arrivals_met",
                "arrivals_missed",
                "unmet_needs",
                "worst_response_s",
            )
            if first.summary.get(key) != second.summary.get(key)
        },
        "incidents": _diff_outcomes(
            first.results.get("incidents", []), second.results.get("incidents", [])
        ),
    }


def _run_head(drill_run: DrillRun) -> dict[str, Any]:
    return {
        "id": drill_run.id,
        "started_at": drill_run.started_at.isoformat(),
        "fingerprint": drill_run.fingerprint,
        "summary": drill_run.summary,
    }


def _changed(before: Any, after: Any) -> dict[str, Any] | None:
    return None if before == after else {"before": before, "after": after}


def _diff_records(
    before: dict[str, dict[str, Any]], after: dict[str, dict[str, Any]], name_key: str
) -> dict[str, list[dict[str, Any]]]:
    added = [{"id": int(k), **after[k]} for k in after if k not in before]
    removed = [{"id": int(k), **before[k]} for k in before if k not in after]
    changed = []
    for key in before.keys() & after.keys():
        fields = {
            f: {"before": before[key].get(f), "after": after[key].get(f)}
            for f in sorted(before[key].keys() | after[key].keys())
            if before[key].get(f) != after[key].get(f)
        }
        if fields:
            changed.append({"id": int(key), "name": after[key].get(name_key), "fields": fields})
    return {
        "added": sorted(added, key=lambda r: r["id"]),
        "removed": sorted(removed, key=lambda r: r["id"]),
        "changed": sorted(changed, key=lambda r: r["id"]),
    }


def _team_key(team: dict[str, Any]) -> tuple[str, int]:
    return team["specialty"], team["team_id"]


def _diff_outcomes(
    before: list[dict[str, Any]], after: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """Per simulated incident (matched by its scenario id): teams in and out, response
    time changes, standards newly met or missed, unmet needs that appeared or went away."""
    old = {e["incident"]["id"]: e for e in before}
    new = {e["incident"]["id"]: e for e in after}
    out = []
    for incident_id in sorted(old.keys() | new.keys()):
        a, b = old.get(incident_id), new.get(incident_id)
        if a is None or b is None:
            present = b or a
            assert present is not None
            out.append(
                {
                    "incident_id": incident_id,
                    "incident": present["incident"],
                    "scenario": "added" if a is None else "removed",
                }
            )
            continue
        teams_a = {_team_key(t): t for t in a["teams"]}
        teams_b = {_team_key(t): t for t in b["teams"]}
        response = [
            {
                "specialty": k[0],
                "team_id": k[1],
                "team": teams_b[k]["name"],
                "before_s": teams_a[k]["response_s"],
                "after_s": teams_b[k]["response_s"],
                "met_before": teams_a[k]["met"],
                "met_after": teams_b[k]["met"],
            }
            for k in sorted(teams_a.keys() & teams_b.keys())
            if abs(teams_a[k]["response_s"] - teams_b[k]["response_s"]) > 1e-6
            or teams_a[k]["met"] != teams_b[k]["met"]
        ]
        unmet_a = {u["message"] for u in a["unmet"]}
        unmet_b = {u["message"] for u in b["unmet"]}
        diff = {
            "incident_id": incident_id,
            "incident": b["incident"],
            "scenario": "changed" if a["incident"] != b["incident"] else "same",
            "teams_out": [_brief(teams_a[k]) for k in sorted(teams_a.keys() - teams_b.keys())],
            "teams_in": [_brief(teams_b[k]) for k in sorted(teams_b.keys() - teams_a.keys())],
            "response_changed": response,
            "unmet_resolved": sorted(unmet_a - unmet_b),
            "unmet_new": sorted(unmet_b - unmet_a),
        }
        if (
            any(
                diff[k]
                for k in (
                    "teams_out",
                    "teams_in",
                    "response_changed",
                    "unmet_resolved",
                    "unmet_new",
                )
            )
            or diff["scenario"] != "same"
        ):
            out.append(diff)
    return out


def _brief(team: dict[str, Any]) -> dict[str, Any]:
    return {
        "team_id": team["team_id"],
        "name": team["name"],
        "specialty": team["specialty"],
        "response_s": team["response_s"],
        "met": team["met"],
    }


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
    }
