"""Fast isochrone outlines for maps: concave hulls of the road nodes reached in time.

An incident page needs its 5/15/30-minute rings in milliseconds (rasterising the
reachable roads took about a second on the demo region). Here one bounded search gives
every node's time and a concave hull of the nodes inside each budget outlines the area
(the roads themselves stay exact).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

from .closures import Closures
from .coverage import arrival_times
from .network import RoadNetwork
from .snapping import Snap
from .weights import Direction


def reachable_hulls(
    network: RoadNetwork,
    center: Snap,
    minutes: Sequence[float],
    *,
    direction: Direction = "to",
    closures: Closures | None = None,
    ratio: float = 0.25,
    cell_deg: float = 0.0005,
    max_points: int = 1500,
) -> list[BaseGeometry]:
    """One outline per time budget (minutes), from a single search.

    Parameters
    ----------
    network : RoadNetwork
    center : Snap
        The incident (``direction="to"``: from where can one reach it) or a base.
    minutes : sequence of float
        Time budgets, any order.
    ratio : float
        Concave-hull tightness (0 = tightest, 1 = convex hull).
    cell_deg : float
        Reached nodes are thinned to one per grid cell of at least this size (degrees).
    max_points : int
        Roughly how many thinned points an outline is drawn from.

    Returns
    -------
    list of shapely geometries (empty polygon when fewer than three nodes are reached).
    """
    if not minutes:
        return []
    if min(minutes) <= 0:
        raise ValueError("time budgets must be positive minutes")
    times, _ = arrival_times(
        network, [center], direction=direction, cutoff_s=max(minutes) * 60.0, closures=closures
    )
    lon, lat = np.asarray(network.node_lon), np.asarray(network.node_lat)
    hulls: list[BaseGeometry] = []
    for budget in minutes:
        inside = np.flatnonzero(times <= budget * 60.0)
        if inside.size < 3:
            hulls.append(shapely.Polygon())
            continue
        # Thin the nodes to one per grid cell (at least ``cell_deg``, coarser for large
        # areas so about ``max_points`` remain): enough for an outline, and fast.
        xy = np.column_stack([lon[inside], lat[inside]])
        span = np.ptp(xy, axis=0)
        cell = max(cell_deg, float(np.sqrt(span[0] * span[1] / max_points)))
        points = shapely.multipoints(np.unique(np.round(xy / cell), axis=0) * cell)
        hulls.append(shapely.concave_hull(points, ratio=ratio))
    return hulls
