"""Coverage (救援圈): which roads, enterprises and major hazard sources of a jurisdiction
can be reached within the arrival-time standard by at least one available team.

Arrival = the team's mobilization time + road travel time from the team TO the point.
Per specialty this is ONE multi-source search (:func:`responder.routing.coverage.
arrival_times`) in which every team starts at its own mobilization time, so the work does
not grow with the number of points asked about.

What-if ("if these teams leave, what is uncovered?") is the same with those teams left
out.  Site suggestions add teams greedily where they cover the most still-uncovered major
hazard sources (maximal covering), using one bounded search per uncovered source on the
reversed graph.

Modules: :mod:`.figures` (the pure computation), :mod:`.areas` (database inputs),
:mod:`.live` (coverage of the live registry, what-if), :mod:`.siting` (where to add a
team), :mod:`.layers` (drawing data for maps), :mod:`.county_targets` (the per-county
minimum forces and key-county coverage).  This module re-exports the public names.
"""

from __future__ import annotations

from responder.services.coverage.areas import (
    area_choices,
    area_of,
    check_away,
    check_specialty,
    sites_in,
    teams_of,
)
from responder.services.coverage.county_targets import county_targets
from responder.services.coverage.figures import (
    REPORT_FACTOR,
    Area,
    CoverageResult,
    Site,
    compute,
    road_mask,
)
from responder.services.coverage.layers import MapLayers, map_layers
from responder.services.coverage.live import coverage
from responder.services.coverage.siting import (
    Candidate,
    greedy_cover,
    registry_candidates,
    suggest_sites,
)

__all__ = [
    "REPORT_FACTOR",
    "Area",
    "Candidate",
    "CoverageResult",
    "MapLayers",
    "Site",
    "area_choices",
    "area_of",
    "check_away",
    "check_specialty",
    "compute",
    "county_targets",
    "coverage",
    "greedy_cover",
    "map_layers",
    "registry_candidates",
    "road_mask",
    "sites_in",
    "suggest_sites",
    "teams_of",
]
