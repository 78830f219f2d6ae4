"""An incident's timeline: every moment of its life, oldest first, and operators' notes."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from responder.errors import InvalidInput
from responder.models import AuditEntry, Incident, IncidentNote, Proposal
from responder.services import audit
from responder.services.actors import Actor

#: Audit actions on an incident that appear on its timeline.
_AUDITED = ("dispatch", "severity", "close")


@dataclass(frozen=True)
class Event:
    """One moment: when, what kind (a code the page puts into words), and details."""

    at: datetime
    kind: str
    who: str = ""
    details: dict[str, Any] = field(default_factory=dict)


def events(session: Session, incident: Incident) -> list[Event]:
    """Reported, proposals, confirmations, each team's dispatched → on scene → returning →
    released, grade changes, notes and the closure, in time order."""
    found = [Event(incident.reported_at, "reported")]
    for p in session.scalars(select(Proposal).where(Proposal.incident_id == incident.id)):
        kind = "reinforcement_proposed" if p.body.get("reinforcement") else "proposed"
        found.append(Event(p.created_at, kind, details={"proposal_id": p.id}))
    entries = session.scalars(
        select(AuditEntry).where(
            AuditEntry.entity == "incident",
            AuditEntry.entity_id == incident.id,
            AuditEntry.action.in_(_AUDITED),
        )
    )
    for e in entries:
        kind = {"dispatch": "confirmed", "severity": "record_updated", "close": "closed"}[e.action]
        at = incident.closed_at if kind == "closed" and incident.closed_at else e.at
        found.append(Event(at, kind, e.username, dict(e.after or {})))
    for a in incident.assignments:
        name = {"team": a.team.name, "assignment_id": a.id}
        for kind, moment in (
            ("team_dispatched", a.dispatched_at),
            ("team_on_scene", a.on_scene_at),
            ("team_returning", a.returning_at),
            ("team_released", a.released_at),
        ):
            if moment is not None:
                found.append(Event(moment, kind, details=name))
    for note in incident.notes:
        found.append(Event(note.created_at, "note", details={"text": note.body}))
    order = {"reported": 0, "proposed": 1, "confirmed": 2, "team_dispatched": 3, "closed": 10}
    return sorted(found, key=lambda e: (e.at, order.get(e.kind, 9)))


def add_note(session: Session, actor: Actor, incident: Incident, text: str) -> IncidentNote:
    """Append an operator's note to the incident (audited; notes are never edited)."""
    actor.require(
        "dispatch.write",
        path=incident.jurisdiction.path if incident.jurisdiction else None,
        what="the incident",
    )
    body = text.strip()
    if not body:
        raise InvalidInput("write the note", field="text")
    if len(body) > 2000:
        raise InvalidInput("a note is at most 2000 characters", field="text")
    note = IncidentNote(incident_id=incident.id, body=body, created_by=actor.user_id)
    session.add(note)
    session.flush()
    audit.record(session, actor, "note", "incident", incident.id, after={"text": body})
    return note
