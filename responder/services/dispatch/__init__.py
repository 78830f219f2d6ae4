"""Dispatch: propose the nearest capable teams and the materials for an incident, confirm
them atomically, and follow each team until it is released.

Arrival time = the team's mobilization time + road travel time from the team's location TO
the incident (the engine searches the reversed graph, so one-way streets count the right
way).  The proposal is computed by :func:`compute_proposal`, a pure function over plain
resource lists, so drills can run it against a snapshot instead of live state.

The package is split by concern; this module re-exports the public names so callers
(``http/``, drills, coverage, scripts) keep writing ``dispatch.confirm(...)``:

- :mod:`.resources` — plain team and stock values, the one mobilization rule, the one
  usable-stock query;
- :mod:`.placing` — snapping points to roads, with one snap cache;
- :mod:`.context` — the one routing context shared by dispatch, coverage and drills;
- :mod:`.proposal` — the pure proposal with typed results;
- :mod:`.severity` — the grade derived from deaths, injuries and loss, and raising it;
- :mod:`.commitments` — what an incident already has and what is still outstanding;
- :mod:`.places`, :mod:`.layers` — the console's place search and its map layers;
- :mod:`.board`, :mod:`.timeline` — the operators' board, its change version, and an
  incident's timeline and notes;
- :mod:`.incidents`, :mod:`.proposals`, :mod:`.confirmation`, :mod:`.assignments` — the
  database side: incidents, stored proposals, confirming, and a team's life on a dispatch.
"""

from __future__ import annotations

from responder.services.dispatch import (
    board,
    commitments,
    layers,
    places,
    severity,
    timeline,
)
from responder.services.dispatch.assignments import (
    ACTIVE_STATES,
    NEXT_STATE,
    Closure,
    advance,
    availability,
    close_incident,
    get_assignment,
    move_team,
)
from responder.services.dispatch.confirmation import MaterialPick, TeamPick, confirm
from responder.services.dispatch.context import RelatedPlans, RoutingContext
from responder.services.dispatch.incidents import (
    check_incident,
    count_live_incidents,
    create_incident,
    get_live_incident,
    hazard_sources_near,
    live_incidents,
    reach_rings,
)
from responder.services.dispatch.placing import snap_point
from responder.services.dispatch.proposal import (
    MaterialFill,
    ProposalResult,
    TeamOption,
    compute_proposal,
)
from responder.services.dispatch.proposals import latest_proposal, propose
from responder.services.dispatch.resources import (
    Resources,
    StockResource,
    TeamResource,
    effective_mobilization_min,
    is_expired,
    live_resources,
    not_expired,
    team_resources,
    usable_stock,
)

__all__ = [
    "ACTIVE_STATES",
    "NEXT_STATE",
    "Closure",
    "MaterialFill",
    "MaterialPick",
    "ProposalResult",
    "RelatedPlans",
    "Resources",
    "RoutingContext",
    "StockResource",
    "TeamOption",
    "TeamPick",
    "TeamResource",
    "advance",
    "availability",
    "board",
    "check_incident",
    "close_incident",
    "commitments",
    "compute_proposal",
    "confirm",
    "count_live_incidents",
    "create_incident",
    "effective_mobilization_min",
    "get_assignment",
    "get_live_incident",
    "hazard_sources_near",
    "is_expired",
    "latest_proposal",
    "layers",
    "live_incidents",
    "live_resources",
    "move_team",
    "not_expired",
    "places",
    "propose",
    "reach_rings",
    "severity",
    "snap_point",
    "team_resources",
    "timeline",
    "usable_stock",
]
