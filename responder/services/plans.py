"""Emergency plans: drafting, submitting, returning, withdrawing, revising; due dates.

Filing itself (the number, supersession) lives in :mod:`responder.services.filing`.

Who may do what:

* ``plans.submit`` (clerks, enterprise staff) drafts, edits, submits, withdraws and revises
  plans inside the actor's jurisdiction; enterprise staff only for their own enterprise
  (the :class:`~responder.models.EnterpriseStaff` link) and never government plans.
* ``plans.file`` (clerks) files or returns plans of jurisdictions they cover.
* ``plans.read`` reads plans and their documents, with the same scope rules.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session

from responder.errors import Conflict, Forbidden, InvalidInput, NotFound
from responder.models import (
    Enterprise,
    EnterpriseStaff,
    HazardSource,
    Jurisdiction,
    Material,
    Plan,
    PlanDocument,
    PlanHazardSource,
    PlanLink,
    PlanMaterialNeed,
    PlanTeamNeed,
    User,
    utcnow,
)
from responder.rules import Rules
from responder.services import audit, jurisdictions
from responder.services.actors import Actor
from responder.services.workdays import (
    add_months,
    check_deadline,
    deemed_filed_on,
    filing_deadline,
    is_late,
)
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


def get(session: Session, plan_id: int) -> Plan:
    plan = session.get(Plan, plan_id)
    if plan is None:
        raise NotFound(f"plan {plan_id} not found")
    return plan


# --- permissions --------------------------------------------------------------------------


def staff_enterprise_ids(session: Session, actor: Actor) -> set[int]:
    """The enterprises an ``enterprise_staff`` actor acts for."""
    if actor.user_id is None:
        return set()
    rows = session.scalars(
        select(EnterpriseStaff.enterprise_id).where(EnterpriseStaff.user_id == actor.user_id)
    )
    return set(rows)


def require_on(session: Session, actor: Actor, permission: str, plan: Plan) -> None:
    """Raise :class:`Forbidden` unless ``actor`` holds ``permission`` for this plan: in
    scope of its jurisdiction and, for enterprise staff, for their own enterprise."""
    actor.require(permission, path=plan.jurisdiction.path, what="the plan")
    if actor.role == "enterprise_staff" and (
        plan.enterprise_id is None or plan.enterprise_id not in staff_enterprise_ids(session, actor)
    ):
        raise Forbidden("you may act only on your own enterprise's plans", field="enterprise_id")


def readable_filter(session: Session, actor: Actor) -> Any:
    """A WHERE clause limiting a plan query to what ``actor`` may read."""
    actor.require("plans.read")
    clauses = []
    if actor.scope_path is not None:
        clauses.append(jurisdictions.subtree_filter(Plan.jurisdiction_id, actor.scope_path))
    if actor.role == "enterprise_staff":
        clauses.append(Plan.enterprise_id.in_(staff_enterprise_ids(session, actor) or {-1}))
    return clauses


def link_staff(session: Session, actor: Actor, *, user_id: int, enterprise_id: int) -> None:
    """Let an ``enterprise_staff`` user act for an enterprise."""
    enterprise = _live_enterprise(session, enterprise_id)
    actor.require("staff.manage", path=enterprise.jurisdiction.path, what="the enterprise")
    user = session.get(User, user_id)
    if user is None:
        raise InvalidInput(f"user {user_id} does not exist", field="user_id")
    if user.role != "enterprise_staff":
        raise InvalidInput(
            "only users with the enterprise_staff role act for enterprises", field="user_id"
        )
    if session.get(EnterpriseStaff, (user_id, enterprise_id)) is not None:
        raise Conflict("this user already acts for this enterprise", field="user_id")
    session.add(EnterpriseStaff(user_id=user_id, enterprise_id=enterprise_id))
    session.flush()
    audit.record(
        session, actor, "link_staff", "enterprise", enterprise_id, after={"user_id": user_id}
    )


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


def _live_enterprise(session: Session, enterprise_id: int) -> Enterprise:
    enterprise = session.get(Enterprise, enterprise_id)
    if enterprise is None or enterprise.retired_at is not None:
        raise InvalidInput(f"enterprise {enterprise_id} does not exist", field="enterprise_id")
    return enterprise


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


# --- workflow -----------------------------------------------------------------------------


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


# --- materials (办法 Art 27) -------------------------------------------------------------


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


# --- derived dates ------------------------------------------------------------------------


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


# --- listing ------------------------------------------------------------------------------


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
