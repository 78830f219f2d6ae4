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
from responder.services.filing_rates.list_sorting import check_sort, sorted_in_sql
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
    build, key = _LIST_QUERIES[kind]
    stmt = _only_industry(build(day, rules, root), key, industry)
    if sort is not None:
        stmt = sorted_in_sql(stmt, kind, sort, descending=descending, key=key, rules=rules)
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
    build, key = _LIST_QUERIES[kind]
    stmt = _only_industry(build(day, rules, root), key, industry)
    if sort is not None:
        stmt = sorted_in_sql(stmt, kind, sort, descending=descending, key=key, rules=rules)
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
