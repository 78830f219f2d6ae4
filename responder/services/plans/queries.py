"""Reading plans: the filtered list an actor may read, and the plans shown with a dispatch
proposal.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, or_, select
from sqlalchemy.orm import Session

from responder.models import Jurisdiction, Plan
from responder.services import jurisdictions
from responder.services.actors import Actor
from responder.services.plans.access import readable_filter


def list_statement(
    session: Session,
    actor: Actor,
    *,
    status: list[str] | None = None,
    plan_type: list[str] | None = None,
    enterprise_id: int | None = None,
    jurisdiction: Jurisdiction | None = None,
    q: str | None = None,
) -> Select[Any]:
    """Plans ``actor`` may read, filtered, newest first."""
    stmt = select(Plan).where(*readable_filter(session, actor))
    if status:
        stmt = stmt.where(Plan.status.in_(status))
    if plan_type:
        stmt = stmt.where(Plan.plan_type.in_(plan_type))
    if enterprise_id is not None:
        stmt = stmt.where(Plan.enterprise_id == enterprise_id)
    if jurisdiction is not None:
        stmt = stmt.where(jurisdictions.subtree_filter(Plan.jurisdiction_id, jurisdiction.path))
    if q:
        pattern = f"%{q.strip()}%"
        stmt = stmt.where(or_(Plan.title.ilike(pattern), Plan.filing_number.ilike(pattern)))
    return stmt.order_by(Plan.id.desc())


def for_incident(session: Session, incident: Any) -> list[dict[str, Any]]:
    """The filed plans to show with a dispatch proposal (政企预案衔接).

    The enterprise's own filed plans when the incident is at an enterprise, then the
    government plans for the incident's type from its jurisdiction up the tree (nearest
    first).  Plans that name no incident types count for every type.
    """
    found: list[dict[str, Any]] = []
    if incident.enterprise_id is not None:
        own = session.scalars(
            select(Plan)
            .where(Plan.enterprise_id == incident.enterprise_id, Plan.status == "filed")
            .order_by(Plan.id)
        )
        found += [
            _plan_summary(p, "enterprise")
            for p in own
            if not p.incident_types or incident.type in p.incident_types
        ]
    node = session.get(Jurisdiction, incident.jurisdiction_id) if incident.jurisdiction_id else None
    if node is not None:
        chain = [int(part) for part in node.path.strip("/").split("/") if part]
        depth = {jurisdiction_id: i for i, jurisdiction_id in enumerate(chain)}
        government = session.scalars(
            select(Plan).where(
                Plan.owner_kind == "government",
                Plan.status == "filed",
                Plan.jurisdiction_id.in_(chain),
            )
        )
        matching = [
            p for p in government if not p.incident_types or incident.type in p.incident_types
        ]
        matching.sort(key=lambda p: (-depth[p.jurisdiction_id], p.plan_type != "special", p.id))
        found += [_plan_summary(p, "government") for p in matching]
    return found


def _plan_summary(plan: Plan, role: str) -> dict[str, Any]:
    return {
        "id": plan.id,
        "role": role,
        "title": plan.title,
        "plan_type": plan.plan_type,
        "filing_number": plan.filing_number,
        "jurisdiction_id": plan.jurisdiction_id,
        "enterprise_id": plan.enterprise_id,
    }
