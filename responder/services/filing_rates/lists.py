"""The lists behind the numbers: one page of a list with its total, every row streamed for
exports, and the derived columns (due date, days overdue) of each row.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from responder.errors import InvalidInput
from responder.models import Enterprise, Jurisdiction, Plan
from responder.rules import Rules
from responder.services.filing_rates.core import _as_date
from responder.services.filing_rates.list_queries import (
    _describe,
    _evaluation_months,
    _filed_late,
    _missing,
    _overdue_drill,
    _overdue_evaluation,
)
from responder.services.filing_rates.list_sorting import (
    check_sort,
    sorted_in_sql,
    sorted_rows,
    sorts_in_python,
)
from responder.services.workdays import add_months, filing_deadline


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
    sort: str | None = None,
    descending: bool = False,
) -> Listing:
    """One page of a list (``limit`` None: all rows, for exports), in the list's own order
    or by column ``sort`` (see :mod:`~responder.services.filing_rates.list_sorting`).

    Two steps: one pass finds the page's keys and the total (``count(*) OVER ()`` over
    narrow rows: a key and the sort columns), then the page's full rows are read by key.
    Carrying every column of every row through the sort, only to keep ``limit`` of them,
    is what made the province-wide lists slow.
    """
    if kind not in LISTS:
        raise InvalidInput(f"list must be one of {', '.join(LISTS)}", field="list")
    check_sort(kind, sort)
    if sort is not None and sorts_in_python(kind, sort):
        ordered = _sorted_narrow(session, kind, sort, descending, day, rules, root, industry)
        end = None if limit is None else offset + limit
        return Listing(
            kind, _completed(session, kind, ordered[offset:end], day, rules, root), len(ordered)
        )
    build, key = _LIST_QUERIES[kind]
    stmt = _only_industry(build(day, rules, root), key, industry)
    if sort is not None:
        stmt = sorted_in_sql(stmt, kind, sort, descending=descending, key=key)
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
    sort: str | None = None,
    descending: bool = False,
) -> Iterator[dict[str, Any]]:
    """Every row of a list, streamed from one query ``batch`` rows at a time (exports of
    large lists; paging with ``OFFSET`` would re-run the query once per batch), in the
    order :func:`listing` gives for the same ``sort``."""
    if kind not in LISTS:
        raise InvalidInput(f"list must be one of {', '.join(LISTS)}", field="list")
    check_sort(kind, sort)
    if sort is not None and sorts_in_python(kind, sort):
        ordered = _sorted_narrow(session, kind, sort, descending, day, rules, root, industry)
        for start in range(0, len(ordered), batch):
            yield from _completed(session, kind, ordered[start : start + batch], day, rules, root)
        return
    build, key = _LIST_QUERIES[kind]
    stmt = _only_industry(build(day, rules, root), key, industry)
    if sort is not None:
        stmt = sorted_in_sql(stmt, kind, sort, descending=descending, key=key)
    for part in session.execute(stmt.execution_options(yield_per=batch)).partitions():
        records = [dict(row._mapping) for row in part]
        if key is None:
            _describe(session, records)
        for record in records:
            _finish_row(kind, record, day, rules)
            yield record


#: Each list's statement and the column that identifies its rows (for paging by key;
#: None: page in one pass).
_LIST_QUERIES: dict[str, tuple[ListQuery, Any]] = {
    "missing": (_missing, Enterprise.id),
    "overdue_evaluation": (_overdue_evaluation, Plan.id),
    "overdue_drill": (_overdue_drill, None),
    "filed_late": (_filed_late, Plan.id),
}


#: The narrow columns a Python sort needs (the derived columns are computed from them).
_NARROW: dict[str, tuple[Any, ...]] = {
    "filed_late": (
        Plan.id.label("plan_id"),
        Plan.published_on,
        Plan.submitted_on,
        Plan.filed_on,
    ),
}


def _sorted_narrow(
    session: Session,
    kind: str,
    sort: str,
    descending: bool,
    day: date,
    rules: Rules,
    root: Jurisdiction | None,
    industry: str | None,
) -> list[dict[str, Any]]:
    """Every row of the list, narrow (a key and what the derived columns are computed
    from), with its derived columns, sorted by ``sort``.  The wide columns are read only
    for the rows shown (:func:`_completed`): reading them for every row of a
    province-wide list is what made a Python sort slow."""
    build, key = _LIST_QUERIES[kind]
    stmt = _only_industry(build(day, rules, root), key, industry)
    if kind in _NARROW:
        stmt = stmt.with_only_columns(*_NARROW[kind])
    deadlines: dict[date, date] = {}
    rows = [dict(row._mapping) for row in session.execute(stmt)]
    for row in rows:
        _finish_row(kind, row, day, rules, deadlines)
    return sorted_rows(rows, sort, descending=descending, tie=_tie(kind))


def _completed(
    session: Session,
    kind: str,
    narrow: list[dict[str, Any]],
    day: date,
    rules: Rules,
    root: Jurisdiction | None,
) -> list[dict[str, Any]]:
    """The full rows of ``narrow`` (from :func:`_sorted_narrow`), in its order."""
    if not narrow:
        return []
    build, key = _LIST_QUERIES[kind]
    if key is None:
        _describe(session, narrow)
        return narrow
    ident = _tie(kind)
    wanted = [row[ident] for row in narrow]
    found = {
        full[ident]: full
        for full in (
            dict(row._mapping)
            for row in session.execute(build(day, rules, root).where(key.in_(wanted)))
        )
    }
    deadlines: dict[date, date] = {}
    for full in found.values():
        _finish_row(kind, full, day, rules, deadlines)
    return [found[ident_value] for ident_value in wanted]


def _tie(kind: str) -> str:
    """The row key that identifies a row of the list (for ties in a Python sort)."""
    return "enterprise_id" if kind == "missing" else "plan_id"


def _finish_row(
    kind: str,
    row: dict[str, Any],
    day: date,
    rules: Rules,
    deadlines: dict[date, date] | None = None,
) -> None:
    """Add the derived columns (due date, days overdue) to one row of a list
    (``deadlines``: filing deadlines already worked out, by publication date)."""
    if kind == "missing":
        row["hazard_grade"] = row["hazard_grade"] or None
        return
    if kind == "filed_late":
        if deadlines is None:
            deadline = filing_deadline(row["published_on"], rules)
        else:
            published = row["published_on"]
            if published not in deadlines:
                deadlines[published] = filing_deadline(published, rules)
            deadline = deadlines[published]
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
