"""Dates derived from the rules in force: filing and check deadlines, the next evaluation
and the next drill of a plan (never stored: rules and industries change).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from responder.models import Enterprise, Plan
from responder.rules import Rules
from responder.services.plans.materials import is_required_unit
from responder.services.workdays import add_months, check_deadline, filing_deadline


@dataclass(frozen=True)
class DueDates:
    """Dates derived from the rules in force (never stored: rules and industries change).

    ``check_deadline`` is the authority's last day to answer a complete submission.
    """

    filing_deadline: date | None
    check_deadline: date | None
    next_evaluation_due: date | None
    next_drill_due: date | None


def evaluates(enterprise: Enterprise, rules: Rules) -> bool:
    """办法 Art 35: the enterprise evaluates its plans every ``evaluation_years``."""
    if enterprise.industry in rules.evaluation_industries:
        return True
    if enterprise.scale in rules.evaluation_scales:
        return True
    return enterprise.industry in rules.evaluation_above_threshold_industries and any(
        source.retired_at is None for source in enterprise.hazard_sources
    )


def drill_months(plan: Plan, rules: Rules) -> int:
    """Months between drills of this plan's cycle (办法 Art 33, 条例 Art 8): two years for
    government plans, half a year for an on-site scheme or an 条例 Art 7 unit, else a year
    (the enterprise's comprehensive-or-special drill)."""
    if plan.enterprise is None:
        return rules.drill_government_months
    if plan.plan_type == "on_site":
        return rules.drill_on_site_months
    if is_required_unit(plan.enterprise, rules):
        return rules.drill_required_units_months
    return rules.drill_enterprise_months


def last_enterprise_drill(session: Session, plan: Plan) -> date | None:
    """The cycle start of a plan's drill: its own last drill for an on-site scheme or a
    government plan; for an enterprise's comprehensive or special plan, the latest drill
    of any of the enterprise's comprehensive or special plans (one drill a year per
    enterprise, not per plan), else the plan's publication."""
    if plan.enterprise_id is None or plan.plan_type not in ENTERPRISE_DRILL_TYPES:
        return plan.last_drill_on or plan.published_on
    latest = session.scalar(
        select(func.max(func.coalesce(Plan.last_drill_on, Plan.published_on))).where(
            Plan.enterprise_id == plan.enterprise_id,
            Plan.plan_type.in_(ENTERPRISE_DRILL_TYPES),
            Plan.status.in_(("filed", "submitted")),
        )
    )
    return max(d for d in (latest, plan.last_drill_on or plan.published_on) if d is not None)


#: Plan types whose drill is the enterprise's yearly one (comprehensive *or* special).
ENTERPRISE_DRILL_TYPES = ("comprehensive", "special")


def due_dates(session: Session, plan: Plan, rules: Rules) -> DueDates:
    """When the plan must be submitted, checked, next evaluated and next drilled.

    The evaluation cycle applies to the 办法 Art 35 units' plans; drills to every plan
    (:func:`drill_months`).  Cycles run from the last evaluation (or drill), else from
    publication; month ends clamp (31 Aug + 6 months = 28/29 Feb).
    """
    deadline = evaluation = drill = None
    if plan.published_on is not None and plan.plan_type in rules.counted_plan_types:
        deadline = filing_deadline(plan.published_on, rules)
    check = None
    if plan.status == "submitted" and plan.submitted_on is not None:
        check = check_deadline(plan.submitted_on, rules)
    if plan.published_on is not None and plan.plan_type in rules.counted_plan_types:
        if plan.enterprise is not None and evaluates(plan.enterprise, rules):
            base = plan.last_evaluated_on or plan.published_on
            evaluation = add_months(base, 12 * rules.evaluation_years)
        start = last_enterprise_drill(session, plan)
        if start is not None:
            drill = add_months(start, drill_months(plan, rules))
    return DueDates(deadline, check, evaluation, drill)
