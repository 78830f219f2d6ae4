"""Cross-jurisdiction dispatch (跨区域调派): taking another jurisdiction's teams.

The decision: a scoped operator dispatches for incidents inside their own jurisdiction
(checked by dispatch), and the nearest capable team may well belong to the neighbouring
county — refusing it would cost arrival time.  So an operator *may* take teams from outside
their jurisdiction, but never silently: the confirmation must say why
(``cross_jurisdiction_reason``) and the reason, the teams and their home jurisdictions are
recorded in the audit log, in the same transaction as the dispatch.  Unscoped operators
(the city or province level) dispatch anywhere without a reason.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from responder.errors import InvalidInput
from responder.models import Jurisdiction, RescueTeam
from responder.services import audit
from responder.services.actors import Actor


def foreign_teams(session: Session, actor: Actor, team_ids: Iterable[int]) -> dict[int, str]:
    """The teams among ``team_ids`` outside ``actor``'s jurisdiction: id -> home code."""
    ids = sorted(set(team_ids))
    if actor.scope_path is None or not ids:
        return {}
    rows = session.execute(
        select(RescueTeam.id, Jurisdiction.path, Jurisdiction.code)
        .join(Jurisdiction, Jurisdiction.id == RescueTeam.jurisdiction_id)
        .where(RescueTeam.id.in_(ids))
    ).all()
    return {team_id: code for team_id, path, code in rows if not actor.covers(path)}


def check(session: Session, actor: Actor, team_ids: Iterable[int], reason: str) -> dict[int, str]:
    """Refuse (422, ``cross_jurisdiction_reason``) a selection that takes teams from
    outside the actor's jurisdiction without a reason; return those teams."""
    foreign = foreign_teams(session, actor, team_ids)
    if foreign and not reason.strip():
        listed = ", ".join(f"team {i} ({code})" for i, code in sorted(foreign.items()))
        raise InvalidInput(
            f"{listed} outside your jurisdiction: say why in cross_jurisdiction_reason",
            field="cross_jurisdiction_reason",
            details={"teams": sorted(foreign)},
        )
    return foreign


def record(
    session: Session, actor: Actor, incident_id: int, foreign: dict[int, str], reason: str
) -> None:
    """Audit a cross-jurisdiction dispatch (call in the dispatch's own transaction)."""
    if not foreign:
        return
    after = {
        "teams": sorted(foreign),
        "home_jurisdictions": sorted(set(foreign.values())),
        "reason": reason.strip(),
    }
    audit.record(session, actor, "cross_jurisdiction", "incident", incident_id, after=after)
