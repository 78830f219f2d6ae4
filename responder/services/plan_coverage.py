"""Plan coverage: the spans of days on which each enterprise had a counted plan in force.

A plan of a counted type (``rules.counted_plan_types``) is in force from ``filed_on`` — or
from ``deemed_filed_on`` when that is earlier: a complete submission the authority left
unanswered past its check window counts as filed (视为已经备案, 办法 Art 28) — up to (not
including) the day it was superseded or withdrawn.  An enterprise's coverage is the
union of those intervals, merged so that its spans neither overlap nor touch; the filing
rates read it (:mod:`responder.services.filing_rates`) instead of re-deriving it from every
plan: "covered on day D" becomes one indexed row per enterprise, and the trend over many
days a count of dates.

The spans are derived data.  They are rewritten for an enterprise inside the transaction
that changes one of its plans, so readers never see them out of step:

* ORM writes (the workflow's ``_move``, supersession, revisions, rows added by tests or
  imports) are caught by a session ``after_flush`` hook (:func:`keep_current`);
* statements that bypass the ORM must call :func:`refresh` themselves (filing does, after
  its conditional ``UPDATE``); bulk loads call :func:`rebuild`.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Iterator
from datetime import date
from itertools import groupby
from typing import Any

from sqlalchemy import delete, event, insert, inspect, or_, select
from sqlalchemy.orm import Session

from responder.models import Plan, PlanCoverage
from responder.models.plans import OPEN_END

#: Plan columns whose change can move an enterprise's coverage.
TRACKED = (
    "enterprise_id",
    "plan_type",
    "filed_on",
    "deemed_filed_on",
    "superseded_on",
    "withdrawn_on",
)
_CHUNK = 500

Span = tuple[date, date]
PlanTypes = Callable[[Session], Collection[str]]


def in_force_from(filed_on: date | None, deemed_filed_on: date | None) -> date | None:
    """The day a plan starts to count: filed, or deemed filed, whichever came first."""
    days = [day for day in (filed_on, deemed_filed_on) if day is not None]
    return min(days) if days else None


def spans(intervals: Iterable[tuple[date, date | None, date | None]]) -> list[Span]:
    """Merge plans' ``(in force from, superseded_on, withdrawn_on)`` into sorted, disjoint,
    non-touching spans ``[start, end)``; an interval that ends the day it starts is empty."""
    pieces = sorted(
        (filed, min(superseded or OPEN_END, withdrawn or OPEN_END))
        for filed, superseded, withdrawn in intervals
    )
    merged: list[list[date]] = []
    for start, end in pieces:
        if start >= end:
            continue
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return [(start, end) for start, end in merged]


def refresh(
    session: Session, enterprise_ids: Iterable[int | None], plan_types: Collection[str]
) -> None:
    """Rewrite the coverage of ``enterprise_ids`` from their plans, in the caller's
    transaction."""
    ids = sorted({i for i in enterprise_ids if i is not None})
    connection = session.connection()
    for begin in range(0, len(ids), _CHUNK):
        chunk = ids[begin : begin + _CHUNK]
        connection.execute(delete(PlanCoverage).where(PlanCoverage.enterprise_id.in_(chunk)))
        _write(session, _plan_intervals(plan_types, Plan.enterprise_id.in_(chunk)))


def rebuild(session: Session, plan_types: Collection[str]) -> int:
    """Rewrite every enterprise's coverage (after a bulk load, or when the counted plan
    types change); returns the number of spans."""
    session.connection().execute(delete(PlanCoverage))
    return _write(session, _plan_intervals(plan_types))


def _plan_intervals(plan_types: Collection[str], *where: Any) -> Any:
    return (
        select(
            Plan.enterprise_id,
            Plan.filed_on,
            Plan.deemed_filed_on,
            Plan.superseded_on,
            Plan.withdrawn_on,
        )
        .where(
            Plan.enterprise_id.is_not(None),
            or_(Plan.filed_on.is_not(None), Plan.deemed_filed_on.is_not(None)),
            Plan.plan_type.in_(sorted(plan_types)),
            *where,
        )
        .order_by(Plan.enterprise_id)
    )


def _write(session: Session, stmt: Any) -> int:
    connection = session.connection()
    written = 0
    batch: list[dict[str, Any]] = []
    for row in _rows(connection.execute(stmt)):
        batch.append(row)
        if len(batch) >= 5000:
            connection.execute(insert(PlanCoverage), batch)
            written += len(batch)
            batch = []
    if batch:
        connection.execute(insert(PlanCoverage), batch)
        written += len(batch)
    return written


def _rows(result: Iterable[Any]) -> Iterator[dict[str, Any]]:
    for enterprise_id, plans in groupby(result, key=lambda row: row[0]):
        intervals = [(in_force_from(row[1], row[2]), row[3], row[4]) for row in plans]
        for start, end in spans((a, b, c) for a, b, c in intervals if a is not None):
            yield {"enterprise_id": enterprise_id, "starts_on": start, "ends_on": end}


# --- keeping it current on ORM writes -----------------------------------------------------

_plan_types: PlanTypes | None = None


def keep_current(session_class: type[Session], plan_types: PlanTypes) -> None:
    """Refresh, in every flush of ``session_class``, the coverage of each enterprise one of
    whose plans was added, deleted or had a :data:`TRACKED` column changed.  ``plan_types``
    gives the counted plan types for a session (the app's rules).  Idempotent."""
    global _plan_types
    _plan_types = plan_types
    if not event.contains(session_class, "after_flush", _after_flush):
        event.listen(session_class, "after_flush", _after_flush)


def _after_flush(session: Session, _context: Any) -> None:
    touched = set(_touched(session))
    if touched and _plan_types is not None:
        refresh(session, touched, _plan_types(session))


def _touched(session: Session) -> Iterator[int | None]:
    """Enterprises (before and after the change) of the plans this flush wrote."""
    for obj in session.new:
        if isinstance(obj, Plan):
            yield obj.enterprise_id
    for obj in session.deleted:
        if isinstance(obj, Plan):
            yield obj.enterprise_id
    for obj in session.dirty:
        if not isinstance(obj, Plan):
            continue
        state = inspect(obj)
        histories = [state.attrs[name].history for name in TRACKED]
        if any(history.has_changes() for history in histories):
            yield obj.enterprise_id
            yield from state.attrs.enterprise_id.history.deleted
