"""The life of a dispatch: teams moving on, incidents closing, availability."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from responder.errors import Conflict, InvalidInput, NotFound
from responder.models import (
    Assignment,
    Incident,
    RescueTeam,
    utcnow,
)
from responder.models.base import begin_write, rows_changed
from responder.models.quantity import as_quantity
from responder.services import audit, inventory
from responder.services.actors import Actor
from responder.services.dispatch.incidents import require_dispatch

#: Team states while it belongs to an incident, in the order they happen.
ACTIVE_STATES = ("dispatched", "on_scene", "returning")
#: The one next state of each active state (``available``: released).
NEXT_STATE = {"dispatched": "on_scene", "on_scene": "returning", "returning": "available"}


def get_assignment(session: Session, incident_id: int, assignment_id: int) -> Assignment:
    """Assignment ``assignment_id`` of incident ``incident_id`` (NotFound otherwise)."""
    assignment = session.get(Assignment, assignment_id)
    if assignment is None or assignment.incident_id != incident_id:
        raise NotFound(f"assignment {assignment_id} not found on incident {incident_id}")
    return assignment


def advance(session: Session, actor: Actor, assignment: Assignment, status: str) -> Assignment:
    """Move a team along dispatched → on_scene → returning → available (released)."""
    incident = assignment.incident
    require_dispatch(actor, incident)
    if assignment.status not in NEXT_STATE or NEXT_STATE[assignment.status] != status:
        expected = NEXT_STATE.get(assignment.status, "nothing (released)")
        raise Conflict(f"assignment is {assignment.status}; next is {expected}", field="status")
    assignment_id = assignment.id
    begin_write(session)
    assignment = session.get(Assignment, assignment_id)  # type: ignore[assignment]
    _move_team(session, assignment, status)
    audit.record(
        session,
        actor,
        status,
        "assignment",
        assignment.id,
        after={
            "team_id": assignment.team_id,
            "incident_id": assignment.incident_id,
            "status": status,
        },
    )
    return assignment


def move_team(
    session: Session,
    team_id: int,
    *,
    from_states: Sequence[str],
    to: str,
    now: datetime,
    only_active: bool = False,
) -> bool:
    """The one team-status transition: move the team to ``to`` only if its status is still
    one of ``from_states`` (and, with ``only_active``, it is not retired) — a conditional
    UPDATE, so of two operators racing for a team exactly one wins.  True if it moved.

    Bumps ``status_version`` so consoles polling :func:`availability` see the change.
    """
    conditions = [RescueTeam.id == team_id, RescueTeam.status.in_(from_states)]
    if only_active:
        conditions.append(RescueTeam.retired_at.is_(None))
    moved = rows_changed(
        session,
        update(RescueTeam)
        .where(*conditions)
        .values(status=to, status_changed_at=now, status_version=RescueTeam.status_version + 1)
        .execution_options(synchronize_session=False),
    )
    return moved == 1


def _move_team(session: Session, assignment: Assignment, status: str) -> None:
    now = utcnow()
    expected = assignment.status
    if not move_team(session, assignment.team_id, from_states=[expected], to=status, now=now):
        raise Conflict(f"team {assignment.team_id} is not {expected} any more", field="status")
    stamp = {"on_scene": "on_scene_at", "returning": "returning_at", "available": "released_at"}
    setattr(assignment, stamp[status], now)
    assignment.status = "released" if status == "available" else status
    session.expire(assignment.team)


@dataclass(frozen=True)
class Closure:
    """An incident just closed, with what happened to each dispatched stock line."""

    incident: Incident
    materials: list[dict[str, Any]]
    #: Material dispatches for which no consumption was entered: returned in full.
    assumed_returned: list[int]

    def message(self) -> str:
        if not self.assumed_returned:
            return "consumption entered for every dispatched stock line"
        ids = ", ".join(str(i) for i in self.assumed_returned)
        return (
            f"no consumption entered for material dispatch(es) {ids}: "
            "nothing is assumed used, all of it was returned to stock"
        )


def close_incident(
    session: Session, actor: Actor, incident: Incident, *, reason: str, consumed: dict[int, float]
) -> Closure:
    """Close an incident: release its teams, return unused stock, record what was used.

    ``consumed`` maps material-dispatch id → quantity used.  Nothing is assumed used: a
    line without a figure is returned to stock in full, and the result says which.
    """
    require_dispatch(actor, incident)
    if incident.status != "open":
        raise Conflict(f"incident {incident.id} is already closed", field="incident")
    if not reason.strip():
        raise InvalidInput("say why the incident is closed", field="reason")
    by_id = {d.id: d for d in incident.material_dispatches}
    for dispatch_id, used in consumed.items():
        item = by_id.get(dispatch_id)
        if item is None:
            raise InvalidInput(
                f"material dispatch {dispatch_id} is not part of this incident", field="consumed"
            )
        if not 0 <= used <= item.quantity:
            raise InvalidInput(
                f"consumed for {dispatch_id} must be between 0 and {item.quantity:g}",
                field=f"consumed.{dispatch_id}",
            )
    incident_id = incident.id
    begin_write(session)
    incident = session.get(Incident, incident_id)  # type: ignore[assignment]
    now = utcnow()
    released = []
    for assignment in incident.assignments:
        if assignment.status in ACTIVE_STATES:
            move_team(
                session, assignment.team_id, from_states=ACTIVE_STATES, to="available", now=now
            )
            assignment.status, assignment.released_at = "released", now
            released.append(assignment.team_id)
    returned = []
    assumed = []
    for item in incident.material_dispatches:
        if item.settled_at is not None:
            continue
        if item.id not in consumed:
            assumed.append(item.id)
        spent = as_quantity(consumed.get(item.id, 0))
        back = item.quantity - spent
        if back > 0:
            inventory.put_back(session, item.inventory_line_id, back)
        item.consumed, item.returned, item.settled_at = spent, back, now
        returned.append({"material_dispatch_id": item.id, "consumed": spent, "returned": back})
    incident.status, incident.closed_at, incident.closed_by = "closed", now, actor.user_id
    incident.close_reason = reason.strip()[:500]
    session.flush()
    audit.record(
        session,
        actor,
        "close",
        "incident",
        incident.id,
        after={
            "reason": incident.close_reason,
            "released_teams": released,
            "materials": returned,
            "assumed_returned": assumed,
        },
    )
    return Closure(incident=incident, materials=returned, assumed_returned=assumed)


def availability(session: Session) -> dict[str, Any]:
    """A cheap fingerprint of team availability, for consoles that poll for changes."""
    rows = session.execute(
        select(RescueTeam.id, RescueTeam.status, RescueTeam.status_version)
        .where(RescueTeam.retired_at.is_(None))
        .order_by(RescueTeam.id)
    ).all()
    version = sum(v for _, _, v in rows) * 1_000_003 + len(rows)
    return {"version": str(version), "teams": [{"id": i, "status": s} for i, s, _ in rows]}
