"""``NetworkCore``: the named internal surface the routing modules share.

It holds the mapped arrays of a compiled cache, the two CSR graphs (forward and reversed,
each with one virtual node), the snapping grid and the per-``Closures`` weights cache.
``RoadNetwork`` (the public façade) validates arguments and hands its core to the modules
(``snapping``, ``search``, ``paths``, ``coverage``, ``lines``); they read the core's
attributes, never the façade's private state. Nothing here mutates the mapped arrays
except the search, which patches the copy-on-write CSR data under ``lock``.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray

from .closures import NO_CLOSURES, Closures
from .grid import SegmentGrid
from .weights import Weights, build_weights, check_edges, free_flow

if TYPE_CHECKING:
    from .cch import Hierarchy

_CLOSURE_CACHE_SIZE = 8
#: From this many nodes on, ``backend="auto"`` answers point queries on the contraction
#: hierarchy. Below it Dijkstra is exact and already fast (measured: 1.7 ms to rank 500
#: teams on the 13,087-node demo, the hierarchy 0.6 ms but up to 0.08 ms off); from about
#: 50,000 nodes a Dijkstra costs 20 ms and more per question (396 ms at 1 M nodes).
CCH_MIN_NODES = 50_000
Backend = Literal["auto", "cch", "dijkstra"]


def csr(data: NDArray[Any], indices: NDArray[Any], indptr: NDArray[Any], n: int) -> sp.csr_matrix:
    """A CSR matrix over existing arrays (no copy, no validation pass)."""
    graph = sp.csr_matrix((n, n), dtype=np.float64)
    graph.data, graph.indices, graph.indptr = data, indices, indptr
    return graph


class NetworkCore:
    """Arrays, graphs, grid and weights of one compiled network (see module docstring).

    Attributes
    ----------
    arrays : dict of ndarray
        The compiled cache's arrays by name (``road_coords``, ``edge_u``, ...).
    version : str
    node_count, edge_count, road_count : int
    graphs : dict of csr_matrix
        ``"fwd"`` and ``"rev"``; row ``node_count`` is the virtual search origin.
    grid : SegmentGrid
    lock : threading.Lock
        Held while a search patches the shared CSR data.
    backend : {"cch", "dijkstra"}
        Which engine answers ``times_to``/``times_from``/``table``/``route``/``search_to``.
    """

    def __init__(
        self, arrays: dict[str, NDArray[Any]], meta: dict[str, Any], backend: Backend = "auto"
    ) -> None:
        if backend not in ("auto", "cch", "dijkstra"):
            raise ValueError(f"backend must be 'auto', 'cch' or 'dijkstra', got {backend!r}")
        self.arrays = arrays
        self.meta = meta
        self.version: str = meta["version"]
        self.node_count = int(meta["node_count"])
        self.edge_count = int(meta["edge_count"])
        self.road_count = int(meta["road_count"])
        g = meta["grid"]
        self.grid = SegmentGrid(
            g["x0"], g["y0"], g["cell"], g["nx"], arrays["grid_keys"], arrays["grid_ptr"],
            arrays["grid_items"],
        )  # fmt: skip
        self.grid_rows = int((float(meta["bounds"][3]) - g["y0"]) / g["cell"]) + 2
        n1 = self.node_count + 1
        self.graphs = {
            "fwd": csr(arrays["fwd_data"], arrays["fwd_indices"], arrays["fwd_indptr"], n1),
            "rev": csr(arrays["rev_data"], arrays["rev_indices"], arrays["rev_indptr"], n1),
        }
        self.lock = threading.Lock()
        self.max_edge_time = float(np.max(arrays["edge_time"]))
        self._cache_lock = threading.Lock()
        self._weights: OrderedDict[Closures, Weights] = OrderedDict(
            {NO_CLOSURES: free_flow(arrays["edge_time"])}
        )
        self._pairs: dict[tuple[int, int], int] | None = None
        if backend == "auto":
            backend = "cch" if self.node_count >= CCH_MIN_NODES else "dijkstra"
        self.backend: Literal["cch", "dijkstra"] = backend
        self._hierarchy: Hierarchy | None = None
        self._fastest: float | None = None
        self._hierarchy_lock = threading.Lock()
        #: Seconds spent computing a missing order, building the hierarchy (0 until built).
        self.hierarchy_s = 0.0

    def fastest_mps(self) -> float:
        """Metres of road per second on the fastest edge, plus a margin: no route covers
        crow-flies distance faster (a road's geometry is at least as long as its chord)."""
        if self._fastest is None:
            a = self.arrays
            with np.errstate(divide="ignore", invalid="ignore"):
                speed = np.asarray(a["edge_length"]) / np.asarray(a["edge_time"])
            # an edge of no time but some length would make any speed possible: no bound
            top = np.inf if np.any(np.isposinf(speed)) else float(np.nanmax(speed))
            self._fastest = top * 1.01
        return self._fastest

    def hierarchy(self) -> Hierarchy:
        """The contraction hierarchy, built on first use (about 1.8 s for 1 M nodes).

        The order comes from the cache (``cch_order.npy``); a cache compiled without one
        gets it computed here, in memory (slow on large networks: re-import instead).
        """
        if self._hierarchy is None:
            with self._hierarchy_lock:
                if self._hierarchy is None:
                    self._hierarchy = self._build_hierarchy()
        return self._hierarchy

    def _build_hierarchy(self) -> Hierarchy:
        from . import cch

        started = time.perf_counter()
        a = self.arrays
        if "cch_order" in a and "cch" in self.meta:
            order, info = a["cch_order"], self.meta["cch"]
        else:
            order, info = cch.preprocess(a, self.graphs["fwd"], self.graphs["rev"])
        built = cch.Hierarchy(
            order, a["edge_u"], a["edge_v"], a["edge_time"], info["unit_s"],
            info["strongly_connected"],
        )  # fmt: skip
        self.hierarchy_s = time.perf_counter() - started
        return built

    def check_edges(self, ids: NDArray[Any]) -> None:
        """Raise ``UnknownEdge`` if an id is not an edge of this network."""
        check_edges(ids, self.edge_count, self.version)

    def weights(self, closures: Closures | None) -> Weights:
        """The weights under ``closures`` (built once per value, a small LRU cache).

        Raises
        ------
        UnknownEdge
            If a closure names an edge this network does not have.
        """
        closures = closures or NO_CLOSURES
        cache = self._weights
        with self._cache_lock:
            if closures in cache:
                cache.move_to_end(closures)
                return cache[closures]
        self.check_edges(closures.edge_ids)
        weights = build_weights(self.arrays, closures)
        with self._cache_lock:
            cache[closures] = weights
            while len(cache) > _CLOSURE_CACHE_SIZE:
                stale = next(k for k in cache if k != NO_CLOSURES)
                del cache[stale]
        return weights

    def pair_positions(self) -> dict[tuple[int, int], int]:
        """(from node, to node) -> position in the forward CSR, built once on first use
        (route assembly looks up every hop)."""
        if self._pairs is None:
            indptr = np.asarray(self.arrays["fwd_indptr"][: self.node_count + 1])
            rows = np.repeat(np.arange(self.node_count), np.diff(indptr))
            cols = np.asarray(self.arrays["fwd_indices"][: indptr[-1]])
            self._pairs = dict(
                zip(zip(rows.tolist(), cols.tolist(), strict=False), range(len(cols)), strict=False)
            )
        return self._pairs
