"""Working days and calendar arithmetic for the filing rules (deadlines, due dates).

Working days are Monday to Friday minus the configured holidays, plus the configured
make-up workdays (调休: a weekend day worked instead of a holiday).  Both lists come from
``rules.toml`` so a new year's holiday calendar is a data change, not a code change.
"""

from __future__ import annotations

import calendar
import logging
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from responder.rules import Rules

logger = logging.getLogger(__name__)


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


@dataclass(frozen=True)
class DeadlineOffsets:
    """The filing deadline as days after publication, in a form SQL can look up:
    ``by_weekday`` where only weekends are off (by the publication's weekday, Monday
    first), and ``moved``, the publication dates whose deadline the holiday calendar moves
    (a holiday or a make-up working day falls before it)."""

    by_weekday: tuple[int, ...]
    moved: dict[date, int]

    def days_to_deadline(self, published_on: date) -> int:
        """``(filing_deadline(published_on, rules) - published_on).days``."""
        return self.moved.get(published_on, self.by_weekday[published_on.weekday()])


def deadline_offsets(rules: Rules) -> DeadlineOffsets:
    """Every filing deadline of ``rules`` as :class:`DeadlineOffsets`.

    The deadline is monotone in the publication date, so the dates whose window
    (publication, deadline] holds a given special day form one run just before it: walk
    back from each special day while either deadline (the calendar's or the weekends-only
    one) still reaches it.  A date outside every such run counts the same working days as
    a weekends-only calendar.  A few hundred dates a shipped year.
    """
    count = rules.working_days_to_file
    by_weekday = tuple(_weekend_days_to(count, weekday) for weekday in range(7))
    moved: dict[date, int] = {}
    seen: set[date] = set()
    for special in sorted(rules.holidays | rules.workdays):
        published = special - timedelta(days=1)
        while published not in seen:
            seen.add(published)
            deadline = filing_deadline(published, rules)
            weekends_only = published + timedelta(days=by_weekday[published.weekday()])
            if max(deadline, weekends_only) < special:
                break
            if deadline != weekends_only:
                moved[published] = (deadline - published).days
            published -= timedelta(days=1)
    return DeadlineOffsets(by_weekday, moved)


def _weekend_days_to(count: int, weekday: int) -> int:
    """Days from a date of ``weekday`` (Monday 0) to the ``count``-th weekday after it."""
    start = date(2001, 1, 1) + timedelta(days=weekday)  # 2001-01-01 was a Monday
    day, remaining = start, count
    while remaining:
        day += timedelta(days=1)
        remaining -= day.weekday() < 5
    return (day - start).days


def is_late(published_on: date | None, submitted_on: date, rules: Rules) -> bool:
    """True if a plan was submitted more than the allowed working days after publication.

    Lateness is the owner's: it is judged on the *submission* date (办法 Art 26), however
    long the authority then takes to file.
    """
    return published_on is not None and submitted_on > filing_deadline(published_on, rules)


def check_deadline(submitted_on: date, rules: Rules) -> date:
    """The last day of the authority's check of a complete submission (办法 Art 28: within
    ``check_working_days`` working days; the submission day itself is not counted)."""
    return add_working_days(submitted_on, rules.check_working_days, rules)


def deemed_filed_on(submitted_on: date, rules: Rules) -> date:
    """The day a complete submission the authority neither filed nor returned in time
    counts as filed (视为已经备案): the calendar day after its check window ends."""
    return check_deadline(submitted_on, rules) + timedelta(days=1)


def working_days_between(first: date, last: date, rules: Rules) -> int:
    """Working days after ``first`` up to and including ``last`` (negative when ``last`` is
    earlier: the working days it lies behind ``first``)."""
    if last < first:
        return -working_days_between(last, first, rules)
    count, day = 0, first
    while day < last:
        day += timedelta(days=1)
        count += is_working_day(day, rules)
    return count


@dataclass(frozen=True)
class CalendarWarning:
    """A year the working-day arithmetic needs but the rules file does not ship (or ships
    unverified): deadlines in it count only weekends as days off."""

    year: int
    problem: str  # "missing" or "unverified"


def calendar_warnings(rules: Rules, today: date) -> list[CalendarWarning]:
    """Warnings for the current and the next year's holiday calendar."""
    found = []
    for year in (today.year, today.year + 1):
        shipped = rules.calendar_years.get(year)
        if shipped is None:
            found.append(CalendarWarning(year, "missing"))
        elif not shipped.verified:
            found.append(CalendarWarning(year, "unverified"))
    return found


def log_calendar_warnings(rules: Rules, today: date) -> list[CalendarWarning]:
    """Log each calendar warning (at WARNING, once per call) and return them."""
    found = calendar_warnings(rules, today)
    for warning in found:
        logger.warning(
            "holiday calendar for %s is %s in the rules file: working-day deadlines in that "
            "year count only weekends as days off; add the State Council notice's dates",
            warning.year,
            warning.problem,
        )
    return found


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
