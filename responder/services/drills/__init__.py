"""Drills (应急演练): simulated incidents dispatched against a snapshot of the registry.

A drill is a saved scenario (a start time and simulated incidents at minute offsets).
Running it reads live availability and stock ONCE, then dispatches each incident in time
order with :func:`responder.services.dispatch.compute_proposal` against that snapshot:

- a team sent to an earlier incident is busy until it could have returned (arrival + the
  on-scene time of its specialty from the rules + road travel back to its base), and free
  again after that;
- stock taken by an earlier incident is gone for the later ones.

Nothing live changes: no team status, no stock, no live incident.  The run is stored in
``drill_runs`` (with the registry snapshot, so two runs can be compared) and audited once.

The package is split by concern (:mod:`.scenarios`, :mod:`.snapshot`, :mod:`.simulation`,
:mod:`.runs`, :mod:`.comparison`); this module re-exports the public names.
"""

from __future__ import annotations

from responder.services.drills.comparison import compare
from responder.services.drills.runs import TIMELINE_COLUMNS, run, run_json, timeline_rows
from responder.services.drills.scenarios import (
    MAX_INCIDENTS,
    MAX_OFFSET_MIN,
    SCENARIO_FIELDS,
    add_incident,
    create,
    get,
    get_run,
    remove_incident,
    require_read,
    update,
    visible,
)
from responder.services.drills.simulation import Planned, simulate
from responder.services.drills.snapshot import fingerprint, registry_snapshot

__all__ = [
    "MAX_INCIDENTS",
    "MAX_OFFSET_MIN",
    "SCENARIO_FIELDS",
    "TIMELINE_COLUMNS",
    "Planned",
    "add_incident",
    "compare",
    "create",
    "fingerprint",
    "get",
    "get_run",
    "registry_snapshot",
    "remove_incident",
    "require_read",
    "run",
    "run_json",
    "simulate",
    "timeline_rows",
    "update",
    "visible",
]
