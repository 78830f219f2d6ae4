"""Drill scenarios: a start time, simulated incidents at minute offsets and timed injects
(road closed, team unavailable, second incident, severity raised), kept by their owner."""

from __future__ import annotations

import itertools
import math
from datetime import UTC, datetime
from typing import Any

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from responder.errors import Forbidden, InvalidInput, NotFound, Unprocessable
from responder.models import (
    Drill,
    DrillIncident,
    DrillInject,
    DrillRun,
    Enterprise,
    RescueTeam,
)
from responder.routing import RoadNetwork
from responder.services import audit, dispatch, jurisdictions
from responder.services.actors import Actor
from responder.vocabulary import SEVERITIES

MAX_INCIDENTS = 200
MAX_INJECTS = 100
#: The inject kinds, in the words of the scenario script.
INJECT_KINDS = ("road_closure", "team_unavailable", "second_incident", "severity_raised")
#: A road closure picked on the map closes the roads this close to the point (or line).
DEFAULT_CLOSURE_RADIUS_M = 30.0
MAX_CLOSURE_RADIUS_M = 2000.0
MAX_LINE_POINTS = 50
_M_PER_DEGREE = 111_320.0


MAX_OFFSET_MIN = 7 * 24 * 60  # a drill spans at most a week


SCENARIO_FIELDS = ("name", "description", "start_at", "jurisdiction_id")


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
    actor.require("drills.read", path=drill_path(drill), what="the drill")


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
    require_owner(actor, drill)
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
        # A raise of an incident that is replaced has nothing left to raise.
        for inject in [i for i in drill.injects if i.incident_id is not None]:
            drill.injects.remove(inject)
        session.flush()
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
    require_owner(actor, drill)
    incident = _new_incident(session, actor, data, network, snap_max_m, "")
    drill.incidents.append(incident)
    _check_count(drill)
    session.flush()
    audit.record(session, actor, "add_incident", "drill", drill.id, after=incident_dict(incident))
    return incident


def remove_incident(session: Session, actor: Actor, drill: Drill, incident_id: int) -> None:
    """Take a simulated incident out of the scenario (past runs keep their copy)."""
    require_owner(actor, drill)
    incident = next((i for i in drill.incidents if i.id == incident_id), None)
    if incident is None:
        raise NotFound(f"incident {incident_id} is not part of drill {drill.id}")
    before = incident_dict(incident)
    raises = [i for i in drill.injects if i.incident_id == incident_id]
    if raises:
        before["injects"] = [inject_dict(i) for i in raises]
    for inject in raises:
        drill.injects.remove(inject)
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

    offset = data.get("offset_min", 0.0)
    if not isinstance(offset, int | float) or not 0 <= offset <= MAX_OFFSET_MIN:
        raise InvalidInput(
            f"offset_min must be between 0 and {MAX_OFFSET_MIN} minutes", field=name("offset_min")
        )
    data = _placed(session, data, name("enterprise_id"))
    dispatch.check_incident(
        session,
        actor,
        network,
        data,
        permission="drills.write",
        snap_max_m=snap_max_m,
        prefix=prefix,
    )
    lon, lat = data["lon"], data["lat"]
    return DrillIncident(
        type=data["type"],
        severity=data["severity"],
        offset_min=float(offset),
        lon=float(lon),
        lat=float(lat),
        note=(data.get("note") or "")[:500],
        enterprise_id=data.get("enterprise_id"),
    )


def _placed(session: Session, data: dict[str, Any], field: str) -> dict[str, Any]:
    """``data`` with the point of its enterprise, when it is placed on one (an incident at
    an enterprise stands where the enterprise stands)."""
    enterprise_id = data.get("enterprise_id")
    if enterprise_id is None:
        return data
    enterprise = session.get(Enterprise, enterprise_id) if isinstance(enterprise_id, int) else None
    if enterprise is None or enterprise.retired_at is not None:
        raise InvalidInput(f"enterprise {enterprise_id} does not exist", field=field)
    return {**data, "lon": enterprise.lon, "lat": enterprise.lat}


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


def drill_path(drill: Drill) -> str | None:
    return drill.jurisdiction.path if drill.jurisdiction else None


def require_owner(actor: Actor, drill: Drill) -> None:
    actor.require("drills.write", path=drill_path(drill), what="the drill")
    if actor.role != "admin" and drill.owner_id != actor.user_id:
        raise Forbidden("only the drill's owner (or an admin) may edit it", field="drill")


def incident_dict(incident: DrillIncident) -> dict[str, Any]:
    return {
        "id": incident.id,
        "type": incident.type,
        "severity": incident.severity,
        "lon": incident.lon,
        "lat": incident.lat,
        "offset_min": incident.offset_min,
        "note": incident.note,
        "enterprise_id": incident.enterprise_id,
    }


def _scenario(drill: Drill) -> dict[str, Any]:
    return {
        "name": drill.name,
        "description": drill.description,
        "start_at": drill.start_at.isoformat(),
        "jurisdiction_id": drill.jurisdiction_id,
        "incidents": [incident_dict(i) for i in drill.incidents],
        "injects": [inject_dict(i) for i in drill.injects],
    }


# ---------------------------------------------------------------- injects
def add_inject(
    session: Session,
    actor: Actor,
    drill: Drill,
    data: dict[str, Any],
    *,
    network: RoadNetwork | None,
    snap_max_m: float,
) -> DrillInject:
    """Add one timed inject to the scenario script (the editor's form and the API).

    ``data``: ``kind`` (one of :data:`INJECT_KINDS`), ``at_min`` (minutes after the
    start) and what the kind needs: a point (``lon``, ``lat``, optional ``radius_m``) or
    a ``line`` for a road closure; ``team_id`` for a team going unavailable; ``type``,
    ``severity`` and a point or ``enterprise_id`` for a second incident; ``incident_id``
    and the higher ``severity`` for a raised severity.  Bad input names its field.
    """
    require_owner(actor, drill)
    inject = _new_inject(session, actor, drill, data, network, snap_max_m)
    if len(drill.injects) >= MAX_INJECTS:
        raise InvalidInput(f"a drill holds at most {MAX_INJECTS} injects", field="injects")
    drill.injects.append(inject)
    session.flush()
    audit.record(session, actor, "add_inject", "drill", drill.id, after=inject_dict(inject))
    return inject


def remove_inject(session: Session, actor: Actor, drill: Drill, inject_id: int) -> None:
    """Take an inject out of the scenario script (past runs keep their copy)."""
    require_owner(actor, drill)
    inject = next((i for i in drill.injects if i.id == inject_id), None)
    if inject is None:
        raise NotFound(f"inject {inject_id} is not part of drill {drill.id}")
    before = inject_dict(inject)
    drill.injects.remove(inject)
    session.flush()
    audit.record(session, actor, "remove_inject", "drill", drill.id, before=before)


def _new_inject(
    session: Session,
    actor: Actor,
    drill: Drill,
    data: dict[str, Any],
    network: RoadNetwork | None,
    snap_max_m: float,
) -> DrillInject:
    kind = data.get("kind")
    if kind not in INJECT_KINDS:
        raise InvalidInput(
            f"unknown inject kind '{kind}': one of {', '.join(INJECT_KINDS)}", field="kind"
        )
    at = data.get("at_min")
    if (
        not isinstance(at, int | float)
        or isinstance(at, bool)
        or not math.isfinite(at)
        or not 0 <= at <= MAX_OFFSET_MIN
    ):
        raise InvalidInput(
            f"at_min must be a number of minutes between 0 and {MAX_OFFSET_MIN}", field="at_min"
        )
    inject = DrillInject(kind=kind, at_min=float(at), note=(data.get("note") or "")[:500])
    if kind == "road_closure":
        _closure_place(inject, data, network)
    elif kind == "team_unavailable":
        team_id = data.get("team_id")
        team = session.get(RescueTeam, team_id) if isinstance(team_id, int) else None
        if team is None or team.retired_at is not None:
            raise InvalidInput(f"team {team_id} does not exist", field="team_id")
        inject.team_id = team.id
    elif kind == "second_incident":
        place = _placed(session, data, "enterprise_id")
        dispatch.check_incident(
            session,
            actor,
            network,
            {**place, "severity": place.get("severity") or None},
            permission="drills.write",
            snap_max_m=snap_max_m,
        )
        if place.get("severity") not in SEVERITIES:
            raise InvalidInput(f"unknown severity '{place.get('severity')}'", field="severity")
        inject.incident_type = place["type"]
        inject.severity = place["severity"]
        inject.lon, inject.lat = float(place["lon"]), float(place["lat"])
        inject.enterprise_id = place.get("enterprise_id")
    else:  # severity_raised
        _raise_target(inject, drill, data)
    return inject


def _raise_target(inject: DrillInject, drill: Drill, data: dict[str, Any]) -> None:
    incident_id = data.get("incident_id")
    incident = next((i for i in drill.incidents if i.id == incident_id), None)
    if incident is None:
        raise InvalidInput(
            f"incident {incident_id} is not one of this drill's incidents", field="incident_id"
        )
    severity = data.get("severity")
    order = list(SEVERITIES)
    if severity not in SEVERITIES:
        raise InvalidInput(f"unknown severity '{severity}'", field="severity")
    if order.index(severity) <= order.index(incident.severity):
        raise InvalidInput(
            f"the incident is already {incident.severity}: raise it to a higher grade",
            field="severity",
        )
    if inject.at_min < incident.offset_min:
        raise InvalidInput(
            f"the incident starts at +{incident.offset_min:g} min: raise it at or after that",
            field="at_min",
        )
    inject.incident_id = incident.id
    inject.severity = severity


def _closure_place(inject: DrillInject, data: dict[str, Any], network: RoadNetwork | None) -> None:
    """A closure's place: a point and radius, or a line; it must close some road."""
    radius = data.get("radius_m")
    radius = DEFAULT_CLOSURE_RADIUS_M if radius is None else radius
    if not isinstance(radius, int | float) or not 0 < radius <= MAX_CLOSURE_RADIUS_M:
        raise InvalidInput(
            f"radius_m must be in (0, {MAX_CLOSURE_RADIUS_M:g}] metres", field="radius_m"
        )
    inject.radius_m = float(radius)
    line = data.get("line")
    if line:
        if (
            not isinstance(line, list)
            or not 2 <= len(line) <= MAX_LINE_POINTS
            or not all(_is_point(p) for p in line)
        ):
            raise InvalidInput(
                f"line must be 2 to {MAX_LINE_POINTS} [lon, lat] points", field="line"
            )
        inject.line = [[float(p[0]), float(p[1])] for p in line]
        field = "line"
    else:
        lon, lat = data.get("lon"), data.get("lat")
        if not _is_point([lon, lat]):
            raise InvalidInput("pick the closed road on the map (lon, lat)", field="lon")
        inject.lon, inject.lat = float(lon), float(lat)  # type: ignore[arg-type]
        field = "lon"
    if network is not None and not closure_edges(network, inject):
        raise Unprocessable(f"no road within {inject.radius_m:g} m there to close", field=field)


def _is_point(point: Any) -> bool:
    return (
        isinstance(point, list | tuple)
        and len(point) == 2
        and all(isinstance(v, int | float) and not isinstance(v, bool) for v in point)
        and -180 <= point[0] <= 180
        and -90 <= point[1] <= 90
    )


def closure_edges(network: RoadNetwork, inject: DrillInject) -> list[int]:
    """The road edges (both directions) a closure inject closes on ``network``: those within
    its radius of its point, or of its line (sampled every half radius along it)."""
    radius = float(inject.radius_m or DEFAULT_CLOSURE_RADIUS_M)
    if inject.line:
        points = _along(inject.line, radius / 2)
    else:
        points = [(float(inject.lon or 0.0), float(inject.lat or 0.0))]
    found: set[int] = set()
    for lon, lat in points:
        found.update(int(e) for e in network.edges_near(lon, lat, radius_m=radius))
    return sorted(found)


def _along(line: list[list[float]], step_m: float) -> list[tuple[float, float]]:
    """Points along a polyline at most ``step_m`` apart (its vertices included)."""
    points: list[tuple[float, float]] = [(line[0][0], line[0][1])]
    for (lon1, lat1), (lon2, lat2) in itertools.pairwise(line):
        scale = math.cos(math.radians((lat1 + lat2) / 2))
        metres = math.hypot((lon2 - lon1) * scale, lat2 - lat1) * _M_PER_DEGREE
        steps = max(1, math.ceil(metres / max(step_m, 1.0)))
        for t in np.linspace(0.0, 1.0, steps + 1)[1:]:
            points.append((lon1 + (lon2 - lon1) * t, lat1 + (lat2 - lat1) * t))
    return points


def inject_dict(inject: DrillInject) -> dict[str, Any]:
    """An inject as plain values (the API, the audit log and the runs keep this)."""
    return {
        "id": inject.id,
        "kind": inject.kind,
        "at_min": inject.at_min,
        "team_id": inject.team_id,
        "incident_id": inject.incident_id,
        "type": inject.incident_type,
        "severity": inject.severity,
        "enterprise_id": inject.enterprise_id,
        "lon": inject.lon,
        "lat": inject.lat,
        "radius_m": inject.radius_m,
        "line": inject.line,
        "note": inject.note,
    }
