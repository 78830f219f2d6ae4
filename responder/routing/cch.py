"""Customizable contraction hierarchy (CCH): RoutingKit's, through ``routingkit-cch``.

Three phases (Dibbelt, Strasser, Wagner 2016):

1. **Order** (metric-independent, slow: ~40-70 s for 1 M nodes): a nested-dissection
   node order from RoutingKit's inertial-flow separators, computed once when the network
   is compiled (``preprocess``) and stored beside the cache arrays as ``cch_order.npy``.
2. **Structure** (``Hierarchy``: ~1.8 s for 1 M nodes, 10 ms for the demo): the
   contraction built from the order, once per process on first use.
3. **Customization** from integer weights (0.44 s for 1 M nodes): at build, the free-flow
   metric and two spares for closure sets. A closure set moves the least recently used
   spare to it by RoutingKit's *partial* update (only the changed arcs and the shortcuts
   above them; milliseconds), so the two latest closure sets stay customized and a
   repeated proposal under the same closures customizes nothing.

Weights are integers of ``unit_s`` seconds (``choose_unit``): the finest unit (two
significant digits) such that twice a bound on the network's diameter stays below
RoutingKit's ``inf_weight`` (2^31 - 2), which marks a closed arc; the bound is taken
from the node nearest the network's centre, which makes it about the diameter itself
(from a corner it is nearly twice that, and the unit twice as coarse). Rounding each arc
to the nearest unit leaves an error of at most ``unit_s / 2`` per arc of a route (the
queries finish both partial end edges in floating point, see ``cch_queries``). Arcs are
the network's directed edges in edge order, so a path's arcs are edge ids.

Query objects of the binding are stateful and a partial update requires that none is
alive, so everything here runs under one lock; pinned many-to-one and one-to-many
queries are kept per metric (small LRU) because resources rarely move between calls.
"""

from __future__ import annotations

import math
import threading
import time
from collections import OrderedDict
from collections.abc import Sequence
from typing import Any, Literal

import numpy as np
import routingkit_cch as rk
import scipy.sparse as sp
from numpy.typing import NDArray
from scipy.sparse.csgraph import dijkstra

from .closures import NO_CLOSURES, Closures

#: RoutingKit's ``inf_weight``: an arc of this weight is closed; finite sums stay below it.
INF_WEIGHT = 2_147_483_646
#: Representable route length as a multiple of the free-flow diameter bound (any free-flow
#: route fits; a longer one under closures or slowdowns reads as unreachable, which the
#: queries check by Dijkstra, see ``cch_queries``).
HEADROOM = 2.0
_LIVE_METRICS = 2  # metrics kept for closure sets (besides the free-flow one), see _metric
_PINNED = 4  # pinned query objects kept per metric and kind

Slot = tuple[int, float]  # (node, seconds): an entry into or exit from the graph


def compute_order(
    node_x: NDArray[Any], node_y: NDArray[Any], edge_u: NDArray[Any], edge_v: NDArray[Any]
) -> NDArray[np.int32]:
    """The nested-dissection order (RoutingKit's inertial flow cutter) of a network."""
    order = rk.compute_order_inertial(
        int(node_x.size),
        np.asarray(edge_u).tolist(),
        np.asarray(edge_v).tolist(),
        np.asarray(node_y).tolist(),
        np.asarray(node_x).tolist(),
    )
    return np.asarray(order, dtype=np.int32)


def diameter_bound(
    fwd: sp.csr_matrix, rev: sp.csr_matrix, n: int, node: int = 0
) -> tuple[float, bool]:
    """An upper bound on any free-flow shortest path, and whether it is proven.

    Every node ``a`` reaches every ``b`` within ``in(a) + out(b)`` through ``node``, so
    its largest in- plus out-eccentricity bounds the diameter of a strongly connected
    network (tightest from a central node); otherwise the bound is not proven.
    """
    out = dijkstra(fwd, directed=True, indices=node)[:n]
    into = dijkstra(rev, directed=True, indices=node)[:n]
    proven = bool(np.all(np.isfinite(out)) and np.all(np.isfinite(into)))
    finite = float(np.max(out[np.isfinite(out)]) + np.max(into[np.isfinite(into)]))
    return finite, proven


def central_node(node_x: NDArray[Any], node_y: NDArray[Any]) -> int:
    """The node nearest the middle of the network's bounding box (in degrees)."""
    x, y = np.asarray(node_x), np.asarray(node_y)
    mid_x, mid_y = (x.min() + x.max()) / 2, (y.min() + y.max()) / 2
    return int(np.argmin((x - mid_x) ** 2 + (y - mid_y) ** 2))


def choose_unit(bound_s: float) -> float:
    """The finest unit of two significant digits in which ``HEADROOM`` times ``bound_s``
    stays below ``INF_WEIGHT``."""
    need = max(HEADROOM * bound_s / INF_WEIGHT, 1e-9)
    digits = 1 - math.floor(math.log10(need))  # decimals of two significant digits
    scale = 10.0**digits
    unit = math.ceil(need * scale) / scale
    while HEADROOM * bound_s / unit >= INF_WEIGHT:  # float rounding of the product
        unit += 1 / scale
    return unit


def preprocess(
    arrays: dict[str, NDArray[Any]], fwd: sp.csr_matrix, rev: sp.csr_matrix
) -> tuple[NDArray[np.int32], dict[str, Any]]:
    """Order and weight unit of a network being compiled (see ``cache.compile_arrays``).

    Returns the order (stored as ``cch_order.npy``) and the ``meta["cch"]`` entry.
    """
    n = int(arrays["node_x"].size)
    started, cpu = time.perf_counter(), time.process_time()
    order = compute_order(arrays["node_x"], arrays["node_y"], arrays["edge_u"], arrays["edge_v"])
    order_s, order_cpu_s = time.perf_counter() - started, time.process_time() - cpu
    bound, proven = diameter_bound(fwd, rev, n, central_node(arrays["node_x"], arrays["node_y"]))
    meta = {
        "unit_s": choose_unit(bound),
        "diameter_bound_s": bound,
        "strongly_connected": proven,
        "order_s": round(order_s, 3),
        "order_cpu_s": round(order_cpu_s, 3),
    }
    return order, meta


def to_units(seconds: NDArray[np.float64], unit: float) -> NDArray[np.int64]:
    """Seconds as integer weights (nearest unit); ``inf`` becomes ``INF_WEIGHT``."""
    with np.errstate(invalid="ignore", over="ignore"):
        scaled = np.minimum(np.rint(np.asarray(seconds, dtype=np.float64) / unit), INF_WEIGHT - 1)
    return np.where(np.isinf(seconds), INF_WEIGHT, scaled).astype(np.int64)


class _Metric:
    """One customized metric and the query objects pinned on it."""

    def __init__(self, metric: Any, closures: Closures) -> None:
        self.metric = metric
        self.closures = closures
        self.many_to_one: OrderedDict[bytes, Any] = OrderedDict()
        self.one_to_many: OrderedDict[bytes, Any] = OrderedDict()
        self.query: Any = None

    def pinned(self, kind: Literal["to", "from"], nodes: NDArray[np.int64]) -> Any:
        """The many-to-one (``"to"``) or one-to-many (``"from"``) query pinned on ``nodes``."""
        cache = self.many_to_one if kind == "to" else self.one_to_many
        key = nodes.tobytes()
        if key in cache:
            cache.move_to_end(key)
            return cache[key]
        cls = rk.CCHManyToOne if kind == "to" else rk.CCHOneToMany
        pinned = cls(self.metric, nodes.tolist())
        cache[key] = pinned
        while len(cache) > _PINNED:
            cache.popitem(last=False)
        return pinned

    def path_query(self) -> Any:
        """The point-to-point query object (kept)."""
        if self.query is None:
            self.query = rk.CCHQuery(self.metric)
        return self.query

    def drop_queries(self) -> None:
        """Release every query object (a partial update needs the metric to itself)."""
        self.many_to_one.clear()
        self.one_to_many.clear()
        self.query = None


class Hierarchy:
    """The CCH of one network with its metrics (free flow, and per closure set).

    Attributes
    ----------
    unit_s : float
        Seconds per integer weight unit.
    proven : bool
        True if ``unit_s`` provably represents every free-flow route with headroom (a
        strongly connected network); otherwise callers verify "unreachable" answers.
    build_s : float
        Seconds it took to build the structure and the free-flow metric.
    """

    def __init__(
        self,
        order: NDArray[Any],
        edge_u: NDArray[Any],
        edge_v: NDArray[Any],
        edge_time: NDArray[np.float64],
        unit_s: float,
        proven: bool,
    ) -> None:
        started = time.perf_counter()
        self.unit_s = unit_s
        self.proven = proven
        self.edge_count = int(edge_u.size)
        self._cch = rk.CCH(
            np.asarray(order).tolist(),
            np.asarray(edge_u).tolist(),
            np.asarray(edge_v).tolist(),
            False,
        )
        self._base = to_units(np.asarray(edge_time), unit_s)
        free = self._base.tolist()
        self._free = _Metric(rk.CCHMetric(self._cch, free), NO_CLOSURES)
        self._updater = rk.CCHMetricPartialUpdater(self._cch)
        # metrics for closure sets: customized once for free flow (spares), then only
        # updated partially; ``_live`` is keyed by the closure set each one holds
        self._spares = [
            _Metric(rk.CCHMetric(self._cch, free), NO_CLOSURES) for _ in range(_LIVE_METRICS)
        ]
        self._live: OrderedDict[Closures, _Metric] = OrderedDict()
        #: Per-query arrays kept by ``cch_queries`` (under ``lock``), e.g. of snap lists.
        self.memo: OrderedDict[Any, Any] = OrderedDict()
        self.lock = threading.Lock()
        self.build_s = time.perf_counter() - started

    def _weights_of(self, ids: NDArray[np.int64], values: NDArray[np.float64]) -> dict[int, int]:
        return dict(zip(ids.tolist(), to_units(values, self.unit_s).tolist(), strict=True))

    def _metric(
        self, closures: Closures, ids: NDArray[np.int64], values: NDArray[np.float64]
    ) -> _Metric:
        """The metric for ``closures`` (edge ids and their new seconds); caller holds the lock.

        A new closure set re-customizes the least recently used closure metric
        partially: only the arcs whose weight differs between the two sets.
        """
        if not closures:
            return self._free
        live = self._live
        if closures in live:
            live.move_to_end(closures)
            return live[closures]
        slot = self._spares.pop() if self._spares else live.popitem(last=False)[1]
        old = slot.closures.edge_ids
        updates = dict(zip(old.tolist(), self._base[old].tolist(), strict=True))
        updates |= self._weights_of(ids, values)
        slot.drop_queries()
        self._updater.apply(slot.metric, updates)
        slot.closures = closures
        live[closures] = slot
        return slot

    def node_times(
        self,
        closures: Closures,
        patch: tuple[NDArray[np.int64], NDArray[np.float64]],
        nodes: NDArray[np.int64],
        origins: Sequence[tuple[Slot, ...]],
        direction: Literal["to", "from"],
    ) -> NDArray[np.float64]:
        """Seconds between each origin's slots and each of ``nodes`` (repeats allowed).

        ``"to"``: from each node to the origin (its slots are (node, seconds) ends into
        the origin); ``"from"``: from the origin to each node. One row per origin;
        ``inf`` where unreachable. ``patch`` is the closures' (edge ids, seconds).
        """
        out = np.full((len(origins), nodes.size), np.inf)
        with self.lock:
            slot = self._metric(closures, *patch)
            pinned = slot.pinned(direction, nodes)
            run = pinned.distances_to_multi if direction == "to" else pinned.distances_from_multi
            for row, ends in enumerate(origins):
                entries = [(n, round(s / self.unit_s)) for n, s in ends if math.isfinite(s)]
                if entries:
                    out[row] = np.array(run(entries), dtype=np.float64)
        out *= self.unit_s
        return np.where(np.isnan(out), np.inf, out)

    def distance(
        self,
        closures: Closures,
        patch: tuple[NDArray[np.int64], NDArray[np.float64]],
        starts: Sequence[Slot],
        ends: Sequence[Slot],
    ) -> float:
        """Seconds of the fastest path from any start to any end slot (``inf`` if none)."""
        src = [(n, round(s / self.unit_s)) for n, s in starts if math.isfinite(s)]
        dst = [(n, round(s / self.unit_s)) for n, s in ends if math.isfinite(s)]
        if not src or not dst:
            return math.inf
        with self.lock:
            found = self._metric(closures, *patch).path_query().run_multi(src, dst).distance
        return math.inf if found is None else found * self.unit_s

    def path(
        self,
        closures: Closures,
        patch: tuple[NDArray[np.int64], NDArray[np.float64]],
        starts: Sequence[Slot],
        ends: Sequence[Slot],
    ) -> tuple[list[int], list[int]] | None:
        """Nodes and arcs (edge ids) of the fastest path from any start to any end slot
        (each with its seconds), or ``None`` if none is reachable."""
        src = [(n, round(s / self.unit_s)) for n, s in starts if math.isfinite(s)]
        dst = [(n, round(s / self.unit_s)) for n, s in ends if math.isfinite(s)]
        if not src or not dst:
            return None
        with self.lock:
            result = self._metric(closures, *patch).path_query().run_multi(src, dst)
            if result.distance is None:
                return None
            return list(result.node_path), list(result.arc_path)
