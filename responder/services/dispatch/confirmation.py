"""Confirming a dispatch: take the chosen teams and stock atomically, all or nothing."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy.orm import Session

from responder.errors import Conflict, InvalidInput, NotFound
from responder.models import (
    Assignment,
    Incident,
    InventoryLine,
    MaterialDispatch,
    Proposal,
    RescueTeam,
    utcnow,
)
from responder.models.base import begin_write
from responder.services import audit, inventory
from responder.services.actors import Actor
from responder.services.dispatch.assignments import move_team
from responder.services.dispatch.incidents import require_dispatch
from responder.services.dispatch.resources import is_expired


@dataclass(frozen=True)
class TeamPick:
    team_id: int
    specialty: str = ""


@dataclass(frozen=True)
class MaterialPick:
    inventory_line_id: int
    quantity: float


def confirm(
    session: Session,
    actor: Actor,
    incident: Incident,
    *,
    proposal_id: int | None,
    teams: Sequence[TeamPick],
    materials: Sequence[MaterialPick],
    deviation_reason: str = "",
    today: date,
) -> tuple[list[Assignment], list[MaterialDispatch]]:
    """Take the chosen teams and stock for the incident, all or nothing.

    Each team moves from available to dispatched only if it is still available, and stock
    is decremented only if enough remains (conditional UPDATEs in one write transaction),
    so two operators can never get the same team or the same stock.  Otherwise a 409
    lists what changed and nothing is applied.
    """
    require_dispatch(actor, incident)
    _check_selection(teams, materials)
    proposal = _proposal_for(session, incident, proposal_id)
    chosen = {
        "teams": sorted(t.team_id for t in teams),
        "materials": sorted([m.inventory_line_id, m.quantity] for m in materials),
    }
    deviates = proposal is None or chosen != proposal.body["recommended"]
    if deviates and not deviation_reason.strip():
        raise InvalidInput(
            "the selection differs from the proposal: give a short reason", field="deviation_reason"
        )
    incident_id = incident.id
    begin_write(session)
    incident = _reread(session, incident_id)
    if incident.status != "open":
        raise Conflict(f"incident {incident.id} is closed", field="incident")
    now = utcnow()
    conflicts = _take_teams(session, teams, now) + _take_stock(session, materials, today)
    if conflicts:
        session.rollback()
        raise Conflict(
            "; ".join(c["message"] for c in conflicts),
            field=conflicts[0]["field"],
            details=conflicts,
            code="taken",
        )
    arrivals = _proposed_arrivals(proposal)
    assignments = [
        Assignment(
            incident_id=incident.id,
            team_id=pick.team_id,
            specialty=pick.specialty,
            proposal_id=proposal.id if proposal else None,
            expected_arrival_s=arrivals.get(pick.team_id),
            deviation_reason=deviation_reason.strip() if deviates else "",
            dispatched_by=actor.user_id,
            dispatched_at=now,
        )
        for pick in teams
    ]
    dispatches = [
        MaterialDispatch(
            incident_id=incident.id,
            inventory_line_id=pick.inventory_line_id,
            quantity=pick.quantity,
            dispatched_by=actor.user_id,
            dispatched_at=now,
        )
        for pick in materials
    ]
    session.add_all([*assignments, *dispatches])
    session.flush()
    entry = audit.record(
        session,
        actor,
        "dispatch",
        "incident",
        incident.id,
        after={
            "teams": chosen["teams"],
            "materials": chosen["materials"],
            "proposal_id": proposal.id if proposal else None,
            "deviation_reason": deviation_reason.strip() if deviates else "",
        },
    )
    entry.at = now  # the confirmation and its assignments share one moment on the timeline
    return assignments, dispatches


def _reread(session: Session, incident_id: int) -> Incident:
    """The incident as seen inside the write transaction just begun."""
    incident = session.get(Incident, incident_id)
    if incident is None:
        raise NotFound(f"incident {incident_id} not found")
    return incident


def _check_selection(teams: Sequence[TeamPick], materials: Sequence[MaterialPick]) -> None:
    if not teams and not materials:
        raise InvalidInput("choose at least one team or material line", field="teams")
    seen: set[int] = set()
    for i, pick in enumerate(teams):
        if pick.team_id in seen:
            raise InvalidInput(f"team {pick.team_id} is listed twice", field=f"teams.{i}.team_id")
        seen.add(pick.team_id)
    lines: set[int] = set()
    for i, m in enumerate(materials):
        if not m.quantity > 0 or not math.isfinite(m.quantity):
            raise InvalidInput("quantity must be positive", field=f"materials.{i}.quantity")
        if m.inventory_line_id in lines:
            raise InvalidInput(
                f"inventory line {m.inventory_line_id} is listed twice",
                field=f"materials.{i}.inventory_line_id",
            )
        lines.add(m.inventory_line_id)


def _proposal_for(session: Session, incident: Incident, proposal_id: int | None) -> Proposal | None:
    if proposal_id is None:
        return None
    proposal = session.get(Proposal, proposal_id)
    if proposal is None or proposal.incident_id != incident.id:
        raise InvalidInput(
            f"proposal {proposal_id} is not a proposal for this incident", field="proposal_id"
        )
    return proposal


def _proposed_arrivals(proposal: Proposal | None) -> dict[int, float]:
    if proposal is None:
        return {}
    return {o["team_id"]: o["arrival_s"] for opts in proposal.body["teams"].values() for o in opts}


def _take_teams(session: Session, teams: Sequence[TeamPick], now: datetime) -> list[dict[str, Any]]:
    conflicts = []
    for i, pick in enumerate(teams):
        taken = move_team(
            session,
            pick.team_id,
            from_states=["available"],
            to="dispatched",
            now=now,
            only_active=True,
        )
        if not taken:
            team = session.get(RescueTeam, pick.team_id)
            now_status = "does not exist" if team is None else f"is now {team.status}"
            conflicts.append(
                {
                    "field": f"teams.{i}.team_id",
                    "team_id": pick.team_id,
                    "message": f"team {pick.team_id} is no longer available ({now_status})",
                }
            )
    return conflicts


def _take_stock(
    session: Session, materials: Sequence[MaterialPick], today: date
) -> list[dict[str, Any]]:
    conflicts = []
    for i, pick in enumerate(materials):
        line = session.get(InventoryLine, pick.inventory_line_id)
        expired = line is not None and is_expired(line.expiry_date, today)
        if line is not None and not expired and inventory.take(session, line.id, pick.quantity):
            continue
        if line is None:
            why = "does not exist"
        elif expired:
            why = f"expired on {line.expiry_date}"
        else:
            session.refresh(line)
            why = f"holds only {line.quantity:g}"
        conflicts.append(
            {
                "field": f"materials.{i}.quantity",
                "inventory_line_id": pick.inventory_line_id,
                "message": f"inventory line {pick.inventory_line_id} cannot give "
                f"{pick.quantity:g} (it {why})",
            }
        )
    return conflicts
