"""Coverage searches (救援圈): arrival times from many resources at once, with offsets.

``RoadNetwork.nearest_source_times`` starts every source at time zero. Coverage needs
each team to start at its own mobilization time, so :func:`arrival_times` adds the offset
to the virtual source's two out-edges (the partial edges of its snapped point): a source
node has no incoming edges, so its own distance never matters and ``min_only`` still
yields, per node, the best (offset + travel) and which source gives it. The extended CSR
is built by appending ``2k`` entries to the cached arrays (one O(E) copy), not by
rebuilding the graph.

:func:`reach_sets` answers the reverse question for site planning: for each target point,
every node from which it is reached within a budget (one bounded search per target on
the reversed graph, all sharing one extended CSR).

Everything here reads the network's arrays; nothing mutates them.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import scipy.sparse as sp
import shapely
from numpy.typing import ArrayLike, NDArray
from scipy.sparse.csgraph import dijkstra

from .closures import Closures
from .network import Direction, RoadNetwork, Snap, _part


def _edge_times(
    network: RoadNetwork, closures: Closures | None
) -> tuple[NDArray, sp.csr_matrix, sp.csr_matrix]:
    # The engine caches closure-adjusted CSR graphs per Closures value; reuse them.
    weights = network._weights(closures)
    return weights.edge_time, weights.fwd, weights.rev


def _entry_slots(
    snaps: Sequence[Snap], t: NDArray[np.float64], direction: Direction
) -> tuple[NDArray[np.int32], NDArray[np.float64]]:
    """Two (node, seconds) slots per snapped point.

    ``"from"``: leaving the point, reach ``v`` along its edge or ``u`` along the twin.
    ``"to"`` (reversed graph): a node reaches the point through ``u`` then along its edge,
    or through ``v`` then along the twin.
    """
    edge = np.fromiter((s.edge for s in snaps), np.int64, len(snaps))
    twin = np.fromiter((s.twin for s in snaps), np.int64, len(snaps))
    frac = np.fromiter((s.fraction for s in snaps), np.float64, len(snaps))
    u = np.fromiter((s.u for s in snaps), np.int32, len(snaps))
    v = np.fromiter((s.v for s in snaps), np.int32, len(snaps))
    t_twin = np.where(twin >= 0, t[np.maximum(twin, 0)], np.inf)
    if direction == "from":
        nodes = np.column_stack([v, u])
        secs = np.column_stack([_part(1 - frac, t[edge]), _part(frac, t_twin)])
    else:
        nodes = np.column_stack([u, v])
        secs = np.column_stack([_part(frac, t[edge]), _part(1 - frac, t_twin)])
    return nodes.ravel().astype(np.int32), np.asarray(secs, dtype=np.float64).ravel()


def _extended(
    graph: sp.csr_matrix, nodes: NDArray[np.int32], secs: NDArray[np.float64], k: int
) -> sp.csr_matrix:
    """``graph`` plus ``k`` source rows of two out-edges each (rows n+1 .. n+k)."""
    n1 = graph.shape[0]
    size = n1 + k
    indptr = np.concatenate([graph.indptr, graph.indptr[-1] + 2 * np.arange(1, k + 1)])
    big = sp.csr_matrix((size, size), dtype=np.float64)
    big.data = np.concatenate([graph.data, secs])
    big.indices = np.concatenate([graph.indices, nodes]).astype(np.int32, copy=False)
    big.indptr = indptr.astype(np.int32, copy=False)
    return big


def arrival_times(
    network: RoadNetwork,
    sources: Sequence[Snap],
    offsets_s: ArrayLike,
    *,
    cutoff_s: float | None = None,
    closures: Closures | None = None,
) -> tuple[NDArray[np.float64], NDArray[np.int64]]:
    """One multi-source search: earliest arrival at each node, each source starting late.

    Parameters
    ----------
    sources : sequence of Snap
        Resource positions (teams).
    offsets_s : array-like of float
        Per-source head start in seconds (mobilization time); must be >= 0 and finite.
    cutoff_s : float, optional
        Nodes not reached by this time get ``inf`` and source ``-1``.

    Returns
    -------
    times : ndarray of float64, shape (node_count,)
        min over sources of offset + travel time from the source TO the node.
    nearest : ndarray of int64, shape (node_count,)
        Index into ``sources`` of the source achieving it, -1 where unreached.
    """
    offsets = np.asarray(offsets_s, dtype=np.float64).ravel()
    if offsets.size != len(sources):
        raise ValueError(f"{len(sources)} sources but {offsets.size} offsets")
    if offsets.size and not (np.all(np.isfinite(offsets)) and offsets.min() >= 0):
        raise ValueError("offsets must be finite and >= 0")
    n = network.node_count
    if not sources:
        return np.full(n, np.inf), np.full(n, -1, dtype=np.int64)
    t, fwd, _ = _edge_times(network, closures)
    nodes, secs = _entry_slots(sources, t, "from")
    secs = secs + np.repeat(offsets, 2)
    k = len(sources)
    big = _extended(fwd, nodes, secs, k)
    limit = math.inf if cutoff_s is None else float(cutoff_s)
    dist, _, origin = dijkstra(
        big,
        directed=True,
        indices=np.arange(n + 1, n + 1 + k),
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
    t, _, _ = _edge_times(network, closures)
    edge = np.fromiter((s.edge for s in points), np.int64, len(points))
    twin = np.fromiter((s.twin for s in points), np.int64, len(points))
    frac = np.fromiter((s.fraction for s in points), np.float64, len(points))
    u, v = network.edge_u[edge], network.edge_v[edge]
    t_twin = np.where(twin >= 0, t[np.maximum(twin, 0)], np.inf)
    with np.errstate(invalid="ignore"):
        best = np.fmin(
            node_times[u] + _part(frac, t[edge]), node_times[v] + _part(1 - frac, t_twin)
        )
    return np.where(np.isnan(best), np.inf, best)


def road_shares(
    network: RoadNetwork,
    node_times: NDArray[np.float64],
    threshold_s: float,
    *,
    closures: Closures | None = None,
) -> NDArray[np.float64]:
    """Share (0..1) of each road reached within ``threshold_s`` (``"from"`` direction).

    The per-road form of ``RoadNetwork.covered_length_m`` (same rule: a road is covered
    from each end as far as the remaining time allows, at uniform speed), so figures can be
    summed per jurisdiction and drawn per road.
    """
    t, _, _ = _edge_times(network, closures)
    road_edge = network._a["road_edge"]
    fwd, twin = road_edge[:, 0], road_edge[:, 1]
    u, v = network.edge_u[fwd], network.edge_v[fwd]
    t_f = t[fwd]
    t_b = np.where(twin >= 0, t[np.maximum(twin, 0)], np.inf)
    with np.errstate(invalid="ignore", divide="ignore"):
        from_u = np.nan_to_num(np.clip((threshold_s - node_times[u]) / t_f, 0, 1))
        from_v = np.nan_to_num(np.clip((threshold_s - node_times[v]) / t_b, 0, 1))
    return np.minimum(1.0, from_u + from_v)


def road_midpoints(network: RoadNetwork) -> NDArray[np.float64]:
    """(lon, lat) of the middle vertex of each road geometry, shape (road_count, 2)."""
    ptr = network._a["road_ptr"]
    mid = (ptr[:-1] + ptr[1:] - 1) // 2
    return np.asarray(network._a["road_coords"][mid])


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
    n = network.node_count
    t, _, rev = _edge_times(network, closures)
    nodes, secs = _entry_slots(targets, t, "to")
    big = _extended(rev, nodes, secs, len(targets))
    out = []
    for i in range(len(targets)):
        dist = dijkstra(big, directed=True, indices=n + 1 + i, limit=budget_s)[:n]
        hit = np.flatnonzero(np.isfinite(dist))
        out.append((hit.astype(np.int64), dist[hit]))
    return out


def snap_times_to(
    network: RoadNetwork,
    node_seconds: dict[int, float] | tuple[NDArray[np.int64], NDArray[np.float64]],
    sites: Sequence[Snap],
    *,
    closures: Closures | None = None,
) -> NDArray[np.float64]:
    """Time from each snapped site to a target, given node -> time-to-target.

    A site on edge ``u -> v`` leaves along its edge to ``v`` or along the twin to ``u``.
    """
    if not sites:
        return np.zeros(0)
    if isinstance(node_seconds, dict):
        keys = np.fromiter(node_seconds.keys(), np.int64, len(node_seconds))
        vals = np.fromiter(node_seconds.values(), np.float64, len(node_seconds))
    else:
        keys, vals = node_seconds
    dense = np.full(network.node_count, np.inf)
    dense[keys] = vals
    t, _, _ = _edge_times(network, closures)
    nodes, secs = _entry_slots(sites, t, "from")
    via = secs + dense[nodes]
    via = np.where(np.isnan(via), np.inf, via)
    return via.reshape(-1, 2).min(axis=1)


def road_lines(
    network: RoadNetwork, roads: NDArray[np.int64], *, tolerance_m: float = 8.0
) -> list[NDArray[np.float64]]:
    """Simplified lon/lat coordinates of the given roads, for drawing coverage."""
    if roads.size == 0:
        return []
    xy, idx = network._road_coords_list(np.asarray(roads, dtype=np.int64))
    lines = shapely.linestrings(xy, indices=idx)
    if tolerance_m > 0:
        lines = shapely.simplify(lines, tolerance_m / 111_320.0)
    return [shapely.get_coordinates(line) for line in lines]
