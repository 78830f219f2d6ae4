"""Drill scenarios: a start time and simulated incidents at minute offsets, kept by their owner."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from responder.errors import Forbidden, InvalidInput, NotFound
from responder.models import (
    Drill,
    DrillIncident,
    DrillRun,
)
from responder.routing import RoadNetwork
from responder.services import audit, dispatch, jurisdictions
from responder.services.actors import Actor

MAX_INCIDENTS = 200


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
    audit.record(session, actor, "add_incident", "drill", drill.id, after=incident_dict(incident))
    return incident


def remove_incident(session: Session, actor: Actor, drill: Drill, incident_id: int) -> None:
    """Take a simulated incident out of the scenario (past runs keep their copy)."""
    _require_owner(actor, drill)
    incident = next((i for i in drill.incidents if i.id == incident_id), None)
    if incident is None:
        raise NotFound(f"incident {incident_id} is not part of drill {drill.id}")
    before = incident_dict(incident)
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


def drill_path(drill: Drill) -> str | None:
    return drill.jurisdiction.path if drill.jurisdiction else None


def _require_owner(actor: Actor, drill: Drill) -> None:
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
    }


def _scenario(drill: Drill) -> dict[str, Any]:
    return {
        "name": drill.name,
        "description": drill.description,
        "start_at": drill.start_at.isoformat(),
        "jurisdiction_id": drill.jurisdiction_id,
        "incidents": [incident_dict(i) for i in drill.incidents],
    }
