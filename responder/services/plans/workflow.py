"""Moving a plan through its life: submit, return, withdraw, revise, and the filing state
lists show.

Filing itself (the number, supersession) lives in :mod:`responder.services.filing`.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from responder.errors import Conflict, InvalidInput
from responder.models import Plan, utcnow
from responder.rules import Rules
from responder.services import audit
from responder.services.actors import Actor
from responder.services.plans.access import require_on
from responder.services.plans.drafting import DRAFT_FIELDS, EDITABLE_STATUSES, _apply, snapshot
from responder.services.plans.materials import missing_materials
from responder.services.workdays import deemed_filed_on, is_late


def submit(session: Session, actor: Actor, plan: Plan, *, rules: Rules, today: date) -> Plan:
    """Send a draft (or a returned plan, corrected) to the filing authority.

    An incomplete submission (materials missing, 办法 Art 27) is accepted so the authority
    can return it with reasons, but it cannot be filed and its check window does not run;
    a complete one is deemed filed if the authority does not answer in time (Art 28).
    Lateness is judged here, on the submission day (Art 26).
    """
    require_on(session, actor, "plans.submit", plan)
    if plan.status not in EDITABLE_STATUSES:
        raise Conflict(f"a {plan.status} plan cannot be submitted", field="status")
    if plan.published_on is None:
        raise InvalidInput(
            "publish the plan before submitting it (published_on)", field="published_on"
        )
    complete = not missing_materials(session, plan, rules)
    return _move(
        session,
        actor,
        plan,
        "submit",
        status="submitted",
        submitted_at=utcnow(),
        submitted_on=today,
        filed_late=is_late(plan.published_on, today, rules),
        deemed_filed_on=deemed_filed_on(today, rules) if complete else None,
    )


def return_plan(session: Session, actor: Actor, plan: Plan, *, reason: str, today: date) -> Plan:
    """A filing clerk sends a submitted plan back to its owner, saying why.  Too late once
    the check window has passed: the plan is then deemed filed (视为已经备案)."""
    require_on(session, actor, "plans.file", plan)
    if not reason.strip():
        raise InvalidInput("say why the plan is returned", field="reason")
    if plan.status != "submitted":
        raise Conflict(
            f"only submitted plans can be returned (this one is {plan.status})", field="status"
        )
    if is_deemed_filed(plan, today):
        raise Conflict(
            f"the check window has passed: the plan is deemed filed since "
            f"{plan.deemed_filed_on}; file it to issue its number",
            field="status",
        )
    return _move(
        session,
        actor,
        plan,
        "return",
        status="returned",
        returned_at=utcnow(),
        status_note=reason.strip(),
        deemed_filed_on=None,
    )


def is_deemed_filed(plan: Plan, today: date) -> bool:
    """Submitted, complete, and unanswered past the authority's check window."""
    return (
        plan.status == "submitted"
        and plan.deemed_filed_on is not None
        and plan.deemed_filed_on <= today
    )


def filing_state(plan: Plan, today: date) -> str:
    """The status as lists show it: ``deemed_filed`` for a deemed-filed submission (it
    counts as filed), ``awaiting_check`` / ``incomplete`` for other submissions, else the
    stored status."""
    if plan.status != "submitted":
        return plan.status
    if plan.deemed_filed_on is None:
        return "incomplete"
    return "deemed_filed" if plan.deemed_filed_on <= today else "awaiting_check"


def withdraw(session: Session, actor: Actor, plan: Plan, *, reason: str, today: date) -> Plan:
    """The owner (or a clerk) takes a plan out of force; a filed plan stops counting from
    ``today`` on."""
    require_on(session, actor, "plans.submit", plan)
    if plan.status in {"superseded", "withdrawn"}:
        raise Conflict(f"a {plan.status} plan cannot be withdrawn", field="status")
    return _move(
        session,
        actor,
        plan,
        "withdraw",
        status="withdrawn",
        withdrawn_on=today,
        status_note=reason.strip(),
    )


def revise(
    session: Session, actor: Actor, plan: Plan, data: dict[str, Any], *, today: date
) -> Plan:
    """Start a new version of a filed plan as a draft that copies it; the old version stays
    valid until the new one is filed (see :func:`responder.services.filing.file_plan`)."""
    require_on(session, actor, "plans.submit", plan)
    if plan.status != "filed":
        raise Conflict(
            "only a filed plan can be revised; edit drafts and returned plans", field="status"
        )
    pending = session.scalar(
        select(Plan.id).where(
            Plan.supersedes_id == plan.id, Plan.status.in_(("draft", "submitted", "returned"))
        )
    )
    if pending is not None:
        raise Conflict(
            f"plan {pending} is already the pending revision of this plan", field="supersedes_id"
        )
    if not data.get("version") or data["version"] == plan.version:
        raise InvalidInput("a revision needs a new version label", field="version")
    copied: dict[str, Any] = {
        "title": plan.title,
        "plan_type": plan.plan_type,
        "incident_types": plan.incident_types,
        "summary": plan.summary,
        "owner_body": plan.owner_body,
        "last_evaluated_on": plan.last_evaluated_on,
        "last_drill_on": plan.last_drill_on,
        "hazard_source_ids": plan.hazard_source_ids,
        "parent_plan_ids": plan.parent_plan_ids,
        "team_needs": [{"specialty": n.specialty, "count": n.count} for n in plan.team_needs],
        "material_needs": [
            {"material_id": n.material_id, "quantity": n.quantity} for n in plan.material_needs
        ],
        "published_on": None,
    }
    copied.update({k: v for k, v in data.items() if k in DRAFT_FIELDS})
    new = Plan(
        owner_kind=plan.owner_kind,
        enterprise_id=plan.enterprise_id,
        jurisdiction_id=plan.jurisdiction_id,
        status="draft",
        supersedes_id=plan.id,
    )
    new.jurisdiction = plan.jurisdiction
    _apply(session, new, copied, today=today)
    session.add(new)
    session.flush()
    audit.record(
        session,
        actor,
        "revise",
        "plan",
        new.id,
        after=snapshot(new),
        note=f"new version of plan {plan.id}",
    )
    return new


def _move(session: Session, actor: Actor, plan: Plan, action: str, **changes: Any) -> Plan:
    before = snapshot(plan)
    for key, value in changes.items():
        setattr(plan, key, value)
    session.flush()
    audit.record(
        session,
        actor,
        action,
        "plan",
        plan.id,
        before=before,
        after=snapshot(plan),
        note=changes.get("status_note", ""),
    )
    return plan
