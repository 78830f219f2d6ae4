"""Routes: the fastest path between snapped points, with full geometry.

``route`` searches forward from the source; a ``TreeSearch`` keeps one complete reversed
search from a target so that times and routes for any number of sources come from it
(dispatch: many teams, one incident). Both describe a route as a partial first edge,
whole middle edges and a partial last edge, and ``assemble`` turns that into a ``Route``.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np
from numpy.typing import NDArray

from ._errors import NoRoute
from .closures import Closures
from .core import NetworkCore
from .search import combine, search, times
from .snapping import Snap
from .weights import Weights, part

Piece = tuple[int, float, float]  # (edge, from fraction, to fraction) in travel order


@dataclass(frozen=True)
class Route:
    """A route between two snapped points.

    Attributes
    ----------
    travel_time_s : float
        Travel time in seconds (with closures applied).
    length_m : float
        Length in metres.
    coords : list of (lon, lat)
        Full geometry from the source position to the target position.
    edges : list of int
        Edge ids traversed, including the partial first and last edges.
    """

    travel_time_s: float
    length_m: float
    coords: list[tuple[float, float]]
    edges: list[int]


class TargetSearch(Protocol):
    """Times and routes from any sources to one target (see ``RoadNetwork.search_to``):
    a kept Dijkstra tree (``TreeSearch``) or the hierarchy (``cch_queries.HierarchySearch``)."""

    target: Snap

    def times(self, sources: Sequence[Snap]) -> NDArray[np.float64]:
        """Travel time from each source to the target (``inf`` if unreachable)."""
        ...

    def routes(self, sources: Sequence[Snap]) -> list[Route | None]:
        """Fastest route from each source (``None`` if unreachable)."""
        ...


@dataclass
class TreeSearch:
    """A finished reversed-graph search from one target (see ``RoadNetwork.search_to``)."""

    core: NetworkCore
    target: Snap
    closures: Closures | None
    weights: Weights
    dist: NDArray[np.float64]
    pred: NDArray[np.int32]

    def times(self, sources: Sequence[Snap]) -> NDArray[np.float64]:
        """Exact travel time from each source to the target (``inf`` if unreachable)."""
        if not sources:
            return np.zeros(0)
        return combine(self.core, self.target, sources, self.dist, "to", self.weights)

    def routes(self, sources: Sequence[Snap]) -> list[Route | None]:
        """Fastest route from each source (``None`` if unreachable)."""
        return routes_from_tree(self, sources)


def search_to(core: NetworkCore, target: Snap, closures: Closures | None) -> TreeSearch:
    """One complete search on the reversed graph from ``target``."""
    weights = core.weights(closures)
    dist, pred = search(core, target, "to", weights, math.inf, True)
    assert pred is not None
    return TreeSearch(core, target, closures, weights, dist, pred)


def route(core: NetworkCore, source: Snap, target: Snap, closures: Closures | None) -> Route:
    """The fastest route from ``source`` to ``target`` (see ``RoadNetwork.route``)."""
    weights = core.weights(closures)
    t = weights.times
    best = float(times(core, source, [target], "from", None, closures, 1)[0])
    if not math.isfinite(best):
        raise NoRoute(
            f"no route from ({source.lon:.6f}, {source.lat:.6f}) to "
            f"({target.lon:.6f}, {target.lat:.6f}): closures or one-way streets cut it"
        )
    fs, ft = source.fraction, target.fraction
    same = source.edge == target.edge
    direct = math.inf
    if same and ft >= fs:
        direct = part(ft - fs, t[source.edge])
    elif same and source.twin >= 0:
        direct = part(fs - ft, t[source.twin])
    if direct <= best + 1e-9:  # straight along the shared edge
        piece = (source.edge, fs, ft) if ft >= fs else (source.twin, 1 - fs, 1 - ft)
        return assemble(core, piece, np.zeros(0, dtype=np.int64), None, best)
    dist, pred = search(core, source, "from", weights, best * (1 + 1e-9) + 1e-6, True)
    assert pred is not None
    via_u = dist[target.u] + part(ft, t[target.edge])  # at u itself: free
    t_twin = t[target.twin] if target.twin >= 0 else math.inf
    via_v = dist[target.v] + part(1 - ft, t_twin)  # at v itself: free, one-way or not
    if via_u <= via_v:
        end, last = target.u, (target.edge, 0.0, ft)
    else:
        end, last = target.v, (target.twin, 0.0, 1 - ft)
    nodes = _walk(core, pred, end)
    nodes.reverse()
    ahead = part(1 - fs, t[source.edge])
    if nodes[0] == source.v and abs(dist[source.v] - ahead) <= 1e-9 * max(1.0, ahead):
        first = (source.edge, fs, 1.0)
    else:
        first = (source.twin, 1 - fs, 1.0)
    return assemble(core, first, _hop_edges(core, nodes, weights), last, best)


def routes_from_tree(tree: TreeSearch, sources: Sequence[Snap]) -> list[Route | None]:
    """Fastest route from each source to the tree's target, from its kept search."""
    core, target, weights, dist, pred = tree.core, tree.target, tree.weights, tree.dist, tree.pred
    t = weights.times
    totals = combine(core, target, sources, dist, "to", weights)
    ft = target.fraction
    along = part(ft, t[target.edge])
    routes: list[Route | None] = []
    for source, total in zip(sources, totals, strict=True):
        if not math.isfinite(total):
            routes.append(None)
            continue
        if source.road == target.road:  # may go straight along the shared road
            routes.append(route(core, source, target, tree.closures))
            continue
        fs = source.fraction
        t_twin = t[source.twin] if source.twin >= 0 else math.inf
        via_v = part(1 - fs, t[source.edge]) + dist[source.v]
        via_u = part(fs, t_twin) + dist[source.u]
        first, node = (
            ((source.edge, fs, 1.0), source.v)
            if via_v <= via_u
            else ((source.twin, 1 - fs, 1.0), source.u)
        )
        nodes = _walk(core, pred, node)
        end = nodes[-1]
        if end == target.u and abs(dist[end] - along) <= 1e-9 * max(1.0, along):
            last = (target.edge, 0.0, ft)
        else:
            last = (target.twin, 0.0, 1 - ft)
        routes.append(assemble(core, first, _hop_edges(core, nodes, weights), last, float(total)))
    return routes


def _walk(core: NetworkCore, pred: NDArray[np.int32], node: int) -> list[int]:
    """Nodes from ``node`` back along the predecessors to the search origin (excluded)."""
    nodes = [node]
    while pred[nodes[-1]] != core.node_count:
        nodes.append(int(pred[nodes[-1]]))
    return nodes


def _hop_edges(core: NetworkCore, nodes: list[int], weights: Weights) -> NDArray[np.int64]:
    """The (fastest under ``weights``) edge of each hop between consecutive nodes."""
    pairs = core.pair_positions()
    positions = np.fromiter((pairs[hop] for hop in itertools.pairwise(nodes)), np.int64)
    edges = np.asarray(core.arrays["fwd_pos_edge"])[positions].astype(np.int64)
    patch = weights.fwd_patch
    if patch.pos.size and positions.size:
        order = np.argsort(patch.pos)
        where = np.minimum(np.searchsorted(patch.pos[order], positions), patch.pos.size - 1)
        hit = patch.pos[order][where] == positions
        edges[hit] = patch.edge[order][where[hit]]
    return edges


def assemble(
    core: NetworkCore, first: Piece, middle: NDArray[np.int64], last: Piece | None, best: float
) -> Route:
    """The one ``Route`` builder: a partial first piece, whole middle edges, a partial last.

    Empty partial pieces (a point at a node) are dropped; if nothing remains (source and
    target at the same place) the route is the single point on the first piece's edge.
    Whole edges are gathered with one vectorised index; only partial pieces interpolate.
    """
    edge_length = core.arrays["edge_length"]
    parts: list[NDArray[np.float64]] = []
    edges: list[int] = []
    length = float(np.asarray(edge_length)[middle].sum()) if middle.size else 0.0

    def partial(piece: Piece) -> None:
        nonlocal length
        edge, f0, f1 = piece
        parts.append(np.asarray(edge_piece(core, edge, f0, f1), dtype=np.float64))
        length += (f1 - f0) * float(edge_length[edge])
        edges.append(int(edge))

    if first[2] > first[1]:
        partial(first)
    if middle.size:
        parts.append(_whole_edges(core, middle))
        edges.extend(middle.tolist())
    if last is not None and last[2] > last[1]:
        partial(last)
    if not parts:
        partial(first)
    xy = np.concatenate([parts[0]] + [p[1:] for p in parts[1:]])
    return Route(
        travel_time_s=best, length_m=length, coords=[tuple(p) for p in xy.tolist()], edges=edges
    )


def edge_piece(core: NetworkCore, edge: int, f0: float, f1: float) -> list[tuple[float, float]]:
    """Coordinates of ``edge`` between fractions ``f0`` and ``f1`` (edge direction)."""
    road = int(core.arrays["edge_road"][edge])
    if not core.arrays["edge_forward"][edge]:
        return _road_piece(core, road, 1 - f0, 1 - f1)
    return _road_piece(core, road, f0, f1)


def _road_piece(core: NetworkCore, road: int, f0: float, f1: float) -> list[tuple[float, float]]:
    a = core.arrays
    lo, hi = int(a["road_ptr"][road]), int(a["road_ptr"][road + 1])
    xy = np.asarray(a["road_coords"][lo:hi])
    if (f0, f1) in ((0.0, 1.0), (1.0, 0.0)):  # a whole edge: no interpolation needed
        return [tuple(p) for p in (xy if f0 == 0.0 else xy[::-1]).tolist()]
    cum = np.asarray(a["road_cum"][lo:hi])
    length = cum[-1]
    s0, s1 = sorted((f0 * length, f1 * length))
    inner = (cum > s0) & (cum < s1)
    ends = [np.array([np.interp(s, cum, xy[:, 0]), np.interp(s, cum, xy[:, 1])]) for s in (s0, s1)]
    pts = np.vstack([ends[0], xy[inner], ends[1]])
    if f1 < f0:
        pts = pts[::-1]
    return [(float(x), float(y)) for x, y in pts]


def _whole_edges(core: NetworkCore, edges: NDArray[np.int64]) -> NDArray[np.float64]:
    """Coordinates of consecutive whole edges, shared end points once."""
    a = core.arrays
    roads = np.asarray(a["edge_road"])[edges]
    forward = np.asarray(a["edge_forward"])[edges].astype(bool)
    ptr = np.asarray(a["road_ptr"])
    starts, ends = ptr[roads], ptr[roads + 1]
    counts = ends - starts
    segment = np.repeat(np.arange(len(edges)), counts)
    within = np.arange(int(counts.sum())) - np.repeat(np.cumsum(counts) - counts, counts)
    index = np.where(forward[segment], starts[segment] + within, ends[segment] - 1 - within)
    keep = (within > 0) | (segment == 0)
    return np.asarray(np.asarray(a["road_coords"])[index[keep]], dtype=np.float64)
