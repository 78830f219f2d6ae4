"""Filing rates (备案率) and the lists behind them, as of any day, in set-based SQL.

Definitions (the rules come from ``rules.toml``):

* An enterprise *exists* on day D unless it was retired before D ended.
* It is *required* to file if its industry is in ``required_industries`` or it has a major
  hazard source not retired by the end of D.  Its *hazard grade* is the highest (lowest
  number) grade of those sources; ``none`` without one.
* It is *covered* if it has a plan of a counted type (``counted_plan_types``) that was
  filed — or deemed filed (视为已经备案: a complete submission the authority left
  unanswered past its check window) — on or before D and neither superseded nor withdrawn
  on or before D.  Two valid plans
  count once; a plan filed after D, or superseded/withdrawn by D, does not count.  The
  rates read this from the enterprise's coverage spans (:class:`~responder.models.PlanCoverage`,
  kept in step with the plans by :mod:`responder.services.plan_coverage`): at most one
  span holds day D, so "covered" is one indexed join, not a probe of every plan.
* Filing rate = covered required enterprises ÷ required enterprises (None when none are
  required).  By jurisdiction, every node counts the enterprises of its whole subtree.

Every query is one ``GROUP BY`` statement over indexed columns; nothing loops over
enterprises in Python, so a dashboard query stays fast with 100,000 enterprises
(``scripts/bench_filing.py``: each ≤ 500 ms on SQLite).  A list's page is read with its
``LIMIT`` and counted by a separate ``count(*)``, so a page never sorts the whole list.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Date,
    Select,
    and_,
    case,
    cast,
    func,
    literal,
    or_,
    select,
    union_all,
)
from sqlalchemy.orm import Session

from responder.errors import Forbidden, InvalidInput
from responder.models import Enterprise, HazardSource, Jurisdiction, Plan, PlanCoverage
from responder.rules import Rules
from responder.services import jurisdictions
from responder.services.actors import Actor
from responder.services.workdays import (
    add_months,
    filing_deadline,
    last_start_overdue,
    month_ends,
)

GROUPINGS = ("industry", "jurisdiction", "grade")
NO_GRADE = "none"


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


# --- rates --------------------------------------------------------------------------------


def rates(
    session: Session,
    *,
    by: str,
    day: date,
    rules: Rules,
    root: Jurisdiction | None = None,
    depth: int = 1,
) -> list[Rate]:
    """The filing rate on ``day`` grouped ``by`` industry, jurisdiction or grade.

    By jurisdiction the rows are ``root`` (or the top level when ``root`` is None) and the
    nodes up to ``depth`` levels below it, each counting its whole subtree.
    """
    if by not in GROUPINGS:
        raise InvalidInput(f"by must be one of {', '.join(GROUPINGS)}", field="by")
    required = required_enterprises(day, rules, root)
    if by == "jurisdiction":
        return _by_jurisdiction(session, required, root, depth)
    # ``|| ''``: group after a table scan; walking the industry index to get the groups in
    # order would read the enterprises in random order (about twice as slow here).
    key = required.c.industry.concat("") if by == "industry" else required.c.grade
    rows = session.execute(
        select(key, func.count(), func.coalesce(func.sum(required.c.filed), 0)).group_by(key)
    ).all()
    table = [Rate(NO_GRADE if k is None else str(k), int(n), int(f)) for k, n, f in rows]
    return sorted(table, key=lambda r: r.key)


def _by_jurisdiction(
    session: Session, required: Any, root: Jurisdiction | None, depth: int
) -> list[Rate]:
    """Count per jurisdiction in SQL (one GROUP BY over the enterprises in table order: a
    few hundred rows however many enterprises), then add each node's counts to its shown
    ancestors along its path."""
    node = required.c.jurisdiction_id + 0  # ``+ 0``: a table scan, not an index walk
    per_node = session.execute(
        select(node, func.count(), func.coalesce(func.sum(required.c.filed), 0)).group_by(node)
    ).all()
    path_of = dict(
        session.execute(
            select(Jurisdiction.id, Jurisdiction.path).where(
                Jurisdiction.id.in_([jid for jid, _n, _f in per_node])
            )
        ).all()
    )
    if root is None:
        top = session.scalar(select(func.min(Jurisdiction.depth))) or 0
        where = [Jurisdiction.depth <= top + depth]
    else:
        where = [
            or_(Jurisdiction.id == root.id, Jurisdiction.path.like(f"{root.path}%")),
            Jurisdiction.depth <= root.depth + depth,
        ]
    shown = session.execute(
        select(Jurisdiction.id, Jurisdiction.path).where(*where).order_by(Jurisdiction.path)
    ).all()
    counts = {jid: [0, 0] for jid, _path in shown}
    for jid, n, f in per_node:
        for ancestor in path_of[jid].strip("/").split("/"):
            tally = counts.get(int(ancestor))
            if tally is not None:
                tally[0] += int(n)
                tally[1] += int(f)
    return [Rate(str(jid), *counts[jid]) for jid, _path in shown]


def total(session: Session, *, day: date, rules: Rules, root: Jurisdiction | None = None) -> Point:
    """The overall rate on ``day``."""
    required = required_enterprises(day, rules, root)
    n, f = session.execute(select(func.count(), func.coalesce(func.sum(required.c.filed), 0))).one()
    return Point(day, int(n), int(f))


def trend(
    session: Session,
    *,
    first: date,
    last: date,
    rules: Rules,
    root: Jurisdiction | None = None,
    today: date | None = None,
) -> list[Point]:
    """The overall rate at each month end from ``first``'s month to ``last``'s (the current
    month ends ``today`` rather than in the future)."""
    if first > last:
        raise InvalidInput("from must not be after to", field="from")
    days = month_ends(first, last)
    if len(days) > 120:
        raise InvalidInput("a trend covers at most 120 months", field="from")
    if today is not None:
        days = [min(day, today) for day in days if day.replace(day=1) <= today]
    return totals_on(session, days, rules=rules, root=root)


FAR = date(9999, 12, 31)


def totals_on(
    session: Session, days: list[date], *, rules: Rules, root: Jurisdiction | None = None
) -> list[Point]:
    """The overall rate on each of ``days`` (for the trend line), as a count of dates.

    Each required enterprise is required on every day before its *until* date (its own
    retirement or, when only a hazard source makes it required, that source's retirement),
    and covered on the days of its coverage spans.  Clipping each span at *until* leaves
    disjoint ``[start, end)`` spans of "required and covered", so on day D::

        required(D) = #required − #(until ≤ D)
        filed(D)    = #(span start ≤ D) − #(span end ≤ D)

    One grouped statement returns those counts per date (a few thousand rows however many
    enterprises); the days are then read off the running sums.  Same definitions as
    :func:`total` (the tests check they agree).
    """
    required = _required_until(session, rules, root)
    span = PlanCoverage
    end = case((span.ends_on < required.c.until, span.ends_on), else_=required.c.until)
    clipped = (
        select(span.starts_on.label("starts"), end.label("ends"))
        .join(required, required.c.eid == span.enterprise_id)
        .where(span.starts_on < required.c.until)
        .subquery("clipped")
    )
    events = union_all(
        select(required.c.until.label("at"), literal(1).label("gone"), literal(0).label("net")),
        select(clipped.c.starts, literal(0), literal(1)),
        select(clipped.c.ends, literal(0), literal(-1)),
    ).subquery("events")
    rows = session.execute(
        select(events.c.at, func.sum(events.c.gone), func.sum(events.c.net))
        .group_by(events.c.at)
        .order_by(events.c.at)
    ).all()
    dates = [_as_date(at) for at, _gone, _net in rows]
    gone_by, filed_by = (
        _running([int(g) for _at, g, _n in rows]),
        _running([int(n) for _at, _g, n in rows]),
    )
    everyone = gone_by[-1] if rows else 0
    points = []
    for day in days:
        upto = bisect_right(dates, day)  # events dated on or before ``day``
        gone = gone_by[upto - 1] if upto else 0
        filed = filed_by[upto - 1] if upto else 0
        points.append(Point(day, everyone - gone, filed))
    return points


def _required_until(session: Session, rules: Rules, root: Jurisdiction | None) -> Any:
    """Every enterprise required on some day, with the day it stops being required."""
    day_of = _day_of(session)
    hazards = (
        select(
            HazardSource.enterprise_id.label("eid"),
            func.max(func.coalesce(day_of(HazardSource.retired_at), FAR)).label("until"),
        )
        .group_by(HazardSource.enterprise_id)
        .subquery("hazard_until")
    )
    own = func.coalesce(day_of(Enterprise.retired_at), FAR)
    by_industry = Enterprise.industry.in_(sorted(rules.required_industries))
    hazard_until = func.coalesce(hazards.c.until, literal(date(1, 1, 1)))
    until = case(
        (by_industry, own),
        (hazard_until < own, hazard_until),
        else_=own,
    )
    scope = (
        []
        if root is None
        else [jurisdictions.subtree_filter(Enterprise.jurisdiction_id, root.path)]
    )
    return (
        select(Enterprise.id.label("eid"), until.label("until"))
        .outerjoin(hazards, hazards.c.eid == Enterprise.id)
        .where(*scope, or_(by_industry, hazards.c.eid.is_not(None)))
        .cte("required_until")
    )


def _running(values: list[int]) -> list[int]:
    total, sums = 0, []
    for value in values:
        total += value
        sums.append(total)
    return sums


def _as_date(value: Any) -> date:
    """A date read back from a computed column (SQLite returns ISO text for those)."""
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def _day_of(session: Session) -> Callable[[Any], Any]:
    """The calendar date (UTC) of a timestamp column, in the session's SQL dialect."""
    if session.get_bind().dialect.name == "sqlite":
        return lambda column: func.date(column, type_=Date)
    return lambda column: cast(column, Date)


# --- the lists behind the numbers ---------------------------------------------------------


@dataclass(frozen=True)
class Listing:
    """A page of a list plus its full length."""

    kind: str
    rows: list[dict[str, Any]]
    total: int


LISTS = ("missing", "overdue_evaluation", "overdue_drill", "filed_late")
ListQuery = Callable[[date, Rules, Jurisdiction | None], Select[Any]]


def listing(
    session: Session,
    kind: str,
    *,
    day: date,
    rules: Rules,
    root: Jurisdiction | None = None,
    offset: int = 0,
    limit: int | None = 50,
    industry: str | None = None,
) -> Listing:
    """One page of a list (``limit`` None: all rows, for exports).

    Two steps: one pass finds the page's keys and the total (``count(*) OVER ()`` over
    narrow rows: a key and the sort columns), then the page's full rows are read by key.
    Carrying every column of every row through the sort, only to keep ``limit`` of them,
    is what made the province-wide lists slow.
    """
    if kind not in LISTS:
        raise InvalidInput(f"list must be one of {', '.join(LISTS)}", field="list")
    build, key = _LIST_QUERIES[kind]
    stmt = _only_industry(build(day, rules, root), key, industry)
    if limit is None:
        rows = [dict(row._mapping) for row in session.execute(stmt)]
        count = len(rows)
        if key is None:
            _describe(session, rows)
    elif key is None:
        # Rows already narrow (built from a grouped subquery): one pass, page and total.
        found = session.execute(
            stmt.add_columns(func.count().over().label("_total")).offset(offset).limit(limit)
        ).all()
        count = found[0][-1] if found else _count(session, stmt)
        rows = [{k: v for k, v in row._mapping.items() if k != "_total"} for row in found]
        _describe(session, rows)
    else:
        keyed = stmt.with_only_columns(key, func.count().over()).offset(offset).limit(limit)
        found = session.execute(keyed).all()
        count = found[0][1] if found else _count(session, stmt)
        keys = [k for k, _total in found]
        rows = (
            [dict(row._mapping) for row in session.execute(stmt.where(key.in_(keys)))]
            if keys
            else []
        )
    for row in rows:
        _finish_row(kind, row, day, rules)
    return Listing(kind, rows, int(count))


def _only_industry(stmt: Select[Any], key: Any, industry: str | None) -> Select[Any]:
    """A list narrowed to one industry's enterprises (government plans drop out)."""
    if not industry:
        return stmt
    if key is None:  # the narrow union rows: by their enterprise id
        owners = select(Enterprise.id).where(Enterprise.industry == industry)
        return stmt.where(stmt.selected_columns.enterprise_id.in_(owners))
    return stmt.where(Enterprise.industry == industry)


def _count(session: Session, stmt: Select[Any]) -> int:
    """The number of rows of a list statement (its ordering dropped)."""
    return int(
        session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0
    )


def iter_all(
    session: Session,
    kind: str,
    *,
    day: date,
    rules: Rules,
    root: Jurisdiction | None = None,
    batch: int = 5000,
    industry: str | None = None,
) -> Iterator[dict[str, Any]]:
    """Every row of a list, streamed from one query ``batch`` rows at a time (exports of
    large lists; paging with ``OFFSET`` would re-run the query once per batch)."""
    if kind not in LISTS:
        raise InvalidInput(f"list must be one of {', '.join(LISTS)}", field="list")
    build, key = _LIST_QUERIES[kind]
    stmt = _only_industry(build(day, rules, root), key, industry)
    for part in session.execute(stmt.execution_options(yield_per=batch)).partitions():
        records = [dict(row._mapping) for row in part]
        if key is None:
            _describe(session, records)
        for record in records:
            _finish_row(kind, record, day, rules)
            yield record


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


#: Each list's statement and the column that identifies its rows (for paging by key;
#: None: page in one pass).
_LIST_QUERIES: dict[str, tuple[ListQuery, Any]] = {
    "missing": (_missing, Enterprise.id),
    "overdue_evaluation": (_overdue_evaluation, Plan.id),
    "overdue_drill": (_overdue_drill, None),
    "filed_late": (_filed_late, Plan.id),
}


def _finish_row(kind: str, row: dict[str, Any], day: date, rules: Rules) -> None:
    """Add the derived columns (due date, days overdue) to one row of a list."""
    if kind == "missing":
        row["hazard_grade"] = row["hazard_grade"] or None
        return
    if kind == "filed_late":
        deadline = filing_deadline(row["published_on"], rules)
        submitted = row["submitted_on"] or row["filed_on"]
        row["deadline"] = deadline
        row["days_late"] = (submitted - deadline).days
        row["deemed"] = row["filed_on"] is None
        return
    if kind == "overdue_evaluation":
        due = add_months(row["last_evaluated_on"] or row["published_on"], _evaluation_months(rules))
    else:
        row["last_drill_on"] = _as_date(row["last_drill_on"])
        due = add_months(row["last_drill_on"], int(row["cycle_months"]))
    row["due"] = due
    row["days_overdue"] = (day - due).days
