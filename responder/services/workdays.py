"""Working days and calendar arithmetic for the filing rules (deadlines, due dates).

Working days are Monday to Friday minus the configured holidays, plus the configured
make-up workdays (调休: a weekend day worked instead of a holiday).  Both lists come from
``rules.toml`` so a new year's holiday calendar is a data change, not a code change.
"""

from __future__ import annotations

import calendar
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from responder.rules import Rules


def is_working_day(day: date, rules: Rules) -> bool:
    """True if ``day`` is a working day under ``rules``."""
    if day in rules.workdays:
        return True
    return day.weekday() < 5 and day not in rules.holidays


def add_working_days(start: date, count: int, rules: Rules) -> date:
    """The ``count``-th working day after ``start`` (``start`` itself is not counted).

    With ``count`` = 20 and ``start`` the publication date, this is the last day on which
    filing is still on time.
    """
    if count < 0:
        raise ValueError("count must not be negative")
    day = start
    remaining = count
    while remaining:
        day += timedelta(days=1)
        if is_working_day(day, rules):
            remaining -= 1
    return day


def filing_deadline(published_on: date, rules: Rules) -> date:
    """The last on-time filing day for a plan published on ``published_on``."""
    return add_working_days(published_on, rules.working_days_to_file, rules)


def is_late(published_on: date | None, filed_on: date, rules: Rules) -> bool:
    """True if a plan was filed more than the allowed working days after publication."""
    return published_on is not None and filed_on > filing_deadline(published_on, rules)


def add_months(day: date, months: int) -> date:
    """``day`` moved by ``months`` (may be negative), clamped to the month's last day
    (31 Aug + 6 months = 28/29 Feb)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


def last_start_overdue(day: date, months: int) -> date:
    """The latest start date whose cycle of ``months`` ended before ``day``.

    A cycle that started on ``start`` is due ``add_months(start, months)``; it is overdue on
    ``day`` exactly when ``start <= last_start_overdue(day, months)`` (due dates never go
    down as the start moves later, so one cutoff serves an indexed SQL comparison).
    Clamping makes ``add_months(day, -months)`` alone wrong near month ends.
    """
    start = add_months(day, -months) + timedelta(days=3)
    while add_months(start, months) >= day:
        start -= timedelta(days=1)
    return start


def month_end(year: int, month: int) -> date:
    """The last day of a month."""
    return date(year, month, calendar.monthrange(year, month)[1])


def month_ends(first: date, last: date) -> list[date]:
    """The month ends from ``first``'s month to ``last``'s month, inclusive."""
    ends = []
    year, month = first.year, first.month
    while (year, month) <= (last.year, last.month):
        ends.append(month_end(year, month))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return ends


def today_in(zone: str) -> date:
    """Today's calendar date in the time zone named ``zone`` (e.g. ``Asia/Shanghai``)."""
    return datetime.now(ZoneInfo(zone)).date()
