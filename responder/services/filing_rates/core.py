"""The value types of the filing-rate reports and the SQL building blocks every report
shares: the report's scope, which enterprises exist and are required on a day, which
plans are in force, and the 办法 Art 35 / 条例 Art 7 clauses.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, case, func, or_, select
from sqlalchemy.orm import Session

from responder.errors import Forbidden
from responder.models import Enterprise, HazardSource, Jurisdiction, Plan, PlanCoverage
from responder.rules import Rules
from responder.services import jurisdictions
from responder.services.actors import Actor


@dataclass(frozen=True)
class Rate:
    """One row of a rate table: ``key`` is an industry code, a jurisdiction id or a grade."""

    key: str
    required: int
    filed: int

    @property
    def missing(self) -> int:
        return self.required - self.filed

    @property
    def rate(self) -> float | None:
        return self.filed / self.required if self.required else None


@dataclass(frozen=True)
class Point:
    """The overall rate on one day (a point of the trend line)."""

    day: date
    required: int
    filed: int

    @property
    def rate(self) -> float | None:
        return self.filed / self.required if self.required else None


# --- scope --------------------------------------------------------------------------------


def resolve_root(
    session: Session, actor: Actor, jurisdiction_id: int | None
) -> Jurisdiction | None:
    """The jurisdiction a report covers: the one asked for (it must lie in the actor's
    scope), else the actor's own, else None (the whole tree)."""
    actor.require("filing.read")
    if jurisdiction_id is not None:
        node = jurisdictions.get(session, jurisdiction_id)
        if not actor.covers(node.path):
            raise Forbidden("that jurisdiction is outside your scope", field="jurisdiction_id")
        return node
    if actor.scope_path is None:
        return None
    own_id = int(actor.scope_path.strip("/").split("/")[-1])
    return session.get(Jurisdiction, own_id)


def _end_of(day: date) -> datetime:
    """The instant day ``day`` ends (UTC): records retired at or after it still existed."""
    return datetime.combine(day + timedelta(days=1), time(), tzinfo=UTC)


# --- the building blocks ------------------------------------------------------------------


def _grades(day: date) -> Any:
    """Per enterprise with a hazard source live at the end of ``day``: its highest grade
    (one grouped pass over the hazard sources, joined once, not probed per enterprise)."""
    return (
        select(HazardSource.enterprise_id.label("eid"), func.min(HazardSource.grade).label("grade"))
        .where(or_(HazardSource.retired_at.is_(None), HazardSource.retired_at >= _end_of(day)))
        .group_by(HazardSource.enterprise_id)
        .subquery("grades")
    )


def valid_on(day: date, rules: Rules) -> ColumnElement[bool]:
    """Plans (of counted types) in force on ``day``: filed or deemed filed (视为已经备案) on
    or before it, and neither superseded nor withdrawn by then."""
    return and_(
        or_(Plan.filed_on <= day, Plan.deemed_filed_on <= day),
        or_(Plan.superseded_on.is_(None), Plan.superseded_on > day),
        or_(Plan.withdrawn_on.is_(None), Plan.withdrawn_on > day),
        Plan.plan_type.in_(sorted(rules.counted_plan_types)),
    )


def _coverage_on(day: date) -> ColumnElement[bool]:
    """Join condition: the enterprise's coverage span holding ``day`` (at most one; the
    counted plan types were applied when the spans were written)."""
    return and_(
        PlanCoverage.enterprise_id == Enterprise.id,
        PlanCoverage.starts_on <= day,
        PlanCoverage.ends_on > day,
    )


def _existing(day: date, root: Jurisdiction | None) -> list[ColumnElement[bool]]:
    clauses = [or_(Enterprise.retired_at.is_(None), Enterprise.retired_at >= _end_of(day))]
    if root is not None:
        clauses.append(jurisdictions.subtree_filter(Enterprise.jurisdiction_id, root.path))
    return clauses


def required_enterprises(day: date, rules: Rules, root: Jurisdiction | None) -> Any:
    """A subquery of the required enterprises on ``day``: id, industry, jurisdiction_id,
    grade (NULL without a hazard source) and filed (1 if covered, else 0)."""
    return _required(
        day,
        rules,
        root,
        lambda grade: (
            Enterprise.id.label("id"),
            Enterprise.industry.label("industry"),
            Enterprise.jurisdiction_id.label("jurisdiction_id"),
            grade.label("grade"),
            case((PlanCoverage.enterprise_id.is_not(None), 1), else_=0).label("filed"),
        ),
    ).subquery("required")


def _required(
    day: date,
    rules: Rules,
    root: Jurisdiction | None,
    columns: Callable[[Any], tuple[Any, ...]],
) -> Select[Any]:
    """The required enterprises on ``day`` joined to their grade and to the coverage span
    holding ``day`` (NULL columns when not covered); ``columns(grade)`` picks the output."""
    grades = _grades(day)
    grade = grades.c.grade
    return (
        select(*columns(grade))
        .select_from(Enterprise)
        .outerjoin(grades, grades.c.eid == Enterprise.id)
        .outerjoin(PlanCoverage, _coverage_on(day))
        .where(*_existing(day, root))
        .where(or_(Enterprise.industry.in_(sorted(rules.required_industries)), grade.is_not(None)))
    )


def _holds_hazard_source(day: date) -> ColumnElement[bool]:
    """The enterprise has a major hazard source live at the end of ``day`` (a correlated
    probe of the hazard-source index, evaluated only for the rows that reach it)."""
    return (
        select(HazardSource.id)
        .where(
            HazardSource.enterprise_id == Enterprise.id,
            or_(HazardSource.retired_at.is_(None), HazardSource.retired_at >= _end_of(day)),
        )
        .exists()
    )


def evaluates_clause(rules: Rules, day: date) -> ColumnElement[bool]:
    """SQL for 办法 Art 35's list (as :func:`responder.services.plans.evaluates`):
    listed industries, the listed scales, the listed users holding a major hazard source."""
    return or_(
        Enterprise.industry.in_(sorted(rules.evaluation_industries)),
        Enterprise.scale.in_(sorted(rules.evaluation_scales)),
        and_(
            Enterprise.industry.in_(sorted(rules.evaluation_above_threshold_industries)),
            _holds_hazard_source(day),
        ),
    )


def required_clause(rules: Rules, day: date) -> ColumnElement[bool]:
    """SQL for 条例 Art 7's list: a listed industry, or a live major hazard source."""
    return or_(
        Enterprise.industry.in_(sorted(rules.required_industries)), _holds_hazard_source(day)
    )


def _as_date(value: Any) -> date:
    """A date read back from a computed column (SQLite returns ISO text for those)."""
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])
