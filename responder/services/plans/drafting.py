"""Drafting plans: creating and editing drafts, validating the editable fields, and the
audit snapshot of a plan.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from responder.errors import Conflict, InvalidInput
from responder.models import (
    HazardSource,
    Material,
    Plan,
    PlanHazardSource,
    PlanLink,
    PlanMaterialNeed,
    PlanTeamNeed,
)
from responder.services import audit, jurisdictions
from responder.services.actors import Actor
from responder.services.plans.access import _live_enterprise, require_on
from responder.vocabulary import INCIDENT_TYPES, PLAN_TYPES, SPECIALTIES

#: Fields a draft or returned plan may change.
DRAFT_FIELDS = frozenset(
    {
        "title",
        "plan_type",
        "incident_types",
        "version",
        "summary",
        "owner_body",
        "published_on",
        "last_evaluated_on",
        "last_drill_on",
        "hazard_source_ids",
        "parent_plan_ids",
        "team_needs",
        "material_needs",
    }
)
#: Fields that stay editable after filing: facts recorded later in the plan's life.
LIFE_FIELDS = frozenset({"last_evaluated_on", "last_drill_on"})
EDITABLE_STATUSES = frozenset({"draft", "returned"})


# --- drafting -----------------------------------------------------------------------------


def create(session: Session, actor: Actor, data: dict[str, Any], *, today: date) -> Plan:
    """Add a draft plan for an enterprise or a government body."""
    owner_kind = data.get("owner_kind", "enterprise")
    plan = Plan(owner_kind=owner_kind, status="draft")
    if owner_kind == "enterprise":
        if data.get("enterprise_id") is None:
            raise InvalidInput("an enterprise plan needs enterprise_id", field="enterprise_id")
        enterprise = _live_enterprise(session, data["enterprise_id"])
        plan.enterprise_id = enterprise.id
        plan.jurisdiction_id = enterprise.jurisdiction_id
        plan.jurisdiction = enterprise.jurisdiction
    elif owner_kind == "government":
        if data.get("jurisdiction_id") is None:
            raise InvalidInput("a government plan needs jurisdiction_id", field="jurisdiction_id")
        if not (data.get("owner_body") or "").strip():
            raise InvalidInput(
                "a government plan needs owner_body (the department)", field="owner_body"
            )
        plan.jurisdiction = jurisdictions.get(session, data["jurisdiction_id"])
    else:
        raise InvalidInput("owner_kind must be enterprise or government", field="owner_kind")
    require_on(session, actor, "plans.submit", plan)
    for required in ("title", "plan_type"):
        if not data.get(required):
            raise InvalidInput(f"{required} is required", field=required)
    _apply(session, plan, {k: v for k, v in data.items() if k in DRAFT_FIELDS}, today=today)
    session.add(plan)
    session.flush()
    audit.record(session, actor, "create", "plan", plan.id, after=snapshot(plan))
    return plan


def update(
    session: Session, actor: Actor, plan: Plan, data: dict[str, Any], *, today: date
) -> Plan:
    """Edit a plan: anything while draft or returned; only the evaluation and drill dates
    once submitted or filed (they are facts recorded later in the plan's life)."""
    require_on(session, actor, "plans.submit", plan)
    unknown = set(data) - DRAFT_FIELDS
    if unknown:
        field = sorted(unknown)[0]
        raise InvalidInput(f"{field} cannot be changed here", field=field)
    allowed = DRAFT_FIELDS if plan.status in EDITABLE_STATUSES else LIFE_FIELDS
    if plan.status in {"superseded", "withdrawn"}:
        allowed = frozenset()
    blocked = sorted(set(data) - allowed)
    if blocked:
        raise Conflict(f"a {plan.status} plan cannot change {blocked[0]}", field=blocked[0])
    before = snapshot(plan)
    _apply(session, plan, data, today=today)
    session.flush()
    audit.record(session, actor, "update", "plan", plan.id, before=before, after=snapshot(plan))
    return plan


def _apply(session: Session, plan: Plan, data: dict[str, Any], *, today: date) -> None:
    """Validate and write the editable fields in ``data`` onto ``plan``."""
    if "plan_type" in data and data["plan_type"] not in PLAN_TYPES:
        raise InvalidInput(f"unknown plan_type '{data['plan_type']}'", field="plan_type")
    for code in data.get("incident_types", []):
        if code not in INCIDENT_TYPES:
            raise InvalidInput(f"unknown incident type '{code}'", field="incident_types")
    for name in ("published_on", "last_evaluated_on", "last_drill_on"):
        if data.get(name) is not None and data[name] > today:
            raise InvalidInput(f"{name} cannot be in the future", field=name)
    for key in (
        "title",
        "plan_type",
        "version",
        "summary",
        "owner_body",
        "published_on",
        "last_evaluated_on",
        "last_drill_on",
    ):
        if key in data:
            setattr(plan, key, data[key])
    if "incident_types" in data:
        plan.incident_types = sorted(set(data["incident_types"]))
    if "hazard_source_ids" in data:
        plan.hazard_source_rows = [
            PlanHazardSource(hazard_source_id=i)
            for i in _hazard_sources(session, plan, data["hazard_source_ids"])
        ]
    if "parent_plan_ids" in data:
        plan.parent_rows = [
            PlanLink(parent_plan_id=i) for i in _parents(session, plan, data["parent_plan_ids"])
        ]
    if "team_needs" in data:
        plan.team_needs = _team_needs(data["team_needs"])
    if "material_needs" in data:
        plan.material_needs = _material_needs(session, data["material_needs"])


def _hazard_sources(session: Session, plan: Plan, ids: list[int]) -> list[int]:
    wanted = sorted(set(ids))
    if not wanted:
        return []
    if plan.enterprise_id is None:
        raise InvalidInput("only enterprise plans cover hazard sources", field="hazard_source_ids")
    found = set(
        session.scalars(
            select(HazardSource.id).where(
                HazardSource.id.in_(wanted), HazardSource.enterprise_id == plan.enterprise_id
            )
        )
    )
    missing = [i for i in wanted if i not in found]
    if missing:
        raise InvalidInput(
            f"hazard source {missing[0]} is not one of the enterprise's", field="hazard_source_ids"
        )
    return wanted


def _parents(session: Session, plan: Plan, ids: list[int]) -> list[int]:
    wanted = sorted(set(ids))
    if plan.id is not None and plan.id in wanted:
        raise InvalidInput("a plan cannot dovetail with itself", field="parent_plan_ids")
    found = set(session.scalars(select(Plan.id).where(Plan.id.in_(wanted)))) if wanted else set()
    missing = [i for i in wanted if i not in found]
    if missing:
        raise InvalidInput(f"parent plan {missing[0]} does not exist", field="parent_plan_ids")
    return wanted


def _team_needs(rows: list[dict[str, Any]]) -> list[PlanTeamNeed]:
    needs: dict[str, int] = {}
    for index, row in enumerate(rows):
        specialty, count = row.get("specialty"), row.get("count", 1)
        if specialty not in SPECIALTIES:
            raise InvalidInput(
                f"unknown specialty '{specialty}'", field=f"team_needs.{index}.specialty"
            )
        if not isinstance(count, int) or count < 1:
            raise InvalidInput(
                "count must be a positive integer", field=f"team_needs.{index}.count"
            )
        needs[specialty] = needs.get(specialty, 0) + count
    return [PlanTeamNeed(specialty=s, count=c) for s, c in sorted(needs.items())]


def _material_needs(session: Session, rows: list[dict[str, Any]]) -> list[PlanMaterialNeed]:
    needs: dict[int, float] = {}
    for index, row in enumerate(rows):
        material_id, quantity = row.get("material_id"), row.get("quantity")
        material = session.get(Material, material_id) if material_id is not None else None
        if material is None or material.retired_at is not None:
            raise InvalidInput(
                f"material {material_id} does not exist",
                field=f"material_needs.{index}.material_id",
            )
        if not isinstance(quantity, (int, float)) or quantity <= 0:
            raise InvalidInput(
                "quantity must be positive", field=f"material_needs.{index}.quantity"
            )
        needs[material.id] = needs.get(material.id, 0.0) + float(quantity)
    return [PlanMaterialNeed(material_id=m, quantity=q) for m, q in sorted(needs.items())]


def snapshot(plan: Plan) -> dict[str, Any]:
    values = audit.snapshot(plan)
    values.update(
        hazard_source_ids=plan.hazard_source_ids,
        parent_plan_ids=plan.parent_plan_ids,
        team_needs=[{"specialty": n.specialty, "count": n.count} for n in plan.team_needs],
        material_needs=[
            {"material_id": n.material_id, "quantity": n.quantity} for n in plan.material_needs
        ],
    )
    return values
