"""Sorting the filing lists by any of their columns.

A column the database holds (or one that rises and falls with a stored date: an
evaluation's due date with the date it counts from) is sorted in SQL, so paging still reads
only a page; the overdue-drill rows, which are narrow until described, are sorted by their
plan's title, enterprise or jurisdiction through a scalar subquery, and by due date through
an integer key built from the last drill and the cycle.  The days late of a filing depend
on two dates and the holiday calendar, which SQL does not know: that column is sorted in
Python over narrow rows of the whole list (:func:`sorts_in_python` tells the caller).
Empty values come last in either direction; ties keep the list's identity order.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import Select, func, select

from responder.errors import InvalidInput
from responder.models import Enterprise, Jurisdiction, Plan

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

#: Derived columns sorted in Python over the whole list.
PYTHON_SORTED: dict[str, frozenset[str]] = {"filed_late": frozenset({"days_late"})}

_EVALUATION_BASE = func.coalesce(Plan.last_evaluated_on, Plan.published_on)


def check_sort(kind: str, sort: str | None) -> None:
    """Refuse a column the list does not have (naming the ``sort`` parameter)."""
    if sort is not None and sort not in COLUMNS[kind]:
        raise InvalidInput(
            f"cannot sort by '{sort}'; one of {', '.join(COLUMNS[kind])}", field="sort"
        )


def sorts_in_python(kind: str, sort: str | None) -> bool:
    return sort is not None and sort in PYTHON_SORTED.get(kind, frozenset())


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
    stmt: Select[Any], kind: str, sort: str, *, descending: bool, key: Any
) -> Select[Any]:
    """``stmt`` ordered by column ``sort`` (empty values last), ties by the list's key."""
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
        else:
            expression = stmt.selected_columns[sort]
        tie = key
    ordered = expression.desc() if reverse else expression.asc()
    return stmt.order_by(None).order_by(ordered.nulls_last(), tie)


def sorted_rows(
    rows: list[dict[str, Any]], sort: str, *, descending: bool, tie: str
) -> list[dict[str, Any]]:
    """Rows sorted in Python by ``sort`` (empty values last), ties by ``tie``."""
    present = sorted(
        (row for row in rows if row.get(sort) is not None),
        key=lambda row: (row[sort], row.get(tie) or 0),
        reverse=descending,
    )
    return present + [row for row in rows if row.get(sort) is None]
