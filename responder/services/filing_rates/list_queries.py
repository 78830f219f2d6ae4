"""The SQL statement behind each list (missing filings, overdue evaluations, overdue drills,
late filings), and the page-wise lookup of the overdue-drill rows' descriptions.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import Select, and_, case, func, literal, or_, select, union_all
from sqlalchemy.orm import Session

from responder.models import Enterprise, Jurisdiction, Plan, PlanCoverage
from responder.rules import Rules
from responder.services import jurisdictions
from responder.services.filing_rates.core import (
    _existing,
    _required,
    evaluates_clause,
    required_clause,
    valid_on,
)
from responder.services.workdays import last_start_overdue


def _missing(day: date, rules: Rules, root: Jurisdiction | None) -> Select[Any]:
    return (
        _required(
            day,
            rules,
            root,
            lambda grade: (
                Enterprise.id.label("enterprise_id"),
                Enterprise.name.label("enterprise"),
                Enterprise.credit_code,
                Enterprise.industry,
                Jurisdiction.name.label("jurisdiction"),
                grade.label("hazard_grade"),
            ),
        )
        # ``+ 0``: scan the enterprises and look their jurisdiction up, rather than walk
        # every jurisdiction's enterprises through an index (random reads of the table).
        .join(Jurisdiction, Jurisdiction.id == Enterprise.jurisdiction_id + 0)
        .where(PlanCoverage.enterprise_id.is_(None))
        .order_by(Jurisdiction.path, Enterprise.name, Enterprise.id)
    )


def _plan_listing(*extra: Any) -> Select[Any]:
    """Enterprise plans with their enterprise and jurisdiction: the columns every plan list
    shows (``extra`` columns go after the plan's own)."""
    return (
        select(
            Plan.id.label("plan_id"),
            Plan.title,
            Plan.filing_number,
            Plan.filed_on,
            Plan.published_on,
            *extra,
            Enterprise.id.label("enterprise_id"),
            Enterprise.name.label("enterprise"),
            Enterprise.industry,
            Jurisdiction.name.label("jurisdiction"),
        )
        .join(Enterprise, Enterprise.id == Plan.enterprise_id)
        # ``+ 0``: look each row's jurisdiction up, never walk a jurisdiction's enterprises
        .join(Jurisdiction, Jurisdiction.id == Enterprise.jurisdiction_id + 0)
    )


def _valid_enterprise_plans(day: date, rules: Rules, root: Jurisdiction | None) -> Select[Any]:
    return _plan_listing(Plan.last_evaluated_on, Plan.last_drill_on).where(
        valid_on(day, rules), *_existing(day, root)
    )


def _evaluation_months(rules: Rules) -> int:
    return 12 * rules.evaluation_years


def _overdue_evaluation(day: date, rules: Rules, root: Jurisdiction | None) -> Select[Any]:
    """Valid enterprise plans of the 办法 Art 35 units whose evaluation cycle (from the last
    evaluation, else from publication) ended before ``day`` (see
    :func:`last_start_overdue`)."""
    base = func.coalesce(Plan.last_evaluated_on, Plan.published_on)
    return (
        _valid_enterprise_plans(day, rules, root)
        .where(evaluates_clause(rules, day))
        .where(base <= last_start_overdue(day, _evaluation_months(rules)))
        .order_by(base, Plan.id)
    )


#: Which drill cycle an overdue-drill row is behind on.
DRILL_SCOPES = ("enterprise", "on_site", "government")
#: Plan types whose drill is the enterprise's yearly one (comprehensive *or* special).
ENTERPRISE_DRILL_TYPES = ("comprehensive", "special")


def _overdue_drill(day: date, rules: Rules, root: Jurisdiction | None) -> Select[Any]:
    """Drills overdue on ``day``, one row per cycle that is behind (办法 Art 33, 条例 Art 8):

    * ``enterprise``: an enterprise whose latest drill of any valid comprehensive or
      special plan (else their publication) is older than its cycle — half a year for the
      条例 Art 7 units, a year for the others (one drill per enterprise, not per plan);
    * ``on_site``: each valid on-site disposal scheme not drilled for half a year;
    * ``government``: each valid government plan not drilled for two years.
    """
    base = func.coalesce(Plan.last_drill_on, Plan.published_on)
    short, long = sorted((rules.drill_required_units_months, rules.drill_enterprise_months))
    owner = Plan.enterprise_id + 0  # ``+ 0``: scan and sort, not a walk of the index
    latest = (
        select(
            owner.label("eid"),
            func.max(Plan.id).label("plan_id"),
            func.max(base).label("last"),
        )
        .where(valid_on(day, rules), Plan.plan_type.in_(ENTERPRISE_DRILL_TYPES))
        .group_by(owner)
        # Behind on the shorter cycle at least; the government plans' NULL group is dropped
        # by the join below.
        .having(func.max(base) <= last_start_overdue(day, short))
        .subquery("latest_drills")
    )
    required = required_clause(rules, day)
    # Behind on the longer cycle whoever you are; on the shorter one only if required
    # (the Art 7 list decides which; its probe runs only for rows between the cutoffs).
    short_is_required = rules.drill_required_units_months == short
    per_enterprise = (
        select(
            literal("enterprise").label("scope"),
            latest.c.plan_id.label("plan_id"),
            Enterprise.id.label("enterprise_id"),
            latest.c.last.label("last_drill_on"),
            case(
                (required, rules.drill_required_units_months),
                else_=rules.drill_enterprise_months,
            ).label("cycle_months"),
        )
        .select_from(latest)
        .join(Enterprise, Enterprise.id == latest.c.eid)
        .where(*_existing(day, root))
        .where(
            or_(
                latest.c.last <= last_start_overdue(day, long),
                and_(
                    latest.c.last <= last_start_overdue(day, short),
                    required if short_is_required else ~required,
                ),
            )
        )
    )
    # On-site schemes and government plans: one scan of the plans for both.
    is_government = Plan.owner_kind == "government"
    single = (
        select(
            case((is_government, "government"), else_="on_site"),
            Plan.id,
            Plan.enterprise_id,
            base,
            case(
                (is_government, rules.drill_government_months),
                else_=rules.drill_on_site_months,
            ),
        )
        .select_from(Plan)
        .outerjoin(Enterprise, Enterprise.id == Plan.enterprise_id)
        .where(valid_on(day, rules))
        .where(
            or_(
                and_(
                    is_government,
                    base <= last_start_overdue(day, rules.drill_government_months),
                    *(
                        []
                        if root is None
                        else [jurisdictions.subtree_filter(Plan.jurisdiction_id, root.path)]
                    ),
                ),
                and_(
                    Plan.plan_type == "on_site",
                    Enterprise.id.is_not(None),
                    base <= last_start_overdue(day, rules.drill_on_site_months),
                    *_existing(day, root),
                ),
            )
        )
    )
    rows = union_all(per_enterprise, single).subquery("overdue_drills")
    # Narrow rows only: the page's titles and names are read afterwards by plan id
    # (:func:`_describe`), so the sort carries no wide columns.
    return select(rows).order_by(rows.c.last_drill_on, rows.c.plan_id)


def _describe(session: Session, rows: list[dict[str, Any]]) -> None:
    """Add each row's plan title, type, number, enterprise name, industry and jurisdiction
    (one query for the page)."""
    ids = {row["plan_id"] for row in rows}
    if not ids:
        return
    found = {
        r.plan_id: r
        for r in session.execute(
            select(
                Plan.id.label("plan_id"),
                Plan.title,
                Plan.plan_type,
                Plan.filing_number,
                Enterprise.name.label("enterprise"),
                Enterprise.industry,
                Jurisdiction.name.label("jurisdiction"),
            )
            .outerjoin(Enterprise, Enterprise.id == Plan.enterprise_id)
            .join(Jurisdiction, Jurisdiction.id == Plan.jurisdiction_id)
            .where(Plan.id.in_(ids))
        )
    }
    for row in rows:
        row.update(found[row["plan_id"]]._mapping)


def _filed_late(day: date, rules: Rules, root: Jurisdiction | None) -> Select[Any]:
    """Plans submitted after their deadline (judged on the submission day) that count as
    filed on ``day`` (filed, or deemed filed), newest submission first."""
    stmt = (
        _plan_listing(Plan.submitted_on, Plan.deemed_filed_on)
        .where(
            Plan.filed_late.is_(True),
            or_(Plan.filed_on <= day, Plan.deemed_filed_on <= day),
        )
        .order_by(Plan.filed_on.desc(), Plan.id)
    )
    if root is not None:
        stmt = stmt.where(jurisdictions.subtree_filter(Enterprise.jurisdiction_id, root.path))
    return stmt
