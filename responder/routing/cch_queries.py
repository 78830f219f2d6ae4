"""Queries on the contraction hierarchy, exact at snapped points like the Dijkstra path.

A snapped point sits part-way along an edge. The hierarchy answers node-to-node
questions, so each point enters or leaves the graph through its two end nodes (the same
two *slots* a Dijkstra search uses, ``search.origin_slots``): the origin's slots go into
the hierarchy query as initial distances, the other points' end nodes are the pinned
nodes, and ``search.combine_ends`` finishes each point's partial edge in floating point
(and finds the way straight along a shared edge). Routes are unpacked by the hierarchy
to edge ids and assembled by ``paths.assemble``, so the geometry is today's.

Where an answer may not be exact (an "unreachable" under closures or slowdowns could be
a route too long for the integer weights, see ``cch.HEADROOM``) the call is answered by
Dijkstra instead, so results never differ from the reference by more than rounding.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from . import paths, search
from ._errors import NoRoute
from .cch import Hierarchy
from .closures import NO_CLOSURES, Closures
from .core import NetworkCore
from .geodesy import haversine_m
from .paths import Piece, Route
from .snapping import Snap
from .weights import Direction, Weights, part

_MEMO = 8  # snap lists whose arrays are kept (see ``_points``)
_FEW = 6  # ``need`` at most 1/_FEW of the points: ask at most _FEW * need one by one
#: From this many nodes on, ``need`` asks point by point (measured, nearest 10 of 500: 1 M
#: nodes 3.0 ms vs 4.5 ms for one sweep; the 13,087-node demo 3.7 ms vs 0.4 ms).
NEAREST_MIN_NODES = 200_000


def _points(
    core: NetworkCore, h: Hierarchy, snaps: Sequence[Snap]
) -> tuple[search.Fields, NDArray[np.int64]]:
    """The snaps' ``search.fields`` and the nodes a query pins for them: the ``u`` then
    the ``v`` of each snap's edge (repeats are cheaper to pin than to remove).

    Kept for the last few snap lists, keyed by the identity of their (immutable) snaps,
    which the entry holds on to: dispatch asks about the same teams call after call.
    """
    key = tuple(map(id, snaps))
    with h.lock:
        hit = h.memo.get(key)
        if hit is not None:
            h.memo.move_to_end(key)
            return hit[1], hit[2]
    f = search.fields(snaps)
    a = core.arrays
    nodes = np.concatenate([a["edge_u"][f.edge], a["edge_v"][f.edge]]).astype(np.int64)
    with h.lock:
        h.memo[key] = (list(snaps), f, nodes)
        while len(h.memo) > _MEMO:
            h.memo.popitem(last=False)
    return f, nodes


def _patch(weights: Weights) -> tuple[NDArray[np.int64], NDArray[np.float64]]:
    return weights.times.ids, weights.times.values


def _suspect(
    h: Hierarchy,
    closures: Closures | None,
    origin_slots: tuple[search.Slot, search.Slot],
    others: Sequence[Snap],
    raw: NDArray[np.float64],
    weights: Weights,
    direction: Direction,
) -> bool:
    """Whether an "unreachable" answer might be a route too long for the integer weights
    and must be checked by Dijkstra (see module docstring).

    Never without closures on a network whose diameter bound is proven; never for a point
    whose own partial edges are all closed (nothing can enter or leave it).
    """
    if not (closures or not h.proven) or np.all(np.isfinite(raw)):
        return False
    if not any(math.isfinite(s) for _, s in origin_slots):
        return False
    _, secs = search.entry_slots(others, weights.times, "from" if direction == "to" else "to")
    open_ends = np.isfinite(secs.reshape(-1, 2)).any(axis=1)
    return bool(np.any(open_ends & ~np.isfinite(raw)))


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
    """``search.times`` on the hierarchy: every time is exact (``need`` only validated,
    since one hierarchy sweep answers all points at once)."""
    weights = core.weights(closures)
    cutoff = math.inf if cutoff_s is None else float(cutoff_s)
    if not cutoff >= 0:
        raise ValueError(f"cutoff_s must be >= 0, got {cutoff_s}")
    offsets = search.check_offsets(offsets_s, len(others))
    if need is not None and need < 1:
        raise ValueError(f"need must be >= 1, got {need}")
    if not others:
        return np.zeros(0)
    h = core.hierarchy()
    if need is not None and need * _FEW <= len(others) and core.node_count >= NEAREST_MIN_NODES:
        try:
            found = _nearest(core, h, origin, others, direction, closures, need, offsets, cutoff)
        except _AskDijkstra:
            return search.times(
                core, origin, others, direction, cutoff_s, closures, need, offsets_s
            )
        if found is not None:
            return found
    f, nodes = _points(core, h, others)
    k = len(others)
    slots = search.origin_slots(origin, weights.times, direction)
    dist = h.node_times(closures or NO_CLOSURES, _patch(weights), nodes, [slots], direction)[0]
    raw = search.combine_ends(origin, f, dist[:k], dist[k:], direction, weights) + offsets
    if _suspect(h, closures, slots, others, raw, weights, direction):
        return search.times(core, origin, others, direction, cutoff_s, closures, need, offsets_s)
    return np.where(raw <= cutoff, raw, np.inf)


def _nearest(
    core: NetworkCore,
    h: Hierarchy,
    origin: Snap,
    others: Sequence[Snap],
    direction: Direction,
    closures: Closures | None,
    need: int,
    offsets: NDArray[np.float64],
    cutoff: float,
) -> NDArray[np.float64] | None:
    """The ``need`` fastest of ``others`` (exact; the rest ``inf``), asking the hierarchy
    one point at a time in order of a lower bound and stopping once the bound passes the
    ``need``-th best time found: no road is faster than the network's fastest edge
    (``speed``: metres of geometry per second, an upper bound on crow-flies speed; closures
    only slow things down). ``None`` once ``_FEW * need`` points were asked (one sweep
    for all is cheaper then); raises ``_AskDijkstra`` where an answer must be checked.
    """
    weights = core.weights(closures)
    t = weights.times
    crow = haversine_m(
        np.array([[origin.lon, origin.lat]]), np.array([(s.lon, s.lat) for s in others])
    )
    lower = crow / core.fastest_mps() + offsets
    mine = search.origin_slots(origin, t, direction)
    theirs: Direction = "from" if direction == "to" else "to"
    patch = _patch(weights)
    out = np.full(len(others), np.inf)
    best: list[float] = []  # the ``need`` smallest totals so far, ascending
    free = closures or NO_CLOSURES

    def between(node_side: Sequence[search.Slot]) -> float:
        """Seconds between the origin and the other side's slots, in travel order."""
        if direction == "to":
            return h.distance(free, patch, node_side, mine)
        return h.distance(free, patch, mine, node_side)

    for asked, i in enumerate(np.argsort(lower, kind="stable").tolist()):
        bar = min(cutoff, best[-1]) if len(best) == need else cutoff
        if lower[i] > bar:
            break
        if asked == _FEW * need:
            return None
        other = others[i]
        ends = search.origin_slots(other, t, theirs)
        if other.edge == origin.edge:  # also the way straight along the shared edge
            du, dv = between([(other.u, 0.0)]), between([(other.v, 0.0)])
            f = search.fields([other])
            dist_u, dist_v = np.array([du]), np.array([dv])
            total = float(search.combine_ends(origin, f, dist_u, dist_v, direction, weights)[0])
        else:
            total = between(ends)
        if math.isinf(total) and (closures or not h.proven) and _open(mine) and _open(ends):
            raise _AskDijkstra  # an unreachable that may be a route too long for the weights
        total += float(offsets[i])
        if total <= cutoff:
            out[i] = total
            best = sorted([*best, total])[:need]
    return out


class _AskDijkstra(Exception):
    """An answer of the hierarchy must be checked by Dijkstra (see ``_suspect``)."""


def _open(slots: Sequence[search.Slot]) -> bool:
    """Whether a point can be entered or left at all (one of its slots is finite)."""
    return any(math.isfinite(x) for _, x in slots)


def table(
    core: NetworkCore,
    sources: Sequence[Snap],
    targets: Sequence[Snap],
    closures: Closures | None,
    cutoff_s: float | None = None,
) -> NDArray[np.float64]:
    """Seconds from each source (rows) to each target (columns), ``inf`` if unreachable
    or above the cutoff: one hierarchy sweep per source against the targets' pinned end
    nodes."""
    out = np.zeros((len(sources), len(targets)))
    if not sources or not targets:
        return out
    weights = core.weights(closures)
    h = core.hierarchy()
    f, nodes = _points(core, h, targets)
    edge, twin, frac = f
    k = len(targets)
    slots = [search.origin_slots(s, weights.times, "from") for s in sources]
    dist = h.node_times(closures or NO_CLOSURES, _patch(weights), nodes, slots, "from")
    t = weights.times
    t_twin = np.where(twin >= 0, t[np.maximum(twin, 0)], np.inf)
    with np.errstate(invalid="ignore"):  # enter each target's edge at u or its twin at v
        best = np.fmin(dist[:, :k] + part(frac, t[edge]), dist[:, k:] + part(1 - frac, t_twin))
    out[:] = np.where(np.isnan(best), np.inf, best)
    for row, source in enumerate(sources):
        if np.any(edge == source.edge):  # also straight along the shared edge
            d = dist[row]
            out[row] = search.combine_ends(source, f, d[:k], d[k:], "from", weights)
        if _suspect(h, closures, slots[row], targets, out[row], weights, "from"):
            out[row] = search.times(core, source, targets, "from", None, closures, None)
    limit = math.inf if cutoff_s is None else float(cutoff_s)
    return np.where(out <= limit, out, np.inf)


def route(core: NetworkCore, source: Snap, target: Snap, closures: Closures | None) -> Route:
    """``paths.route`` on the hierarchy; the travel time is the float time of the path."""
    weights = core.weights(closures)
    t = weights.times
    h = core.hierarchy()
    fs, ft = source.fraction, target.fraction
    direct = math.inf
    if source.edge == target.edge and ft >= fs:
        direct = float(part(ft - fs, t[source.edge]))
    elif source.edge == target.edge and source.twin >= 0:
        direct = float(part(fs - ft, t[source.twin]))
    starts = search.origin_slots(source, t, "from")
    ends = search.origin_slots(target, t, "to")
    found = h.path(closures or NO_CLOSURES, _patch(weights), starts, ends)
    blocked = not all(any(math.isfinite(x) for _, x in end) for end in (starts, ends))
    if found is None and (closures or not h.proven) and not blocked:
        return paths.route(core, source, target, closures)
    best = math.inf
    if found is not None:
        nodes, arcs = found
        middle = np.asarray(arcs, dtype=np.int64)
        # the slot the path used: its node, and the cheaper one if both ends are that node
        # (a loop edge)
        (v_node, ahead), (u_node, behind) = starts
        if nodes[0] == v_node and (nodes[0] != u_node or ahead <= behind):
            first: Piece = (source.edge, fs, 1.0)
            head = ahead
        else:
            first = (source.twin, 1 - fs, 1.0) if source.twin >= 0 else (source.edge, fs, fs)
            head = behind
        (u_node, along), (v_node, back) = ends
        if nodes[-1] == u_node and (nodes[-1] != v_node or along <= back):
            last: Piece = (target.edge, 0.0, ft)
            tail = along
        else:
            last = (target.twin, 0.0, 1 - ft) if target.twin >= 0 else (target.edge, ft, ft)
            tail = back
        best = head + float(np.sum(t[middle])) + tail if middle.size else head + tail
    if math.isfinite(direct) and direct <= best + 1e-9:
        piece = (source.edge, fs, ft) if ft >= fs else (source.twin, 1 - fs, 1 - ft)
        return paths.assemble(core, piece, np.zeros(0, dtype=np.int64), None, direct)
    if not math.isfinite(best):
        raise NoRoute(
            f"no route from ({source.lon:.6f}, {source.lat:.6f}) to "
            f"({target.lon:.6f}, {target.lat:.6f}): closures or one-way streets cut it"
        )
    return paths.assemble(core, first, middle, last, best)


@dataclass
class HierarchySearch:
    """``TargetSearch`` on the hierarchy: times and routes to one target, each asked of the
    hierarchy when needed (no search tree is kept; each question costs milliseconds)."""

    core: NetworkCore
    target: Snap
    closures: Closures | None

    def times(self, sources: Sequence[Snap]) -> NDArray[np.float64]:
        """Travel time from each source to the target (``inf`` if unreachable)."""
        return times(self.core, self.target, sources, "to", None, self.closures, None)

    def routes(self, sources: Sequence[Snap]) -> list[Route | None]:
        """Fastest route from each source (``None`` if unreachable)."""
        reachable = np.isfinite(self.times(sources)) if sources else np.zeros(0, dtype=bool)
        return [
            route(self.core, s, self.target, self.closures) if ok else None
            for s, ok in zip(sources, reachable, strict=True)
        ]
