"""Sorting the filing lists by any of their columns.

A column the database holds (or one that rises and falls with a stored date: an
evaluation's due date with the date it counts from) is sorted in SQL, so paging still reads
only a page; the overdue-drill rows, which are narrow until described, are sorted by their
plan's title, enterprise or jurisdiction through a scalar subquery, and by due date through
an integer key built from the last drill and the cycle.  The days late of a filing depend
on the holiday calendar, which SQL does not know: the statement carries the days from
publication to deadline by weekday, and by date for the few hundred dates a year that the
calendar moves (:func:`_days_late`).  Empty values come last in either direction; ties
keep the list's identity order (the days late: the plan id in the sort's direction).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from sqlalchemy import Integer, Select, case, func, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement

from responder.errors import InvalidInput
from responder.models import Enterprise, Jurisdiction, Plan
from responder.rules import Rules
from responder.services.workdays import deadline_offsets

#: The columns of each list (the keys of its rows), in the order the lists show them.
COLUMNS: dict[str, tuple[str, ...]] = {
    "missing": (
        "enterprise_id",
        "enterprise",
        "credit_code",
        "industry",
        "jurisdiction",
        "hazard_grade",
    ),
    "overdue_evaluation": (
        "plan_id",
        "title",
        "filing_number",
        "enterprise",
        "industry",
        "jurisdiction",
        "last_evaluated_on",
        "due",
        "days_overdue",
    ),
    "overdue_drill": (
        "scope",
        "plan_id",
        "title",
        "enterprise",
        "industry",
        "jurisdiction",
        "last_drill_on",
        "due",
        "days_overdue",
    ),
    "filed_late": (
        "plan_id",
        "title",
        "filing_number",
        "enterprise",
        "industry",
        "jurisdiction",
        "published_on",
        "deadline",
        "submitted_on",
        "filed_on",
        "days_late",
    ),
}

_EVALUATION_BASE = func.coalesce(Plan.last_evaluated_on, Plan.published_on)


def check_sort(kind: str, sort: str | None) -> None:
    """Refuse a column the list does not have (naming the ``sort`` parameter)."""
    if sort is not None and sort not in COLUMNS[kind]:
        raise InvalidInput(
            f"cannot sort by '{sort}'; one of {', '.join(COLUMNS[kind])}", field="sort"
        )


class days_between(FunctionElement[int]):
    """``days_between(later, earlier)``: the days from one date to another.  PostgreSQL
    subtracts dates; SQLite, which keeps them as ISO text, their Julian day numbers."""

    type = Integer()
    name = "days_between"
    inherit_cache = True


@compiles(days_between)
def _days_between(element: days_between, compiler: SQLCompiler, **kw: Any) -> str:
    later, earlier = (compiler.process(clause, **kw) for clause in element.clauses)
    return f"({later} - {earlier})"


@compiles(days_between, "sqlite")
def _days_between_sqlite(element: days_between, compiler: SQLCompiler, **kw: Any) -> str:
    later, earlier = (compiler.process(clause, **kw) for clause in element.clauses)
    return f"CAST(julianday({later}) - julianday({earlier}) AS INTEGER)"


def _days_late(rules: Rules) -> Any:
    """The days late of a row as SQL: its submission (else its filing day) minus its
    publication minus the days to the deadline (:func:`~responder.services.workdays.
    deadline_offsets`: by weekday, but for the dates the holiday calendar moves, which
    are looked up in ``IN`` lists grouped by offset)."""
    offsets = deadline_offsets(rules)
    weekday = func.extract("dow", Plan.published_on)  # 0 = Sunday, in SQLite and PostgreSQL
    offset: Any = case(
        {(day + 1) % 7: days for day, days in enumerate(offsets.by_weekday)}, value=weekday
    )
    moved: dict[int, list[date]] = {}
    for published, days in sorted(offsets.moved.items()):
        moved.setdefault(days, []).append(published)
    if moved:
        offset = case(
            *((Plan.published_on.in_(dates), days) for days, dates in moved.items()),
            else_=offset,
        )
    submitted = func.coalesce(Plan.submitted_on, Plan.filed_on)
    return days_between(submitted, Plan.published_on) - offset


def _drill_expression(stmt: Select[Any], sort: str) -> Any:
    """The overdue-drill rows' sort expression (their titles and names are not selected)."""
    row = stmt.selected_columns
    described: dict[str, Callable[[], Any]] = {
        "title": lambda: select(Plan.title).where(Plan.id == row.plan_id).scalar_subquery(),
        "enterprise": lambda: (
            select(Enterprise.name).where(Enterprise.id == row.enterprise_id).scalar_subquery()
        ),
        "industry": lambda: (
            select(Enterprise.industry).where(Enterprise.id == row.enterprise_id).scalar_subquery()
        ),
        "jurisdiction": lambda: (
            select(Jurisdiction.name)
            .join(Plan, Plan.jurisdiction_id == Jurisdiction.id)
            .where(Plan.id == row.plan_id)
            .scalar_subquery()
        ),
    }
    if sort in {"due", "days_overdue"}:
        return _drill_due_key(row.last_drill_on, row.cycle_months)
    return described[sort]() if sort in described else row[sort]


def _drill_due_key(last: Any, cycle_months: Any) -> Any:
    """An integer that orders drills as their due date (``add_months(last, cycle)``) does:
    the due month first, then the day of ``last`` (a due date clamped to a month's end
    keeps its order, ties aside)."""
    month = func.extract("year", last) * 12 + func.extract("month", last) + cycle_months
    return month * 100 + func.extract("day", last)


def sorted_in_sql(
    stmt: Select[Any],
    kind: str,
    sort: str,
    *,
    descending: bool,
    key: Any,
    rules: Rules,
) -> Select[Any]:
    """``stmt`` ordered by column ``sort`` (empty values last), ties by the list's key (the
    days late, worked out with the holiday calendar of ``rules``: by the plan id in the
    sort's direction)."""
    reverse = descending
    if kind == "overdue_drill":
        expression = _drill_expression(stmt, sort)
        if sort == "days_overdue":  # more days overdue = an earlier due date
            reverse = not descending
        tie = stmt.selected_columns.plan_id
    else:
        if kind == "overdue_evaluation" and sort in {"due", "days_overdue"}:
            expression = _EVALUATION_BASE  # more days overdue = an older base date
            reverse = descending if sort == "due" else not descending
        elif kind == "filed_late" and sort == "deadline":
            expression = Plan.published_on  # the deadline rises with the publication date
        elif kind == "filed_late" and sort == "days_late":
            expression = _days_late(rules)
            if descending:
                key = key.desc()
        else:
            expression = stmt.selected_columns[sort]
        tie = key
    ordered = expression.desc() if reverse else expression.asc()
    return stmt.order_by(None).order_by(ordered.nulls_last(), tie)
