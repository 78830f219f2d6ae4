"""The incident board: every open live incident in the user's scope, and one cheap change
version so that open boards and incident pages notice other operators' changes.

The change version is the newest audit-log id.  Every write is audited and the audit log
is append-only, so the id grows with every change anywhere; reading it is one index
lookup (``SELECT max(id)``), shared by every gunicorn worker through the database.
Clients poll with ``If-None-Match`` and are answered 304 until it moves.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from responder.models import (
    Assignment,
    AuditEntry,
    Incident,
    MaterialDispatch,
    Proposal,
    utcnow,
)
from responder.services import jurisdictions, matrix
from responder.services.actors import Actor
from responder.services.dispatch.commitments import outstanding

#: Board columns of team states, in the order a team goes through them.
BOARD_STATES = ("dispatched", "on_scene", "returning")


def change_version(session: Session) -> int:
    """A number that grows with every audited write (0 on an empty log)."""
    return int(session.scalar(select(func.max(AuditEntry.id))) or 0)


def open_incidents(session: Session, actor: Actor) -> list[Incident]:
    """Open live incidents the actor's scope covers, newest first."""
    query = (
        select(Incident)
        .where(Incident.drill_id.is_(None), Incident.status == "open")
        .options(
            selectinload(Incident.assignments).selectinload(Assignment.team),
            selectinload(Incident.material_dispatches).selectinload(MaterialDispatch.line),
            selectinload(Incident.jurisdiction),
            selectinload(Incident.enterprise),
        )
        .order_by(Incident.reported_at.desc(), Incident.id.desc())
    )
    if actor.scope_path is not None:
        query = query.where(
            jurisdictions.subtree_filter(Incident.jurisdiction_id, actor.scope_path)
        )
    return list(session.scalars(query))


def board(session: Session, actor: Actor, *, now: datetime | None = None) -> list[dict[str, Any]]:
    """One row per open incident: what, how bad, where, how long, teams by state, and
    what is still unmet (needs at the current grade minus what is committed, and the
    shortfalls the latest proposal reported)."""
    now = now or utcnow()
    items = open_incidents(session, actor)
    latest = _latest_unmet(session, [i.id for i in items])
    rows = []
    for incident in items:
        team_needs, material_needs = matrix.needs(session, incident.type, incident.severity)
        still = outstanding(incident, team_needs, material_needs)
        teams: dict[str, list[dict[str, Any]]] = {s: [] for s in BOARD_STATES}
        for a in incident.assignments:
            if a.status in teams:
                teams[a.status].append(
                    {"assignment_id": a.id, "team_id": a.team_id, "name": a.team.name}
                )
        reported = incident.reported_at
        rows.append(
            {
                "id": incident.id,
                "type": incident.type,
                "severity": incident.severity,
                "derived_severity": incident.derived_severity,
                "place": place_of(incident),
                "enterprise_id": incident.enterprise_id,
                "lon": incident.lon,
                "lat": incident.lat,
                "reported_at": reported.isoformat(),
                "elapsed_s": max(0.0, (now - reported).total_seconds()),
                "teams": teams,
                "outstanding": still.summary(),
                "shortfalls": latest.get(incident.id, []),
            }
        )
    return rows


def place_of(incident: Incident) -> str:
    """Where it is, in words: the enterprise, else the jurisdiction, else coordinates."""
    if incident.enterprise is not None:
        return incident.enterprise.name
    if incident.jurisdiction is not None:
        return incident.jurisdiction.name
    return f"{incident.lon:.5f}, {incident.lat:.5f}"


def _latest_unmet(session: Session, incident_ids: list[int]) -> dict[int, list[dict[str, Any]]]:
    if not incident_ids:
        return {}
    newest = (
        select(func.max(Proposal.id))
        .where(Proposal.incident_id.in_(incident_ids))
        .group_by(Proposal.incident_id)
    )
    return {
        p.incident_id: p.body.get("unmet", [])
        for p in session.scalars(select(Proposal).where(Proposal.id.in_(newest)))
    }
