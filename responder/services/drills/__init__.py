"""Drills (应急演练): simulated incidents dispatched against a snapshot of the registry.

A drill is a saved scenario (a start time, simulated incidents at minute offsets and timed
injects: a road closes, a team becomes unavailable, a second incident, a severity raised).
Running it reads live availability and stock ONCE, then replays incidents and injects in
time order (rules in :mod:`.simulation`) with
:func:`responder.services.dispatch.compute_proposal` against that snapshot:

- a team sent to an earlier incident is busy until it could have returned (arrival + the
  on-scene time of its specialty from the rules + road travel back to its base), and free
  again after that;
- stock taken by an earlier incident is gone for the later ones.

Nothing live changes: no team status, no stock, no live incident.  The run is stored in
``drill_runs`` (with the registry snapshot, so two runs can be compared) and audited once.

The package is split by concern (:mod:`.scenarios`, :mod:`.snapshot`, :mod:`.simulation`,
:mod:`.runs`, :mod:`.comparison`, :mod:`.evaluation`); this module re-exports the public
names.  A run's evaluation can be recorded as a tabletop drill of the plans it exercised.
"""

from __future__ import annotations

from responder.services.drills.comparison import compare
from responder.services.drills.evaluation import evaluate, plan_choices, record_plan_drills
from responder.services.drills.runs import TIMELINE_COLUMNS, run, run_json, timeline_rows
from responder.services.drills.scenarios import (
    INJECT_KINDS,
    MAX_INCIDENTS,
    MAX_OFFSET_MIN,
    SCENARIO_FIELDS,
    add_incident,
    add_inject,
    create,
    get,
    get_run,
    inject_dict,
    remove_incident,
    remove_inject,
    require_owner,
    require_read,
    update,
    visible,
)
from responder.services.drills.simulation import Inject, Planned, simulate
from responder.services.drills.snapshot import fingerprint, registry_snapshot

__all__ = [
    "INJECT_KINDS",
    "MAX_INCIDENTS",
    "MAX_OFFSET_MIN",
    "SCENARIO_FIELDS",
    "TIMELINE_COLUMNS",
    "Inject",
    "Planned",
    "add_incident",
    "add_inject",
    "compare",
    "create",
    "evaluate",
    "fingerprint",
    "get",
    "get_run",
    "inject_dict",
    "plan_choices",
    "record_plan_drills",
    "registry_snapshot",
    "remove_incident",
    "remove_inject",
    "require_owner",
    "require_read",
    "run",
    "run_json",
    "simulate",
    "timeline_rows",
    "update",
    "visible",
]
