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

The package re-exports every public name of its modules (``filing_rates.rates(...)``):

* :mod:`.core` — the value types and the shared SQL building blocks and clauses;
* :mod:`.tables` — the rate tables by industry, jurisdiction or grade, and the total;
* :mod:`.history` — the trend line over month ends;
* :mod:`.list_queries` — the SQL statement behind each list;
* :mod:`.lists` — a list's page and total, and every row streamed for exports.
"""

from __future__ import annotations

from responder.services.filing_rates.core import (
    Point,
    Rate,
    evaluates_clause,
    required_clause,
    required_enterprises,
    resolve_root,
    valid_on,
)
from responder.services.filing_rates.history import FAR, totals_on, trend
from responder.services.filing_rates.list_queries import DRILL_SCOPES, ENTERPRISE_DRILL_TYPES
from responder.services.filing_rates.list_sorting import COLUMNS as LIST_COLUMNS
from responder.services.filing_rates.list_sorting import check_sort
from responder.services.filing_rates.lists import LISTS, Listing, ListQuery, iter_all, listing
from responder.services.filing_rates.tables import GROUPINGS, NO_GRADE, rates, total

__all__ = [
    "DRILL_SCOPES",
    "ENTERPRISE_DRILL_TYPES",
    "FAR",
    "GROUPINGS",
    "LISTS",
    "LIST_COLUMNS",
    "NO_GRADE",
    "ListQuery",
    "Listing",
    "Point",
    "Rate",
    "check_sort",
    "evaluates_clause",
    "iter_all",
    "listing",
    "rates",
    "required_clause",
    "required_enterprises",
    "resolve_root",
    "total",
    "totals_on",
    "trend",
    "valid_on",
]
