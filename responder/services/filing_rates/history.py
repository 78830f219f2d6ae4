"""The rate over time: the trend line at month ends, read off running sums of dated events
in one grouped statement.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable
from datetime import date
from typing import Any

from sqlalchemy import Date, case, cast, func, literal, or_, select, union_all
from sqlalchemy.orm import Session

from responder.errors import InvalidInput
from responder.models import Enterprise, HazardSource, Jurisdiction, PlanCoverage
from responder.rules import Rules
from responder.services import jurisdictions
from responder.services.filing_rates.core import Point, _as_date
from responder.services.workdays import month_ends


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


def _day_of(session: Session) -> Callable[[Any], Any]:
    """The calendar date (UTC) of a timestamp column, in the session's SQL dialect."""
    if session.get_bind().dialect.name == "sqlite":
        return lambda column: func.date(column, type_=Date)
    return lambda column: cast(column, Date)
