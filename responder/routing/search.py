"""Shortest-path searches: ``scipy.sparse.csgraph.dijkstra`` over the core's CSR graphs.

A search can start at a point inside an edge: each CSR graph holds one virtual node whose
two out-slots are set per query to the partial edges of the snapped point (``search``), so
times are exact at both ends; ``combine`` finishes the other end from node distances.
Searches for many points at once (``extended_graph``) append one virtual row per point to
a copy of the CSR instead. Queries that need only the nearest few candidates grow the
search limit (doubling) until enough are settled (``times``).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import NamedTuple

import numpy as np
import scipy.sparse as sp
from numpy.typing import ArrayLike, NDArray
from scipy.sparse.csgraph import dijkstra

from .closures import Closures
from .core import NetworkCore
from .geodesy import haversine_m
from .snapping import Snap
from .weights import Direction, EdgeTimes, Weights, part

_SPEED_GUESS_MPS = 11.0  # first search limit: crow distance at 40 km/h, times 1.4


def check_direction(direction: str) -> None:
    """Raise ``ValueError`` unless ``direction`` is ``"to"`` or ``"from"``."""
    if direction not in ("to", "from"):
        raise ValueError(f"direction must be 'to' or 'from', got {direction!r}")


def check_offsets(values: ArrayLike | None, count: int) -> NDArray[np.float64]:
    """Per-point offsets in seconds (zeros if ``None``); finite, >= 0, one per point."""
    if values is None:
        return np.zeros(count)
    out = np.asarray(values, dtype=np.float64).ravel()
    if out.size != count:
        raise ValueError(f"offsets_s has {out.size} values for {count} points")
    if not np.all(np.isfinite(out) & (out >= 0)):
        raise ValueError("offsets_s must be finite seconds >= 0")
    return out


Slot = tuple[int, float]  # (node, seconds): where a search enters or leaves the graph


def origin_slots(origin: Snap, t: EdgeTimes, direction: Direction) -> tuple[Slot, Slot]:
    """The two (node, seconds) ends of a snapped point's partial edges, as a search sees
    them: ``"from"`` leaves the point to ``v`` along its edge or to ``u`` along the twin;
    ``"to"`` (reversed) reaches it from ``u`` along its edge or from ``v`` along the twin.
    """
    f = origin.fraction
    # A point at a node reaches that node for free even on a one-way road (0 * inf = 0).
    t_twin = t[origin.twin] if origin.twin >= 0 else math.inf
    if direction == "from":
        return (origin.v, float(part(1 - f, t[origin.edge]))), (origin.u, float(part(f, t_twin)))
    return (origin.u, float(part(f, t[origin.edge]))), (origin.v, float(part(1 - f, t_twin)))


def search(
    core: NetworkCore,
    origin: Snap,
    direction: Direction,
    weights: Weights,
    limit: float,
    predecessors: bool = False,
) -> tuple[NDArray[np.float64], NDArray[np.int32] | None]:
    """Dijkstra from a snapped point; ``direction="to"`` searches the reversed graph.

    Returns node distances (length ``node_count + 1``, the virtual origin last) and, if
    asked, predecessors (``node_count`` marks the virtual origin).
    """
    slots = origin_slots(origin, weights.times, direction)
    prefix = "fwd" if direction == "from" else "rev"
    graph = core.graphs[prefix]
    patch = weights.patch(prefix)
    with core.lock:
        # Closures are patched into the (copy-on-write) weights for this search only
        # and restored afterwards: O(closed edges) instead of copying the array.
        saved = graph.data[patch.pos]
        graph.data[patch.pos] = patch.data
        graph.indices[-2:] = (slots[0][0], slots[1][0])
        graph.data[-2:] = (slots[0][1], slots[1][1])
        try:
            result = dijkstra(
                graph,
                directed=True,
                indices=core.node_count,
                limit=limit,
                return_predecessors=predecessors,
            )
        finally:
            graph.data[patch.pos] = saved
    if predecessors:
        return result[0], result[1]
    return result, None


class Fields(NamedTuple):
    """Edge, twin (-1 if none) and fraction of each snapped point, as arrays."""

    edge: NDArray[np.int64]
    twin: NDArray[np.int64]
    frac: NDArray[np.float64]


def fields(snaps: Sequence[Snap]) -> Fields:
    """The arrays of ``Fields`` for ``snaps`` (read once per query)."""
    n = len(snaps)
    return Fields(
        np.fromiter((s.edge for s in snaps), np.int64, n),
        np.fromiter((s.twin for s in snaps), np.int64, n),
        np.fromiter((s.fraction for s in snaps), np.float64, n),
    )


def combine(
    core: NetworkCore,
    origin: Snap,
    others: Sequence[Snap],
    dist: NDArray[np.float64],
    direction: Direction,
    weights: Weights,
) -> NDArray[np.float64]:
    """Exact times between ``origin`` and each snap, from the node distances of a search."""
    f = fields(others)
    u, v = core.arrays["edge_u"][f.edge], core.arrays["edge_v"][f.edge]
    return combine_ends(origin, f, dist[u], dist[v], direction, weights)


def combine_ends(
    origin: Snap,
    others: Fields,
    dist_u: NDArray[np.float64],
    dist_v: NDArray[np.float64],
    direction: Direction,
    weights: Weights,
) -> NDArray[np.float64]:
    """Exact times between ``origin`` and each snap (``others``: their ``fields``), given
    the distances between the origin and each snap's ``u`` and ``v`` (any back end: a
    search, or the hierarchy).

    Also finds the way straight along the shared edge when a snap sits on the origin's.
    """
    t = weights.times
    edge, twin, frac = others
    t_edge = t[edge]
    t_twin = np.where(twin >= 0, t[np.maximum(twin, 0)], np.inf)
    if direction == "from":  # origin -> point: enter its edge at u or its twin at v
        via_u = dist_u + part(frac, t_edge)
        via_v = dist_v + part(1 - frac, t_twin)
    else:  # point -> origin: leave along its edge to v or along its twin to u
        via_v = part(1 - frac, t_edge) + dist_v
        via_u = part(frac, t_twin) + dist_u
    with np.errstate(invalid="ignore"):
        best = np.fmin(via_u, via_v)
        same = np.flatnonzero(edge == origin.edge)
        if same.size:
            start, end = (
                (origin.fraction, frac[same])
                if direction == "from"
                else (frac[same], origin.fraction)
            )
            fwd = np.where(end >= start, part(end - start, t[origin.edge]), np.inf)
            bwd = np.where(end <= start, part(start - end, t_twin[same]), np.inf)
            best[same] = np.fmin(best[same], np.fmin(fwd, bwd))
    return np.where(np.isnan(best), np.inf, best)


def times(
    core: NetworkCore,
    origin: Snap,
    others: Sequence[Snap],
    direction: Direction,
    cutoff_s: float | None,
    closures: Closures | None,
    need: int | None,
    offsets_s: ArrayLike | None = None,
) -> NDArray[np.float64]:
    """Times between ``origin`` and each snap (see ``RoadNetwork.times_to``)."""
    weights = core.weights(closures)
    cutoff = math.inf if cutoff_s is None else float(cutoff_s)
    if not cutoff >= 0:
        raise ValueError(f"cutoff_s must be >= 0, got {cutoff_s}")
    offsets = check_offsets(offsets_s, len(others))
    if not others:
        return np.zeros(0)
    if need is None:
        limit = cutoff
    else:
        if need < 1:
            raise ValueError(f"need must be >= 1, got {need}")
        need = min(need, len(others))
        crow = haversine_m(
            np.array([[origin.lon, origin.lat]]), np.array([(s.lon, s.lat) for s in others])
        )
        guess = 60.0 + 1.4 * crow / _SPEED_GUESS_MPS + offsets
        limit = min(cutoff, float(np.partition(guess, need - 1)[need - 1]))
    reached = -1
    while True:
        dist, _ = search(core, origin, direction, weights, limit)
        raw = combine(core, origin, others, dist, direction, weights) + offsets
        # a total <= limit is exact; anything above may not be (not settled yet)
        found = np.where(raw <= limit, raw, np.inf)
        if need is None or limit >= cutoff or np.count_nonzero(np.isfinite(found)) >= need:
            return found
        settled = int(np.count_nonzero(np.isfinite(dist)))
        if settled == reached and limit > 2 * core.max_edge_time:
            return np.where(raw <= cutoff, raw, np.inf)  # all reachable nodes settled
        reached = settled
        limit = min(cutoff, limit * 2)


def entry_slots(
    snaps: Sequence[Snap], t: EdgeTimes, direction: Direction
) -> tuple[NDArray[np.int32], NDArray[np.float64]]:
    """Two (node, seconds) slots per snapped point, flattened point by point.

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
        secs = np.column_stack([part(1 - frac, t[edge]), part(frac, t_twin)])
    else:
        nodes = np.column_stack([u, v])
        secs = np.column_stack([part(frac, t[edge]), part(1 - frac, t_twin)])
    return nodes.ravel().astype(np.int32), np.asarray(secs, dtype=np.float64).ravel()


def extended_graph(
    core: NetworkCore,
    weights: Weights,
    direction: Direction,
    nodes: NDArray[np.int32],
    secs: NDArray[np.float64],
) -> sp.csr_matrix:
    """A private copy of the closure-patched CSR graph plus ``k = len(nodes) // 2`` virtual
    rows of two out-edges each (rows ``node_count + 1 .. node_count + k``).

    One O(E) copy: the shared arrays are concatenated with the new entries, never edited.
    """
    prefix = "fwd" if direction == "from" else "rev"
    graph = core.graphs[prefix]
    patch = weights.patch(prefix)
    k = nodes.size // 2
    size = graph.shape[0] + k
    indptr = np.concatenate([graph.indptr, graph.indptr[-1] + 2 * np.arange(1, k + 1)])
    with core.lock:  # a concurrent search patches the shared data in place under this lock
        data = np.concatenate([graph.data, secs])
    data[patch.pos] = patch.data
    big = sp.csr_matrix((size, size), dtype=np.float64)
    big.data = data
    big.indices = np.concatenate([graph.indices, nodes]).astype(np.int32, copy=False)
    big.indptr = indptr.astype(np.int32, copy=False)
    return big


def table(
    core: NetworkCore,
    sources: Sequence[Snap],
    targets: Sequence[Snap],
    closures: Closures | None,
    cutoff_s: float | None = None,
) -> NDArray[np.float64]:
    """Seconds from each source (rows) to each target (columns), ``inf`` above the cutoff:
    one search (bounded by the cutoff) per source, or per target on the reversed graph
    when there are fewer targets."""
    out = np.zeros((len(sources), len(targets)))
    if not sources or not targets:
        return out
    weights = core.weights(closures)
    limit = math.inf if cutoff_s is None else float(cutoff_s)
    if len(targets) < len(sources):
        for col, target in enumerate(targets):
            dist, _ = search(core, target, "to", weights, limit)
            out[:, col] = combine(core, target, sources, dist, "to", weights)
    else:
        for row, source in enumerate(sources):
            dist, _ = search(core, source, "from", weights, limit)
            out[row] = combine(core, source, targets, dist, "from", weights)
    return np.where(out <= limit, out, np.inf)
