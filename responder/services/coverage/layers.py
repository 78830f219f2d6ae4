"""Coverage as plain drawing data for the coverage map (no map library here)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from responder.routing import RoadNetwork
from responder.routing import coverage as search
from responder.services.coverage.figures import CoverageResult
from responder.services.standards import EPSILON_S


@dataclass
class MapLayers:
    """Coverage as plain drawing data: road lines by state, hazard sources, the frame."""

    lines: dict[str, list[NDArray[np.float64]]]
    hazards: list[dict[str, Any]]
    bounds: tuple[float, float, float, float]


def map_layers(network: RoadNetwork, result: CoverageResult) -> MapLayers:
    """Roads of the area split into covered / partly covered / uncovered (simplified for
    drawing), each hazard source with whether help arrives in time, and the map frame."""
    roads = np.flatnonzero(result.road_mask)
    share = result.road_share[roads]
    groups = {
        "covered": roads[share >= 0.999],
        "partial": roads[(share > 0) & (share < 0.999)],
        "uncovered": roads[share <= 0],
    }
    lines = {key: search.road_lines(network, ids, tolerance_m=12.0) for key, ids in groups.items()}
    standard_s = result.standard_min * 60 + EPSILON_S
    hazards = []
    for site in result.hazards:
        seconds = result.site_times[(site.kind, site.id)]
        hazards.append(
            {
                **site.as_row(),
                "covered": seconds <= standard_s if (site.kind, site.id) in result.judged else None,
                "arrival_s": seconds if np.isfinite(seconds) else None,
            }
        )
    bounds = network.bounds
    if not result.road_mask.all() and roads.size:
        xy = search.road_midpoints(network)[roads]
        bounds = (
            float(xy[:, 0].min()),
            float(xy[:, 1].min()),
            float(xy[:, 0].max()),
            float(xy[:, 1].max()),
        )
    return MapLayers(lines, hazards, bounds)
