"""Coverage searches (救援圈): arrival times from many resources at once, with offsets.

:func:`arrival_times` is the one multi-source search of the engine. Each source starts at
its own offset (a team's mobilization time): the offset is added to the two out-edges of
the source's virtual node (the partial edges of its snapped point). A source node has no
incoming edges, so its own distance never matters and ``min_only`` still yields, per
node, the best (offset + travel) and which source gives it. The extended CSR is built by
appending ``2k`` entries to the shared arrays (one O(E) copy, see
``search.extended_graph``), not by rebuilding the graph.

:func:`reach_sets` answers the reverse question for site planning: for each target point,
every node from which it is reached within a budget (one bounded search per target on
the reversed graph, all sharing one extended CSR).

Everything here reads the network through its core; nothing mutates it.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.sparse.csgraph import dijkstra

from .closures import Closures
from .lines import road_geometries
from .search import check_direction, check_offsets, entry_slots, extended_graph
from .snapping import Snap
from .weights import Direction, part

if TYPE_CHECKING:
    from .network import RoadNetwork


def arrival_times(
    network: RoadNetwork,
    sources: Sequence[Snap],
    offsets_s: ArrayLike | None = None,
    *,
    direction: Direction = "from",
    cutoff_s: float | None = None,
    closures: Closures | None = None,
) -> tuple[NDArray[np.float64], NDArray[np.int64]]:
    """One multi-source search: earliest arrival at each node, each source starting late.

    Parameters
    ----------
    sources : sequence of Snap
        Resource positions (teams), or one incident for a single-source area.
    offsets_s : array-like of float, optional
        Per-source head start in seconds (mobilization time), finite and >= 0; default 0.
    direction : {"from", "to"}
        ``"from"``: offset + travel time from the nearest source TO each node (coverage);
        ``"to"``: travel time from each node to its nearest source, plus that source's
        offset (who reaches an incident in time).
    cutoff_s : float, optional
        Nodes not reached by this time get ``inf`` and source ``-1``.
    closures : Closures, optional
        Closures and slowdowns to honour.

    Returns
    -------
    times : ndarray of float64, shape (node_count,)
    nearest : ndarray of int64, shape (node_count,)
        Index into ``sources`` of the source achieving it, -1 where unreached.
    """
    check_direction(direction)
    offsets = check_offsets(offsets_s, len(sources))
    core = network.core
    n = core.node_count
    if not sources:
        return np.full(n, np.inf), np.full(n, -1, dtype=np.int64)
    weights = core.weights(closures)
    nodes, secs = entry_slots(sources, weights.times, direction)
    big = extended_graph(core, weights, direction, nodes, secs + np.repeat(offsets, 2))
    limit = math.inf if cutoff_s is None else float(cutoff_s)
    dist, _, origin = dijkstra(
        big,
        directed=True,
        indices=np.arange(n + 1, n + 1 + len(sources)),
        limit=limit,
        min_only=True,
        return_predecessors=True,
    )
    nearest = np.where(origin[:n] >= 0, origin[:n] - (n + 1), -1).astype(np.int64)
    return dist[:n], nearest


def point_times(
    network: RoadNetwork,
    node_times: NDArray[np.float64],
    points: Sequence[Snap],
    *,
    closures: Closures | None = None,
) -> NDArray[np.float64]:
    """Arrival time at snapped points given per-node arrival times (``"from"`` direction).

    A point on edge ``u -> v`` is entered from ``u`` along the edge or from ``v`` along its
    twin. (A source on the very same edge could reach it without passing a node; that
    shortcut is ignored, which can only under-state coverage, by less than one edge.)
    """
    if not points:
        return np.zeros(0)
    t = network.core.weights(closures).times
    edge = np.fromiter((s.edge for s in points), np.int64, len(points))
    twin = np.fromiter((s.twin for s in points), np.int64, len(points))
    frac = np.fromiter((s.fraction for s in points), np.float64, len(points))
    u, v = network.edge_u[edge], network.edge_v[edge]
    t_twin = np.where(twin >= 0, t[np.maximum(twin, 0)], np.inf)
    with np.errstate(invalid="ignore"):
        best = np.fmin(node_times[u] + part(frac, t[edge]), node_times[v] + part(1 - frac, t_twin))
    return np.where(np.isnan(best), np.inf, best)


def road_shares(
    network: RoadNetwork,
    node_times: NDArray[np.float64],
    threshold_s: float,
    *,
    closures: Closures | None = None,
) -> NDArray[np.float64]:
    """Share (0..1) of each road reached within ``threshold_s`` (``"from"`` direction).

    A road is covered from each end as far as the remaining time allows (uniform speed
    along the edge); partial coverage of a source's own road beyond what its end nodes
    imply is not counted. ``shares @ network.road_length_m`` is the covered length.
    """
    core = network.core
    t = core.weights(closures).times
    road_edge = core.arrays["road_edge"]
    fwd, twin = road_edge[:, 0], road_edge[:, 1]
    u, v = network.edge_u[fwd], network.edge_v[fwd]
    t_f = t[fwd]
    t_b = np.where(twin >= 0, t[np.maximum(twin, 0)], np.inf)
    with np.errstate(invalid="ignore", divide="ignore"):
        from_u = np.nan_to_num(np.clip((threshold_s - node_times[u]) / t_f, 0, 1))
        from_v = np.nan_to_num(np.clip((threshold_s - node_times[v]) / t_b, 0, 1))
    return np.asarray(np.minimum(1.0, from_u + from_v))


def road_midpoints(network: RoadNetwork) -> NDArray[np.float64]:
    """(lon, lat) of the middle vertex of each road geometry, shape (road_count, 2)."""
    arrays = network.core.arrays
    ptr = arrays["road_ptr"]
    mid = (ptr[:-1] + ptr[1:] - 1) // 2
    return np.asarray(arrays["road_coords"][mid])


def reach_sets(
    network: RoadNetwork,
    targets: Sequence[Snap],
    budget_s: float,
    *,
    closures: Closures | None = None,
) -> list[tuple[NDArray[np.int64], NDArray[np.float64]]]:
    """For each target point: the nodes that reach it within ``budget_s``, and how fast.

    One bounded search per target on the reversed graph; the extended CSR holding every
    target's entry slots is built once.  Returns ``(nodes, seconds)`` per target.
    """
    if not math.isfinite(budget_s) or budget_s < 0:
        raise ValueError(f"budget_s must be finite and >= 0, got {budget_s}")
    if not targets:
        return []
    core = network.core
    n = core.node_count
    weights = core.weights(closures)
    nodes, secs = entry_slots(targets, weights.times, "to")
    big = extended_graph(core, weights, "to", nodes, secs)
    out = []
    for i in range(len(targets)):
        dist = dijkstra(big, directed=True, indices=n + 1 + i, limit=budget_s)[:n]
        hit = np.flatnonzero(np.isfinite(dist))
        out.append((hit.astype(np.int64), dist[hit]))
    return out


def road_lines(
    network: RoadNetwork, roads: NDArray[np.int64], *, tolerance_m: float = 8.0
) -> list[NDArray[np.float64]]:
    """Simplified lon/lat coordinates of the given roads, for drawing coverage."""
    return road_geometries(network.core, np.asarray(roads, dtype=np.int64), tolerance_m)
