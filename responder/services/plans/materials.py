"""The materials a plan's submission must carry (办法 Art 27) and which are still missing."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from responder.models import Enterprise, Plan, PlanDocument
from responder.rules import Rules


def is_required_unit(enterprise: Enterprise, rules: Rules) -> bool:
    """条例 Art 7: the enterprise must file (its industry is listed, or it holds a live
    major hazard source)."""
    if enterprise.industry in rules.required_industries:
        return True
    return any(source.retired_at is None for source in enterprise.hazard_sources)


def required_materials(plan: Plan, rules: Rules) -> tuple[str, ...]:
    """The materials this plan's submission must carry."""
    required_unit = plan.enterprise is not None and is_required_unit(plan.enterprise, rules)
    return rules.required_materials(plan.owner_kind, required_unit=required_unit)


def materials_checklist(session: Session, plan: Plan, rules: Rules) -> list[tuple[str, bool]]:
    """Each required material and whether a document of that kind is uploaded."""
    have = set(
        session.scalars(select(PlanDocument.material).where(PlanDocument.plan_id == plan.id))
    )
    return [(material, material in have) for material in required_materials(plan, rules)]


def missing_materials(session: Session, plan: Plan, rules: Rules) -> list[str]:
    """The required materials no uploaded document provides."""
    return [m for m, present in materials_checklist(session, plan, rules) if not present]
