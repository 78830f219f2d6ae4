"""Read-side queries of the clerk's desk: the plan list with its filters and sorting, the
review queue, a plan's history, and an enterprise's plans.

Filters speak the pages' words: ``state`` is the filing state as people see it (a
submission past its check window is ``deemed_filed``, and counts as filed), ``due`` picks
plans behind on evaluation or drills or submitted late.  Every query is scoped to what the
actor may read (:func:`responder.services.plans.readable_filter`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.orm import Session, aliased

from responder.errors import InvalidInput
from responder.models import AuditEntry, Enterprise, Jurisdiction, Plan
from responder.rules import Rules
from responder.services import jurisdictions
from responder.services import plans as plan_service
from responder.services.actors import Actor
from responder.services.filing_rates import evaluates_clause, required_clause
from responder.services.workdays import (
    check_deadline,
    last_start_overdue,
    working_days_between,
)

#: Filing states a list can filter on (``PLAN_STATUSES`` plus the derived ones).
STATES = (
    "draft",
    "incomplete",
    "awaiting_check",
    "deemed_filed",
    "filed",
    "returned",
    "superseded",
    "withdrawn",
)
DUE_STATES = ("evaluation_overdue", "drill_overdue", "filed_late")
SORTS = {
    "id": Plan.id,
    "title": Plan.title,
    "published_on": Plan.published_on,
    "submitted_on": Plan.submitted_on,
    "filed_on": Plan.filed_on,
    "status": Plan.status,
}


@dataclass(frozen=True)
class PlanFilters:
    """What a plan list is narrowed to (all optional)."""

    states: tuple[str, ...] = ()
    plan_types: tuple[str, ...] = ()
    owner_kind: str | None = None
    jurisdiction: Jurisdiction | None = None
    industry: str | None = None
    due: str | None = None
    enterprise_id: int | None = None
    q: str | None = None


def state_clause(state: str, today: date) -> Any:
    """SQL for one filing state on ``today``."""
    if state not in STATES:
        raise InvalidInput(f"unknown state '{state}'", field="state")
    submitted = Plan.status == "submitted"
    if state == "incomplete":
        return and_(submitted, Plan.deemed_filed_on.is_(None))
    if state == "awaiting_check":
        return and_(submitted, Plan.deemed_filed_on > today)
    if state == "deemed_filed":
        return and_(submitted, Plan.deemed_filed_on <= today)
    return Plan.status == state


def _drill_overdue(today: date, rules: Rules) -> Any:
    """Plans in force whose drill cycle ended before ``today`` (see
    :func:`responder.services.plans.drill_months`; for an enterprise's comprehensive or
    special plans, no such plan of the enterprise was drilled within its cycle)."""
    base = func.coalesce(Plan.last_drill_on, Plan.published_on)
    sibling = aliased(Plan)
    sibling_base = func.coalesce(sibling.last_drill_on, sibling.published_on)
    required = required_clause(rules, today)

    def cut(months: int) -> date:
        return last_start_overdue(today, months)

    recent_sibling = (
        select(sibling.id)
        .where(
            sibling.enterprise_id == Plan.enterprise_id,
            sibling.plan_type.in_(plan_service.ENTERPRISE_DRILL_TYPES),
            sibling.status.in_(("filed", "submitted")),
            sibling_base
            > case(
                (required, cut(rules.drill_required_units_months)),
                else_=cut(rules.drill_enterprise_months),
            ),
        )
        .exists()
    )
    return and_(
        Plan.status.in_(("filed", "submitted")),
        or_(Plan.filed_on.is_not(None), Plan.deemed_filed_on <= today),
        or_(
            and_(Plan.owner_kind == "government", base <= cut(rules.drill_government_months)),
            and_(Plan.plan_type == "on_site", base <= cut(rules.drill_on_site_months)),
            and_(
                Plan.enterprise_id.is_not(None),
                Plan.plan_type.in_(plan_service.ENTERPRISE_DRILL_TYPES),
                ~recent_sibling,
            ),
        ),
    )


def _due_clause(due: str, today: date, rules: Rules) -> Any:
    if due not in DUE_STATES:
        raise InvalidInput(f"unknown due state '{due}'", field="due")
    if due == "filed_late":
        return Plan.filed_late.is_(True)
    if due == "drill_overdue":
        return _drill_overdue(today, rules)
    base = func.coalesce(Plan.last_evaluated_on, Plan.published_on)
    return and_(
        Plan.status.in_(("filed", "submitted")),
        or_(Plan.filed_on.is_not(None), Plan.deemed_filed_on <= today),
        Plan.enterprise_id.is_not(None),
        evaluates_clause(rules, today),
        base <= last_start_overdue(today, 12 * rules.evaluation_years),
    )


def search(
    session: Session,
    actor: Actor,
    filters: PlanFilters,
    *,
    today: date,
    rules: Rules,
    sort: str = "-id",
    offset: int = 0,
    limit: int | None = 50,
) -> tuple[list[Plan], int]:
    """A page of the plans ``actor`` may read matching ``filters`` and the total; ``sort``
    is a :data:`SORTS` key, ``-`` first for descending (``limit`` None: every row)."""
    descending = sort.startswith("-")
    column = SORTS.get(sort.lstrip("-"))
    if column is None:
        raise InvalidInput(f"cannot sort by '{sort}'", field="sort")
    stmt = (
        select(Plan)
        .outerjoin(Enterprise, Enterprise.id == Plan.enterprise_id)
        .where(*plan_service.readable_filter(session, actor))
    )
    if filters.states:
        stmt = stmt.where(or_(*(state_clause(s, today) for s in filters.states)))
    if filters.plan_types:
        stmt = stmt.where(Plan.plan_type.in_(filters.plan_types))
    if filters.owner_kind:
        stmt = stmt.where(Plan.owner_kind == filters.owner_kind)
    if filters.jurisdiction is not None:
        stmt = stmt.where(
            jurisdictions.subtree_filter(Plan.jurisdiction_id, filters.jurisdiction.path)
        )
    if filters.industry:
        stmt = stmt.where(Enterprise.industry == filters.industry)
    if filters.enterprise_id is not None:
        stmt = stmt.where(Plan.enterprise_id == filters.enterprise_id)
    if filters.due:
        stmt = stmt.where(_due_clause(filters.due, today, rules))
    if filters.q:
        pattern = f"%{filters.q.strip()}%"
        stmt = stmt.where(
            or_(
                Plan.title.ilike(pattern),
                Plan.filing_number.ilike(pattern),
                Enterprise.name.ilike(pattern),
                Plan.owner_body.ilike(pattern),
            )
        )
    total = int(
        session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0
    )
    order = column.desc() if descending else column.asc()
    stmt = stmt.order_by(order, Plan.id.desc() if descending else Plan.id)
    if limit is not None:
        stmt = stmt.offset(offset).limit(limit)
    return list(session.scalars(stmt)), total


# --- the review queue -----------------------------------------------------------------------


@dataclass(frozen=True)
class QueueItem:
    """A submission waiting for the authority, with its check deadline."""

    plan: Plan
    check_deadline: date | None
    working_days_left: int | None
    deemed: bool
    missing: list[str]


def review_queue(session: Session, actor: Actor, *, today: date, rules: Rules) -> list[QueueItem]:
    """Submitted plans the actor may file, ordered by the authority's check deadline (an
    incomplete submission has the same 5 working days to be answered, by a return, though
    it is never deemed filed)."""
    actor.require("plans.file")
    stmt = (
        select(Plan)
        .where(Plan.status == "submitted", *plan_service.readable_filter(session, actor))
        .order_by(Plan.submitted_on, Plan.submitted_at, Plan.id)
    )
    items = []
    for plan in session.scalars(stmt):
        deadline = check_deadline(plan.submitted_on, rules) if plan.submitted_on else None
        items.append(
            QueueItem(
                plan=plan,
                check_deadline=deadline,
                working_days_left=(
                    max(0, working_days_between(today, deadline, rules))
                    if deadline is not None
                    else None
                ),
                deemed=plan_service.is_deemed_filed(plan, today),
                missing=plan_service.missing_materials(session, plan, rules),
            )
        )
    items.sort(key=lambda item: (item.check_deadline or date.max, item.plan.id))
    return items


def history(session: Session, plan: Plan) -> list[AuditEntry]:
    """The plan's audit entries, oldest first (who did what when, with the notes)."""
    return list(
        session.scalars(
            select(AuditEntry)
            .where(AuditEntry.entity == "plan", AuditEntry.entity_id == plan.id)
            .order_by(AuditEntry.id)
        )
    )


def versions(session: Session, plan: Plan) -> list[Plan]:
    """Every version of the plan (following ``supersedes_id`` both ways), oldest first."""
    first = plan
    seen = {plan.id}
    while first.supersedes_id is not None and first.supersedes_id not in seen:
        older = session.get(Plan, first.supersedes_id)
        if older is None:
            break
        seen.add(older.id)
        first = older
    chain = [first]
    while True:
        newer = session.scalar(
            select(Plan).where(Plan.supersedes_id == chain[-1].id).order_by(Plan.id)
        )
        if newer is None or newer.id in {p.id for p in chain}:
            break
        chain.append(newer)
    return chain


# --- an enterprise's plans ------------------------------------------------------------------


@dataclass(frozen=True)
class EnterprisePlans:
    """What an enterprise page shows about plans: each plan with its filing state and due
    dates, whether the enterprise must file and is covered today."""

    rows: list[tuple[Plan, str, plan_service.DueDates]]
    must_file: bool
    covered: bool


def for_enterprise(
    session: Session, actor: Actor, enterprise: Enterprise, *, today: date, rules: Rules
) -> EnterprisePlans:
    """The enterprise's plans the actor may read, newest first (for the registry page's
    plans section, ``plans/_enterprise_plans.html``)."""
    stmt = (
        select(Plan)
        .where(Plan.enterprise_id == enterprise.id, *plan_service.readable_filter(session, actor))
        .order_by(Plan.id.desc())
    )
    rows = [
        (plan, plan_service.filing_state(plan, today), plan_service.due_dates(session, plan, rules))
        for plan in session.scalars(stmt)
    ]
    covered = any(
        state in {"filed", "deemed_filed"} and plan.plan_type in rules.counted_plan_types
        for plan, state, _due in rows
    )
    return EnterprisePlans(rows, plan_service.is_required_unit(enterprise, rules), covered)


__all__ = [
    "DUE_STATES",
    "STATES",
    "EnterprisePlans",
    "PlanFilters",
    "QueueItem",
    "for_enterprise",
    "history",
    "review_queue",
    "search",
    "versions",
]
