"""Road network: the query API over a compiled cache (snap, travel times, routes).

Travel times come from ``scipy.sparse.csgraph.dijkstra`` on CSR arrays mapped from
the cache. A search can start at a point inside an edge: the CSR graphs hold one
virtual node whose two out-slots are set per query to the partial edges of the
snapped point, so times are exact at both ends. Queries that need only the nearest
few candidates grow a search limit (doubling) until enough are settled.

One ``RoadNetwork`` may be shared by threads: the virtual slots are written under a
lock. The slots live in copy-on-write mappings, so processes still share all pages.
"""

from __future__ import annotations

import itertools
import math
import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np
import scipy.sparse as sp
import shapely
from numpy.typing import ArrayLike, NDArray
from scipy.sparse.csgraph import dijkstra

from ._errors import InvalidCoordinates, NoRoute, PointTooFarFromRoad, UnknownEdge
from .cache import _haversine, load_arrays, read_meta
from .closures import NO_CLOSURES, Closures
from .grid import M_PER_DEG, SegmentGrid

Direction = Literal["to", "from"]
_SPEED_GUESS_MPS = 11.0  # first search limit: crow distance at 40 km/h, times 1.4
_CLOSURE_CACHE_SIZE = 8


@dataclass(frozen=True, slots=True)
class Snap:
    """A point placed on the nearest road edge.

    Attributes
    ----------
    edge : int
        Directed edge that runs along the road geometry (``u`` -> ``v``).
    u, v : int
        Node indices at the start and end of ``edge``.
    fraction : float
        Position along ``edge`` by length, 0 at ``u`` and 1 at ``v``.
    distance_m : float
        Off-road distance from the given point to the road.
    lon, lat : float
        The snapped position on the road.
    twin : int
        The edge in the opposite direction on the same road, or -1 (one-way road).
    road : int
        Road (geometry) index.
    """

    edge: int
    u: int
    v: int
    fraction: float
    distance_m: float
    lon: float
    lat: float
    twin: int
    road: int


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


class _EdgeTimes:
    """Edge travel times with closures: the shared base array plus a sparse patch."""

    def __init__(
        self, base: NDArray[np.float64], ids: NDArray[np.int64], values: NDArray[np.float64]
    ) -> None:
        self.base, self.ids, self.values = base, ids, values

    def __getitem__(self, edges: Any) -> Any:
        out = self.base[edges]
        if self.ids.size == 0:
            return out
        at = np.minimum(np.searchsorted(self.ids, edges), self.ids.size - 1)
        return np.where(self.ids[at] == edges, self.values[at], out)[()]

    def full(self) -> NDArray[np.float64]:
        """A private copy of all edge times with the patch applied."""
        out = np.array(self.base)
        out[self.ids] = self.values
        return out


@dataclass
class _Patch:
    """CSR entries changed by closures: positions, new weights, new minimum edges."""

    pos: NDArray[np.int64]
    data: NDArray[np.float64]
    edge: NDArray[np.int64]


@dataclass
class _Weights:
    """Travel times under one ``Closures`` value (cached per value by the network).

    Queries use the sparse forms (``times``, ``fwd_patch``, ``rev_patch``). The dense
    forms (``edge_time`` and the ``fwd``/``rev`` CSR graphs with closures applied) are
    private copies built on first access, for code that needs whole arrays.
    """

    times: _EdgeTimes
    fwd_patch: _Patch
    rev_patch: _Patch
    graphs: dict[str, sp.csr_matrix]
    lock: threading.Lock
    dense: dict[str, Any] = field(default_factory=dict)

    @property
    def edge_time(self) -> NDArray[np.float64]:
        """All edge times with closures applied."""
        if "edge_time" not in self.dense:
            times = self.times
            self.dense["edge_time"] = times.full() if times.ids.size else times.base
        return self.dense["edge_time"]  # type: ignore[no-any-return]

    @property
    def fwd(self) -> sp.csr_matrix:
        """Forward CSR graph with closures applied (a private copy)."""
        return self._graph("fwd")

    @property
    def rev(self) -> sp.csr_matrix:
        """Reversed CSR graph with closures applied (a private copy)."""
        return self._graph("rev")

    def _graph(self, prefix: str) -> sp.csr_matrix:
        if prefix not in self.dense:
            base = self.graphs[prefix]
            with self.lock:  # searches patch the shared weights in place under this lock
                data = np.array(base.data)
            patch: _Patch = getattr(self, f"{prefix}_patch")
            data[patch.pos] = patch.data
            self.dense[prefix] = _csr(data, base.indices, base.indptr, base.shape[0])
        return self.dense[prefix]  # type: ignore[no-any-return]


@dataclass
class TargetSearch:
    """A finished reversed-graph search from one target (see ``RoadNetwork.search_to``)."""

    network: RoadNetwork
    target: Snap
    closures: Closures | None
    weights: _Weights
    dist: NDArray[np.float64]
    pred: NDArray[np.int32]

    def times(self, sources: Sequence[Snap]) -> NDArray[np.float64]:
        """Exact travel time from each source to the target (``inf`` if unreachable)."""
        if not sources:
            return np.zeros(0)
        return self.network._combine(self.target, sources, self.dist, "to", self.weights)

    def routes(self, sources: Sequence[Snap]) -> list[Route | None]:
        """Fastest route from each source (``None`` if unreachable)."""
        return self.network._routes_from_tree(self, sources)


class RoadNetwork:
    """A compiled road network loaded from a cache directory (see ``load``)."""

    def __init__(self, arrays: dict[str, NDArray[Any]], meta: dict[str, Any]) -> None:
        self._a = arrays
        self.meta = meta
        self.version: str = meta["version"]
        self.node_count: int = int(meta["node_count"])
        self.edge_count: int = int(meta["edge_count"])
        self.road_count: int = int(meta["road_count"])
        self.bounds: tuple[float, float, float, float] = tuple(meta["bounds"])  # type: ignore[assignment]
        self.class_names: list[str] = list(meta["class_names"])
        g = meta["grid"]
        self._grid = SegmentGrid(
            g["x0"], g["y0"], g["cell"], g["nx"], arrays["grid_keys"], arrays["grid_ptr"],
            arrays["grid_items"],
        )  # fmt: skip
        n1 = self.node_count + 1
        self._graphs = {
            "fwd": _csr(arrays["fwd_data"], arrays["fwd_indices"], arrays["fwd_indptr"], n1),
            "rev": _csr(arrays["rev_data"], arrays["rev_indices"], arrays["rev_indptr"], n1),
        }
        none = np.zeros(0, dtype=np.int64)
        empty = _Patch(none, np.zeros(0), none)
        self._lock = threading.Lock()
        self._pairs: dict[tuple[int, int], int] | None = None
        self._cache_lock = threading.Lock()
        base = _Weights(
            _EdgeTimes(arrays["edge_time"], none, np.zeros(0)),
            empty,
            empty,
            self._graphs,
            self._lock,
        )
        self._weights_cache: OrderedDict[Closures, _Weights] = OrderedDict({NO_CLOSURES: base})
        self._max_edge_time = float(np.max(arrays["edge_time"]))
        self._block = np.array([dy * g["nx"] + dx for dy in (-1, 0, 1) for dx in (-1, 0, 1)])
        self._grid_rows = int((self.bounds[3] - g["y0"]) / g["cell"]) + 2

    # ------------------------------------------------------------------ loading
    @classmethod
    def load(cls, cache_dir: str | Path) -> RoadNetwork:
        """Map a compiled cache (see ``cache.ensure_compiled``); builds no graph.

        Raises
        ------
        CacheError
            If the directory holds no compiled network of this format.
        """
        meta = read_meta(cache_dir)
        return cls(load_arrays(cache_dir), meta)

    def __repr__(self) -> str:
        return f"<RoadNetwork {self.version} nodes={self.node_count} edges={self.edge_count}>"

    # ------------------------------------------------------------------ arrays
    @property
    def node_lon(self) -> NDArray[np.float64]:
        """Longitude of each node."""
        return self._a["node_x"]

    @property
    def node_lat(self) -> NDArray[np.float64]:
        """Latitude of each node."""
        return self._a["node_y"]

    @property
    def edge_u(self) -> NDArray[np.int32]:
        """Tail node of each directed edge."""
        return self._a["edge_u"]

    @property
    def edge_v(self) -> NDArray[np.int32]:
        """Head node of each directed edge."""
        return self._a["edge_v"]

    @property
    def edge_length_m(self) -> NDArray[np.float64]:
        """Length of each directed edge in metres (a two-way road counts twice)."""
        return self._a["edge_length"]

    @property
    def edge_time_s(self) -> NDArray[np.float64]:
        """Free-flow travel time of each directed edge in seconds."""
        return self._a["edge_time"]

    @property
    def road_length_m(self) -> NDArray[np.float64]:
        """Length of each road geometry (each street counted once) in metres."""
        return self._a["road_length"]

    def edge_class(self, edge: int) -> str:
        """Return the OSM highway class of an edge."""
        self._check_edges(np.array([edge]))
        return self.class_names[int(self._a["edge_class"][edge])]

    def edge_osm_ids(self, edge: int) -> list[int]:
        """Return the OSM way ids an edge was built from."""
        self._check_edges(np.array([edge]))
        ptr = self._a["edge_osm_ptr"]
        return [int(i) for i in self._a["edge_osm_ids"][ptr[edge] : ptr[edge + 1]]]

    # ------------------------------------------------------------------ snapping
    def snap(self, lon: float, lat: float, *, max_distance_m: float = 2000.0) -> Snap:
        """Snap a point to the nearest road edge.

        Parameters
        ----------
        lon, lat : float
            WGS84 degrees.
        max_distance_m : float
            Largest accepted off-road distance.

        Raises
        ------
        InvalidCoordinates
            If ``lon`` or ``lat`` is out of range or not finite (a ``ValueError``).
        PointTooFarFromRoad
            If no road lies within ``max_distance_m`` (a ``ValueError``).
        """
        lon, lat = _check_lon_lat(lon, lat)
        seg, t, dist = self._nearest_near(lon, lat)
        if seg < 0:  # nothing provably nearest within one cell: widen the search
            seg, t, dist = self._nearest_segment(lon, lat, max_distance_m)
        if seg < 0 or dist > max_distance_m:
            raise PointTooFarFromRoad(lon, lat, dist, max_distance_m)
        a = self._a
        road = int(a["vertex_road"][seg])
        c0, c1 = float(a["road_cum"][seg]), float(a["road_cum"][seg + 1])
        length = float(a["road_length"][road])
        fraction = min(1.0, max(0.0, (c0 + t * (c1 - c0)) / length)) if length > 0 else 0.0
        (x0, y0), (x1, y1) = a["road_coords"][seg].tolist(), a["road_coords"][seg + 1].tolist()
        edge, twin = a["road_edge"][road].tolist()
        u, v = int(a["edge_u"][edge]), int(a["edge_v"][edge])
        lon_s, lat_s = x0 + t * (x1 - x0), y0 + t * (y1 - y0)
        return Snap(edge, u, v, fraction, dist, lon_s, lat_s, twin, road)

    def _nearest_near(self, lon: float, lat: float) -> tuple[int, float, float]:
        """Scalar fast path of ``_nearest_block`` (3x3 cells) for one point."""
        g = self._grid
        ix = math.floor((lon - g.x0) / g.cell)
        iy = math.floor((lat - g.y0) / g.cell)
        # neighbours left of column 0 alias cells of the previous row: extra candidates only
        cells = self._block + (iy * g.nx + ix)
        at = np.minimum(np.searchsorted(g.keys, cells), g.keys.size - 1)
        at = at[g.keys[at] == cells].tolist()
        if not at:
            return -1, 0.0, math.inf
        ptr, items = g.ptr, g.items
        cand = np.concatenate([items[ptr[k] : ptr[k + 1]] for k in at])
        xy = self._a["road_coords"]
        kx = math.cos(math.radians(lat)) * M_PER_DEG
        a, b = xy[cand], xy[cand + 1]
        ax, ay = (a[:, 0] - lon) * kx, (a[:, 1] - lat) * M_PER_DEG
        dx, dy = (b[:, 0] - a[:, 0]) * kx, (b[:, 1] - a[:, 1]) * M_PER_DEG
        dd = dx * dx + dy * dy
        dd[dd == 0] = 1.0
        t = np.clip(-(ax * dx + ay * dy) / dd, 0.0, 1.0)
        d2 = (ax + t * dx) ** 2 + (ay + t * dy) ** 2
        k = int(np.argmin(d2))
        best = math.sqrt(d2[k])
        reach = g.cell * M_PER_DEG * math.cos(math.radians(min(89.9, abs(lat) + 2 * g.cell)))
        if best > reach:
            return -1, 0.0, math.inf
        return int(cand[k]), float(t[k]), best

    def snap_many(
        self, lons: ArrayLike, lats: ArrayLike, *, max_distance_m: float = 2000.0
    ) -> list[Snap]:
        """Snap many points; raises on the first point that cannot be snapped."""
        try:
            xs = np.asarray(lons, dtype=np.float64).ravel()
            ys = np.asarray(lats, dtype=np.float64).ravel()
        except (TypeError, ValueError) as exc:
            raise InvalidCoordinates(f"lon/lat must be numbers: {exc}") from exc
        if xs.shape != ys.shape:
            raise ValueError("lons and lats must have the same length")
        bad = ~(np.isfinite(xs) & (np.abs(xs) <= 180.0))
        if bad.any():
            raise InvalidCoordinates(f"lon must be within [-180, 180], got lon={xs[bad][0]!r}")
        bad = ~(np.isfinite(ys) & (np.abs(ys) <= 90.0))
        if bad.any():
            raise InvalidCoordinates(f"lat must be within [-90, 90], got lat={ys[bad][0]!r}")
        seg, t, dist = self._nearest_block(xs, ys, ring=1)
        for ring in (3,):  # a wider vectorised pass, then a per-point search for the rest
            todo = np.flatnonzero(seg < 0)
            if todo.size:
                seg[todo], t[todo], dist[todo] = self._nearest_block(xs[todo], ys[todo], ring=ring)
        for i in np.flatnonzero(seg < 0):
            seg[i], t[i], dist[i] = self._nearest_segment(xs[i], ys[i], max_distance_m)
        far = np.flatnonzero((seg < 0) | (dist > max_distance_m))
        if far.size:
            i = far[0]
            raise PointTooFarFromRoad(float(xs[i]), float(ys[i]), float(dist[i]), max_distance_m)
        return self._make_snaps(seg, t, dist)

    def _nearest_block(
        self, xs: NDArray[np.float64], ys: NDArray[np.float64], *, ring: int
    ) -> tuple[NDArray[np.int64], NDArray[np.float64], NDArray[np.float64]]:
        """Vectorised nearest segment among the cells within ``ring`` of each point.

        Returns segment -1 for points whose best match is not provably nearest
        (farther than ``ring`` cells, or no candidate); the caller widens those.
        """
        g = self._grid
        n = xs.size
        ix = np.floor((xs - g.x0) / g.cell).astype(np.int64)
        iy = np.floor((ys - g.y0) / g.cell).astype(np.int64)
        off = np.arange(-ring, ring + 1)
        side = off.size
        block = side * side
        gx = (ix[:, None, None] + off[None, None, :]).repeat(side, axis=1).reshape(n, block)
        gy = (iy[:, None, None] + off[None, :, None]).repeat(side, axis=2).reshape(n, block)
        cells = gy * g.nx + gx
        ok = (gx >= 0) & (gx < g.nx) & (gy >= 0)
        at = np.minimum(np.searchsorted(g.keys, cells), max(g.keys.size - 1, 0))
        ok &= g.keys[at] == cells if g.keys.size else False
        lo = np.where(ok, g.ptr[at], 0)
        cnt = np.where(ok, g.ptr[at + 1] - g.ptr[at], 0).ravel()
        total = int(cnt.sum())
        seg = np.full(n, -1, dtype=np.int64)
        tt = np.zeros(n)
        dist = np.full(n, np.inf)
        if total == 0:
            return seg, tt, dist
        start = np.repeat(lo.ravel() - np.cumsum(cnt) + cnt, cnt) + np.arange(total)
        cand = g.items[start]
        owner = np.repeat(np.repeat(np.arange(n), block), cnt)
        coords = self._a["road_coords"]
        kx = np.cos(np.radians(ys)) * M_PER_DEG
        a, b = coords[cand], coords[cand + 1]
        ax = (a[:, 0] - xs[owner]) * kx[owner]
        ay = (a[:, 1] - ys[owner]) * M_PER_DEG
        dx = (b[:, 0] - a[:, 0]) * kx[owner]
        dy = (b[:, 1] - a[:, 1]) * M_PER_DEG
        dd = dx * dx + dy * dy
        t = np.clip(-(ax * dx + ay * dy) / np.where(dd > 0, dd, 1.0), 0.0, 1.0)
        d2 = (ax + t * dx) ** 2 + (ay + t * dy) ** 2
        starts = np.flatnonzero(np.r_[True, owner[1:] != owner[:-1]])  # owner is sorted
        who = owner[starts]
        best = np.full(n, np.inf)
        best[who] = np.minimum.reduceat(d2, starts)
        hit = np.flatnonzero(d2 == best[owner])
        first = hit[np.r_[True, owner[hit][1:] != owner[hit][:-1]]]
        who = owner[first]
        edge_lat = np.minimum(89.9, np.abs(ys[who]) + (ring + 1) * g.cell)
        reach = ring * g.cell * M_PER_DEG * np.cos(np.radians(edge_lat))
        sure = np.sqrt(d2[first]) <= reach
        seg[who[sure]] = cand[first[sure]]
        tt[who[sure]] = t[first[sure]]
        dist[who[sure]] = np.sqrt(d2[first[sure]])
        return seg, tt, dist

    def _nearest_segment(self, lon: float, lat: float, limit_m: float) -> tuple[int, float, float]:
        coords = self._a["road_coords"]
        grid = self._grid
        kx = math.cos(math.radians(lat)) * M_PER_DEG
        best, best_seg, best_t = math.inf, -1, 0.0
        ix = math.floor((lon - grid.x0) / grid.cell)
        iy = math.floor((lat - grid.y0) / grid.cell)
        whole = max(abs(ix), abs(grid.nx - ix), abs(iy), abs(self._grid_rows - iy)) + 1
        ring = 0
        while True:
            cand = grid.candidates(lon, lat, ring)
            if cand.size:
                a = coords[cand]
                b = coords[cand + 1]
                ax, ay = (a[:, 0] - lon) * kx, (a[:, 1] - lat) * M_PER_DEG
                dx, dy = (b[:, 0] - a[:, 0]) * kx, (b[:, 1] - a[:, 1]) * M_PER_DEG
                dd = dx * dx + dy * dy
                t = np.clip(-(ax * dx + ay * dy) / np.where(dd > 0, dd, 1.0), 0.0, 1.0)
                d2 = (ax + t * dx) ** 2 + (ay + t * dy) ** 2
                k = int(np.argmin(d2))
                if d2[k] < best * best:
                    best, best_seg, best_t = math.sqrt(d2[k]), int(cand[k]), float(t[k])
            edge_lat = min(89.9, abs(lat) + (ring + 1) * grid.cell)
            reach = ring * grid.cell * M_PER_DEG * math.cos(math.radians(edge_lat))
            if best <= reach or reach > limit_m or ring > whole:
                return best_seg, best_t, best
            ring += 1

    def _make_snaps(
        self, seg: NDArray[np.int64], t: NDArray[np.float64], dist: NDArray[np.float64]
    ) -> list[Snap]:
        a = self._a
        road = a["vertex_road"][seg]
        cum = a["road_cum"]
        length = a["road_length"][road]
        along = cum[seg] + t * (cum[seg + 1] - cum[seg])
        with np.errstate(invalid="ignore", divide="ignore"):
            fraction = np.where(length > 0, np.clip(along / length, 0.0, 1.0), 0.0)
        xy = a["road_coords"]
        p = xy[seg] + t[:, None] * (xy[seg + 1] - xy[seg])
        edge, twin = a["road_edge"][road, 0], a["road_edge"][road, 1]
        rows = zip(
            edge.tolist(),
            a["edge_u"][edge].tolist(),
            a["edge_v"][edge].tolist(),
            fraction.tolist(),
            dist.tolist(),
            p[:, 0].tolist(),
            p[:, 1].tolist(),
            twin.tolist(),
            road.tolist(),
            strict=True,
        )
        return [Snap(*row) for row in rows]

    # ------------------------------------------------------------------ closures
    def _check_edges(self, ids: NDArray[Any]) -> None:
        if ids.size and (ids.min() < 0 or ids.max() >= self.edge_count):
            bad = ids[(ids < 0) | (ids >= self.edge_count)][0]
            raise UnknownEdge(
                f"edge id {int(bad)} does not exist in road network {self.version} "
                f"({self.edge_count} edges)"
            )

    def _weights(self, closures: Closures | None) -> _Weights:
        closures = closures or NO_CLOSURES
        cache = self._weights_cache
        with self._cache_lock:
            if closures in cache:
                cache.move_to_end(closures)
                return cache[closures]
        ids, factors = closures.edge_ids, closures.factors
        self._check_edges(ids)
        base_time = self._a["edge_time"]
        values = np.where(np.isinf(factors), np.inf, base_time[ids] * factors)
        times = _EdgeTimes(base_time, ids, values)
        parts: dict[str, Any] = {"times": times, "graphs": self._graphs, "lock": self._lock}
        for prefix in ("fwd", "rev"):
            edge_pos = self._a[f"edge_{prefix}_pos"]
            touched = np.unique(edge_pos[ids])
            shared = self._parallel_edges(prefix)
            members = np.union1d(ids, shared[np.isin(edge_pos[shared], touched)])
            member_time = times[members]
            order = np.lexsort((member_time, edge_pos[members]))
            members, member_time = members[order], member_time[order]
            pos = edge_pos[members]
            first = np.ones(pos.size, dtype=bool)
            first[1:] = pos[1:] != pos[:-1]
            parts[f"{prefix}_patch"] = _Patch(
                pos[first].astype(np.int64), member_time[first], members[first].astype(np.int64)
            )
        weights = _Weights(**parts)
        with self._cache_lock:
            cache[closures] = weights
            while len(cache) > _CLOSURE_CACHE_SIZE:
                stale = next(k for k in cache if k != NO_CLOSURES)
                del cache[stale]
        return weights

    def _parallel_edges(self, prefix: str) -> NDArray[np.int64]:
        """Edges sharing their CSR entry with another edge (parallel roads)."""
        return self._a[f"{prefix}_parallel"]

    def edges_near(self, lon: float, lat: float, *, radius_m: float = 25.0) -> NDArray[np.int64]:
        """Return both directions of every edge within ``radius_m`` of a point.

        Use it to close "the road here"; ``Closures.closed(network.edges_near(...))``.
        """
        lon, lat = _check_lon_lat(lon, lat)
        coords = self._a["road_coords"]
        kx = math.cos(math.radians(lat)) * M_PER_DEG
        rings = int(radius_m / (self._grid.cell * kx)) + 1
        cand = np.unique(
            np.concatenate([self._grid.candidates(lon, lat, r) for r in range(rings + 1)])
        )
        if cand.size == 0:
            return np.zeros(0, dtype=np.int64)
        a, b = coords[cand], coords[cand + 1]
        ax, ay = (a[:, 0] - lon) * kx, (a[:, 1] - lat) * M_PER_DEG
        dx, dy = (b[:, 0] - a[:, 0]) * kx, (b[:, 1] - a[:, 1]) * M_PER_DEG
        dd = np.where(dx * dx + dy * dy > 0, dx * dx + dy * dy, 1.0)
        t = np.clip(-(ax * dx + ay * dy) / dd, 0.0, 1.0)
        near = np.hypot(ax + t * dx, ay + t * dy) <= radius_m
        return self._road_edges(np.unique(self._a["vertex_road"][cand[near]]))

    def edges_within(self, polygon: shapely.Geometry) -> NDArray[np.int64]:
        """Return both directions of every edge whose road intersects ``polygon`` (lon/lat)."""
        if not isinstance(polygon, shapely.Geometry) or polygon.is_empty:
            raise ValueError("polygon must be a non-empty shapely geometry in lon/lat")
        minx, miny, maxx, maxy = polygon.bounds
        roads = self._roads_in_bbox((minx, miny, maxx, maxy))
        if roads.size == 0:
            return np.zeros(0, dtype=np.int64)
        lines = _linestrings(*self._road_coords_list(roads))
        hit = shapely.intersects(lines, polygon)
        return self._road_edges(roads[hit])

    def edges_by_osm_way(self, way_id: int) -> NDArray[np.int64]:
        """Return all edges built from the OSM way ``way_id`` (empty if none)."""
        hits = np.flatnonzero(self._a["edge_osm_ids"] == int(way_id))
        edges = np.searchsorted(self._a["edge_osm_ptr"], hits, side="right") - 1
        return np.unique(edges).astype(np.int64)

    def _road_edges(self, roads: NDArray[Any]) -> NDArray[np.int64]:
        pairs = np.asarray(self._a["road_edge"][roads]).ravel()
        return np.unique(pairs[pairs >= 0]).astype(np.int64)

    # ------------------------------------------------------------------ search core
    def _search(
        self,
        origin: Snap,
        direction: Direction,
        weights: _Weights,
        limit: float,
        predecessors: bool = False,
    ) -> tuple[NDArray[np.float64], NDArray[np.int32] | None]:
        """Dijkstra from a snapped point; ``direction="to"`` searches the reversed graph."""
        t = weights.times
        f = origin.fraction
        along, ahead = _part(f, t[origin.edge]), _part(1 - f, t[origin.edge])
        # A point at a node reaches that node for free even on a one-way road (0 * inf = 0).
        t_twin = t[origin.twin] if origin.twin >= 0 else math.inf
        back, behind = _part(1 - f, t_twin), _part(f, t_twin)
        if direction == "from":
            prefix, slots = "fwd", ((origin.v, ahead), (origin.u, behind))
        else:
            prefix, slots = "rev", ((origin.u, along), (origin.v, back))
        graph = self._graphs[prefix]
        patch: _Patch = getattr(weights, f"{prefix}_patch")
        with self._lock:
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
                    indices=self.node_count,
                    limit=limit,
                    return_predecessors=predecessors,
                )
            finally:
                graph.data[patch.pos] = saved
        if predecessors:
            return result[0], result[1]
        return result, None

    def _combine(
        self,
        origin: Snap,
        others: Sequence[Snap],
        dist: NDArray[np.float64],
        direction: Direction,
        weights: _Weights,
    ) -> NDArray[np.float64]:
        """Exact times between ``origin`` and each snap, from node distances."""
        t = weights.times
        edge = np.fromiter((s.edge for s in others), np.int64, len(others))
        twin = np.fromiter((s.twin for s in others), np.int64, len(others))
        frac = np.fromiter((s.fraction for s in others), np.float64, len(others))
        u, v = self._a["edge_u"][edge], self._a["edge_v"][edge]
        t_edge = t[edge]
        t_twin = np.where(twin >= 0, t[np.maximum(twin, 0)], np.inf)
        if direction == "from":  # origin -> point: enter its edge at u or its twin at v
            via_u = dist[u] + _part(frac, t_edge)
            via_v = dist[v] + _part(1 - frac, t_twin)
        else:  # point -> origin: leave along its edge to v or along its twin to u
            via_v = _part(1 - frac, t_edge) + dist[v]
            via_u = _part(frac, t_twin) + dist[u]
        with np.errstate(invalid="ignore"):
            best = np.fmin(via_u, via_v)
            same = np.flatnonzero(edge == origin.edge)
            if same.size:
                start, end = (
                    (origin.fraction, frac[same])
                    if direction == "from"
                    else (frac[same], origin.fraction)
                )
                fwd = np.where(end >= start, _part(end - start, t[origin.edge]), np.inf)
                bwd = np.where(end <= start, _part(start - end, t_twin[same]), np.inf)
                best[same] = np.fmin(best[same], np.fmin(fwd, bwd))
        return np.where(np.isnan(best), np.inf, best)

    def _times(
        self,
        origin: Snap,
        others: Sequence[Snap],
        direction: Direction,
        cutoff_s: float | None,
        closures: Closures | None,
        need: int | None,
        offsets_s: ArrayLike | None = None,
    ) -> NDArray[np.float64]:
        weights = self._weights(closures)
        cutoff = math.inf if cutoff_s is None else float(cutoff_s)
        if not cutoff >= 0:
            raise ValueError(f"cutoff_s must be >= 0, got {cutoff_s}")
        offsets = _offsets(offsets_s, len(others))
        if not others:
            return np.zeros(0)
        if need is None:
            limit = cutoff
        else:
            if need < 1:
                raise ValueError(f"need must be >= 1, got {need}")
            need = min(need, len(others))
            crow = _haversine(
                np.array([[origin.lon, origin.lat]]),
                np.array([(s.lon, s.lat) for s in others]),
            )
            guess = 60.0 + 1.4 * crow / _SPEED_GUESS_MPS + offsets
            limit = min(cutoff, float(np.partition(guess, need - 1)[need - 1]))
        reached = -1
        while True:
            dist, _ = self._search(origin, direction, weights, limit)
            raw = self._combine(origin, others, dist, direction, weights) + offsets
            # a total <= limit is exact; anything above may not be (not settled yet)
            times = np.where(raw <= limit, raw, np.inf)
            if need is None or limit >= cutoff or np.count_nonzero(np.isfinite(times)) >= need:
                return times
            settled = int(np.count_nonzero(np.isfinite(dist)))
            if settled == reached and limit > 2 * self._max_edge_time:
                return np.where(raw <= cutoff, raw, np.inf)  # all reachable nodes settled
            reached = settled
            limit = min(cutoff, limit * 2)

    # ------------------------------------------------------------------ queries
    def times_to(
        self,
        target: Snap,
        sources: Sequence[Snap],
        *,
        cutoff_s: float | None = None,
        closures: Closures | None = None,
        need: int | None = None,
        offsets_s: ArrayLike | None = None,
    ) -> NDArray[np.float64]:
        """Travel time from each source to ``target`` (many-to-one, the dispatch path).

        Searches the reversed graph from the target, so one-way streets are honoured
        in the direction of travel (towards the incident).

        Parameters
        ----------
        target : Snap
            Incident position.
        sources : sequence of Snap
            Resource positions.
        cutoff_s : float, optional
            Times above it are reported as ``inf``.
        closures : Closures, optional
            Closures and slowdowns to honour.
        need : int, optional
            Stop once this many sources are settled. The returned finite times are
            exact and include the ``need`` fastest; other sources may be ``inf``
            because they were not reached before the search stopped.
        offsets_s : array-like, optional
            Seconds added per source before ranking, cutoff and ``need`` (e.g. each
            team's mobilization time, so ``need`` picks the earliest *arrivals*).

        Returns
        -------
        ndarray of float64
            Seconds per source, ``inf`` when unreachable (or not settled, see ``need``).
        """
        return self._times(target, sources, "to", cutoff_s, closures, need, offsets_s)

    def times_from(
        self,
        source: Snap,
        targets: Sequence[Snap],
        *,
        cutoff_s: float | None = None,
        closures: Closures | None = None,
        need: int | None = None,
        offsets_s: ArrayLike | None = None,
    ) -> NDArray[np.float64]:
        """Travel time from ``source`` to each target (one-to-many); see ``times_to``."""
        return self._times(source, targets, "from", cutoff_s, closures, need, offsets_s)

    def route(self, source: Snap, target: Snap, *, closures: Closures | None = None) -> Route:
        """Return the fastest route with full geometry.

        Raises
        ------
        NoRoute
            If the target cannot be reached (a ``ValueError``).
        """
        weights = self._weights(closures)
        t = weights.times
        times = self._times(source, [target], "from", None, closures, 1)
        best = float(times[0])
        if not math.isfinite(best):
            raise NoRoute(
                f"no route from ({source.lon:.6f}, {source.lat:.6f}) to "
                f"({target.lon:.6f}, {target.lat:.6f}): closures or one-way streets cut it"
            )
        dist, pred = self._search(source, "from", weights, best * (1 + 1e-9) + 1e-6, True)
        assert pred is not None
        fs, ft = source.fraction, target.fraction
        pieces: list[tuple[int, float, float]] = []  # (edge, from fraction, to fraction)
        same = source.edge == target.edge
        direct = math.inf
        if same and ft >= fs:
            direct = _part(ft - fs, t[source.edge])
        elif same and source.twin >= 0:
            direct = _part(fs - ft, t[source.twin])
        if direct <= best + 1e-9:
            pieces.append((source.edge, fs, ft) if ft >= fs else (source.twin, 1 - fs, 1 - ft))
        else:
            via_u = dist[target.u] + _part(ft, t[target.edge])  # at u itself: free
            t_twin = t[target.twin] if target.twin >= 0 else math.inf
            via_v = dist[target.v] + _part(1 - ft, t_twin)  # at v itself: free, one-way or not
            if via_u <= via_v:
                end, last = target.u, (target.edge, 0.0, ft)
            else:
                end, last = target.v, (target.twin, 0.0, 1 - ft)
            nodes = [end]
            while pred[nodes[-1]] != self.node_count:
                nodes.append(int(pred[nodes[-1]]))
            nodes.reverse()
            ahead = _part(1 - fs, t[source.edge])
            if nodes[0] == source.v and abs(dist[source.v] - ahead) <= 1e-9 * max(1.0, ahead):
                pieces.append((source.edge, fs, 1.0))
            else:
                pieces.append((source.twin, 1 - fs, 1.0))
            pieces.extend(
                (self._edge_between(a, b, weights), 0.0, 1.0) for a, b in itertools.pairwise(nodes)
            )
            pieces.append(last)
        return self._assemble(pieces, best)

    def routes_to(
        self, target: Snap, sources: Sequence[Snap], *, closures: Closures | None = None
    ) -> list[Route | None]:
        """Fastest routes from many points to one target, from ONE reversed-graph search.

        The dispatch case (many teams, one incident): equal to calling ``route`` per source,
        at the cost of a single search.  ``None`` where the target cannot be reached.
        """
        return self.search_to(target, closures=closures).routes(sources)

    def search_to(self, target: Snap, *, closures: Closures | None = None) -> TargetSearch:
        """One complete search on the reversed graph from ``target``, kept so that travel
        times (``.times``) and routes (``.routes``) for any sources come from it without
        searching again."""
        weights = self._weights(closures)
        dist, pred = self._search(target, "to", weights, math.inf, True)
        assert pred is not None
        return TargetSearch(self, target, closures, weights, dist, pred)

    def _routes_from_tree(self, tree: TargetSearch, sources: Sequence[Snap]) -> list[Route | None]:
        target, weights, dist, pred = tree.target, tree.weights, tree.dist, tree.pred
        t = weights.edge_time
        totals = self._combine(target, sources, dist, "to", weights)
        ft = target.fraction
        along = _part(ft, t[target.edge])
        routes: list[Route | None] = []
        for source, total in zip(sources, totals, strict=True):
            if not math.isfinite(total):
                routes.append(None)
                continue
            if source.road == target.road:  # may go straight along the shared road
                routes.append(self.route(source, target, closures=tree.closures))
                continue
            fs = source.fraction
            t_twin = t[source.twin] if source.twin >= 0 else math.inf
            via_v = _part(1 - fs, t[source.edge]) + dist[source.v]
            via_u = _part(fs, t_twin) + dist[source.u]
            first, node = (
                ((source.edge, fs, 1.0), source.v)
                if via_v <= via_u
                else ((source.twin, 1 - fs, 1.0), source.u)
            )
            nodes = [node]
            while pred[nodes[-1]] != self.node_count:
                nodes.append(int(pred[nodes[-1]]))
            end = nodes[-1]
            if end == target.u and abs(dist[end] - along) <= 1e-9 * max(1.0, along):
                last = (target.edge, 0.0, ft)
            else:
                last = (target.twin, 0.0, 1 - ft)
            pairs = self._pair_positions()
            hops = np.fromiter((pairs[hop] for hop in itertools.pairwise(nodes)), np.int64)
            routes.append(
                self._assemble_path(first, self._edges_at(hops, weights), last, float(total))
            )
        return routes

    def _edges_at(self, positions: NDArray[np.int64], weights: _Weights) -> NDArray[np.int64]:
        """The (minimum) edge behind each forward-CSR position under ``weights``."""
        edges = np.asarray(self._a["fwd_pos_edge"])[positions].astype(np.int64)
        patch = weights.fwd_patch
        if patch.pos.size:
            order = np.argsort(patch.pos)
            where = np.searchsorted(patch.pos[order], positions)
            where = np.minimum(where, patch.pos.size - 1)
            hit = patch.pos[order][where] == positions
            edges[hit] = patch.edge[order][where[hit]]
        return edges

    def _assemble_path(
        self,
        first: tuple[int, float, float],
        middle: NDArray[np.int64],
        last: tuple[int, float, float],
        best: float,
    ) -> Route:
        """A Route from a partial first edge, whole middle edges and a partial last edge."""
        parts = []
        length = float(np.asarray(self._a["edge_length"])[middle].sum()) if middle.size else 0.0
        edges = []
        if first[2] > first[1]:
            parts.append(np.asarray(self._edge_piece(*first), dtype=np.float64))
            length += (first[2] - first[1]) * float(self._a["edge_length"][first[0]])
            edges.append(int(first[0]))
        if middle.size:
            parts.append(self._whole_edges(middle))
            edges.extend(middle.tolist())
        if last[2] > last[1]:
            parts.append(np.asarray(self._edge_piece(*last), dtype=np.float64))
            length += (last[2] - last[1]) * float(self._a["edge_length"][last[0]])
            edges.append(int(last[0]))
        if not parts:  # source and target at the same place
            parts.append(np.asarray(self._edge_piece(last[0], last[1], last[1])))
        xy = np.concatenate([parts[0]] + [part[1:] for part in parts[1:]])
        return Route(
            travel_time_s=best, length_m=length, coords=[tuple(p) for p in xy.tolist()], edges=edges
        )

    def _assemble(self, pieces: list[tuple[int, float, float]], best: float) -> Route:
        """A Route from (edge, from fraction, to fraction) pieces in travel order.

        Whole edges (fraction 0 to 1) are gathered with one vectorised index; only the
        partial first and last pieces are interpolated.
        """
        kept = [p for p in pieces if not (p[2] <= p[1] and len(pieces) > 1)]
        parts: list[NDArray[np.float64]] = []
        length = 0.0
        run: list[int] = []

        def flush() -> None:
            if run:
                parts.append(self._whole_edges(np.asarray(run, dtype=np.int64)))
                run.clear()

        for edge, f0, f1 in kept:
            if f0 == 0.0 and f1 == 1.0:
                run.append(edge)
            else:
                flush()
                parts.append(np.asarray(self._edge_piece(edge, f0, f1), dtype=np.float64))
            length += (f1 - f0) * float(self._a["edge_length"][edge])
        flush()
        joined = [parts[0]] + [part[1:] for part in parts[1:]] if parts else []
        xy = np.concatenate(joined) if joined else np.zeros((0, 2))
        coords = [tuple(p) for p in xy.tolist()]
        return Route(
            travel_time_s=best, length_m=length, coords=coords, edges=[int(p[0]) for p in kept]
        )

    def _whole_edges(self, edges: NDArray[np.int64]) -> NDArray[np.float64]:
        """Coordinates of consecutive whole edges, shared end points once."""
        a = self._a
        roads = np.asarray(a["edge_road"])[edges]
        forward = np.asarray(a["edge_forward"])[edges].astype(bool)
        ptr = np.asarray(a["road_ptr"])
        starts, ends = ptr[roads], ptr[roads + 1]
        counts = ends - starts
        segment = np.repeat(np.arange(len(edges)), counts)
        within = np.arange(int(counts.sum())) - np.repeat(np.cumsum(counts) - counts, counts)
        index = np.where(forward[segment], starts[segment] + within, ends[segment] - 1 - within)
        keep = (within > 0) | (segment == 0)
        return np.asarray(a["road_coords"])[index[keep]]

    def _edge_between(self, a: int, b: int, weights: _Weights) -> int:
        pos = self._pair_positions()[(a, b)]
        if not weights.fwd_patch.pos.size:
            return int(self._a["fwd_pos_edge"][pos])
        hit = np.flatnonzero(weights.fwd_patch.pos == pos)
        return int(weights.fwd_patch.edge[hit[0]] if hit.size else self._a["fwd_pos_edge"][pos])

    def _pair_positions(self) -> dict[tuple[int, int], int]:
        """(from node, to node) -> position in the forward CSR, built once on first use
        (route assembly looks up every hop)."""
        if self._pairs is None:
            indptr = np.asarray(self._a["fwd_indptr"][: self.node_count + 1])
            rows = np.repeat(np.arange(self.node_count), np.diff(indptr))
            cols = np.asarray(self._a["fwd_indices"][: indptr[-1]])
            self._pairs = dict(
                zip(zip(rows.tolist(), cols.tolist(), strict=False), range(len(cols)), strict=False)
            )
        return self._pairs

    def _edge_piece(self, edge: int, f0: float, f1: float) -> list[tuple[float, float]]:
        """Coordinates of ``edge`` between fractions ``f0`` and ``f1`` (edge direction)."""
        road = int(self._a["edge_road"][edge])
        if not self._a["edge_forward"][edge]:
            return self._road_piece(road, 1 - f0, 1 - f1)
        return self._road_piece(road, f0, f1)

    def _road_piece(self, road: int, f0: float, f1: float) -> list[tuple[float, float]]:
        a = self._a
        lo, hi = int(a["road_ptr"][road]), int(a["road_ptr"][road + 1])
        xy = np.asarray(a["road_coords"][lo:hi])
        if (f0, f1) in ((0.0, 1.0), (1.0, 0.0)):  # a whole edge: no interpolation needed
            return [tuple(p) for p in (xy if f0 == 0.0 else xy[::-1]).tolist()]
        cum = np.asarray(a["road_cum"][lo:hi])
        length = cum[-1]
        s0, s1 = sorted((f0 * length, f1 * length))
        inner = (cum > s0) & (cum < s1)
        ends = [
            np.array([np.interp(s, cum, xy[:, 0]), np.interp(s, cum, xy[:, 1])]) for s in (s0, s1)
        ]
        pts = np.vstack([ends[0], xy[inner], ends[1]])
        if f1 < f0:
            pts = pts[::-1]
        return [(float(x), float(y)) for x, y in pts]

    def isochrones(
        self,
        center: Snap,
        minutes: Sequence[float],
        *,
        direction: Direction = "to",
        closures: Closures | None = None,
        resolution_m: float = 50.0,
    ) -> list[shapely.Geometry]:
        """Return areas reachable within each time budget (lon/lat polygons).

        Each area is the union of the ``resolution_m`` grid squares crossed by the
        reachable road pieces (partial edges included), lightly simplified: a
        rasterised network buffer, much faster than buffering lines with GEOS.
        ``direction="to"``: places from which ``center`` is reached in time (coverage
        of an incident); ``"from"``: places reached from ``center``.
        """
        if direction not in ("to", "from"):
            raise ValueError(f"direction must be 'to' or 'from', got {direction!r}")
        budgets = [float(m) * 60.0 for m in minutes]
        if not resolution_m > 0:
            raise ValueError(f"resolution_m must be > 0, got {resolution_m}")
        if any(not math.isfinite(b) or b <= 0 for b in budgets):
            raise ValueError("minutes must be positive numbers")
        if not budgets:
            return []
        weights = self._weights(closures)
        dist, _ = self._search(center, direction, weights, max(budgets))
        t = weights.edge_time
        u, v = self._a["edge_u"], self._a["edge_v"]
        lon0, lat0 = center.lon, center.lat
        kx = math.cos(math.radians(lat0)) * M_PER_DEG
        out = []
        for budget in budgets:
            with np.errstate(invalid="ignore", divide="ignore"):
                end = dist[u] if direction == "from" else dist[v]
                reach = np.nan_to_num(np.clip((budget - end) / t, 0.0, 1.0))
            full = reach >= 1.0
            partial = np.flatnonzero((reach > 0) & ~full)
            if direction == "from":
                spans = [(int(e), 0.0, float(reach[e])) for e in partial]
            else:
                spans = [(int(e), 1.0 - float(reach[e]), 1.0) for e in partial]
            spans += self._origin_spans(center, direction, budget, t)
            lines = [np.asarray(self._edge_piece(e, f0, f1)) for e, f0, f1 in spans if f1 > f0]
            lines.append(np.array([[lon0, lat0], [lon0, lat0 + 1e-9]]))
            xy, idx = self._road_coords_list(np.unique(self._a["edge_road"][np.flatnonzero(full)]))
            parts = [xy, *lines]
            ids = [idx] + [
                np.full(len(ln), idx.max(initial=-1) + 1 + i) for i, ln in enumerate(lines)
            ]
            xy, idx = np.concatenate(parts), np.concatenate(ids)
            local = np.column_stack([(xy[:, 0] - lon0) * kx, (xy[:, 1] - lat0) * M_PER_DEG])
            area = _raster_area(local, idx, resolution_m)
            out.append(
                shapely.transform(
                    area,
                    lambda p: np.column_stack([p[:, 0] / kx + lon0, p[:, 1] / M_PER_DEG + lat0]),
                )
            )
        return out

    def _origin_spans(
        self, center: Snap, direction: Direction, budget: float, t: NDArray[np.float64]
    ) -> list[tuple[int, float, float]]:
        f = center.fraction
        spans = []
        forward = direction == "from"
        if t[center.edge] > 0:
            step = budget / t[center.edge]
            spans.append(
                (center.edge, f, min(1.0, f + step))
                if forward
                else (center.edge, max(0.0, f - step), f)
            )
        if center.twin >= 0 and t[center.twin] > 0:
            g = 1 - f
            step = budget / t[center.twin]
            spans.append(
                (center.twin, g, min(1.0, g + step))
                if forward
                else (center.twin, max(0.0, g - step), g)
            )
        return spans

    def nearest_source_times(
        self,
        sources: Sequence[Snap],
        *,
        direction: Direction = "from",
        cutoff_s: float | None = None,
        closures: Closures | None = None,
        offsets_s: ArrayLike | None = None,
    ) -> tuple[NDArray[np.float64], NDArray[np.int64]]:
        """One multi-source search: time to each node from its nearest source.

        Parameters
        ----------
        sources : sequence of Snap
            Resource positions.
        direction : {"from", "to"}
            ``"from"``: time from the nearest source to each node (coverage);
            ``"to"``: time from each node to its nearest source.
        cutoff_s : float, optional
            Nodes farther than this get ``inf`` and source ``-1``.
        closures : Closures, optional
            Closures and slowdowns to honour.
        offsets_s : array-like, optional
            Seconds added per source (e.g. mobilization time) before comparing.

        Returns
        -------
        times : ndarray of float64, shape (node_count,)
        nearest : ndarray of int64, shape (node_count,)
            Index into ``sources``, -1 where unreachable.
        """
        if direction not in ("to", "from"):
            raise ValueError(f"direction must be 'to' or 'from', got {direction!r}")
        n = self.node_count
        offsets = _offsets(offsets_s, len(sources))
        if not sources:
            return np.full(n, np.inf), np.full(n, -1, dtype=np.int64)
        weights = self._weights(closures)
        t = weights.times
        prefix = "fwd" if direction == "from" else "rev"
        graph = self._graphs[prefix]
        patch: _Patch = getattr(weights, f"{prefix}_patch")
        cols, vals = [], []
        for s, extra in zip(sources, offsets.tolist(), strict=True):
            tw = t[s.twin] if s.twin >= 0 else np.inf
            if direction == "from":
                cols += [s.v, s.u]
                vals += [_part(1 - s.fraction, t[s.edge]), _part(s.fraction, tw)]
            else:
                cols += [s.u, s.v]
                vals += [_part(s.fraction, t[s.edge]), _part(1 - s.fraction, tw)]
            vals[-2:] = [vals[-2] + extra, vals[-1] + extra]
        k = len(sources)
        size = n + 1 + k
        indptr = np.concatenate([graph.indptr, graph.indptr[-1] + 2 * np.arange(1, k + 1)])
        data = np.concatenate([graph.data, vals])
        data[patch.pos] = patch.data
        big = sp.csr_matrix(
            (
                data,
                np.concatenate([graph.indices, np.asarray(cols, dtype=np.int32)]),
                indptr.astype(np.int32),
            ),
            shape=(size, size),
        )
        limit = math.inf if cutoff_s is None else float(cutoff_s)
        dist, _, origin = dijkstra(
            big,
            directed=True,
            indices=np.arange(n + 1, size),
            limit=limit,
            min_only=True,
            return_predecessors=True,
        )
        nearest = np.where(origin[:n] >= 0, origin[:n] - (n + 1), -1).astype(np.int64)
        return dist[:n], nearest

    def covered_length_m(
        self,
        node_times: NDArray[np.float64],
        threshold_s: float,
        *,
        direction: Direction = "from",
        closures: Closures | None = None,
    ) -> tuple[float, float]:
        """Road length within ``threshold_s`` given per-node times (each street once).

        ``node_times`` comes from ``nearest_source_times`` with the same ``direction``.
        A road is covered from each end as far as the remaining time allows
        (uniform speed along the edge). Partial coverage of a source's own road
        beyond what its end nodes imply is not counted.

        Returns
        -------
        covered_m, total_m : float
        """
        t = self._weights(closures).times
        fwd, twin = self._a["road_edge"][:, 0], self._a["road_edge"][:, 1]
        u, v = self._a["edge_u"][fwd], self._a["edge_v"][fwd]
        t_f = t[fwd]
        t_b = np.where(twin >= 0, t[np.maximum(twin, 0)], np.inf)
        if direction == "to":
            t_f, t_b = t_b, t_f
        with np.errstate(invalid="ignore", divide="ignore"):
            from_u = np.nan_to_num(np.clip((threshold_s - node_times[u]) / t_f, 0, 1))
            from_v = np.nan_to_num(np.clip((threshold_s - node_times[v]) / t_b, 0, 1))
        share = np.minimum(1.0, from_u + from_v)
        lengths = self._a["road_length"]
        return float(np.dot(share, lengths)), float(lengths.sum())

    # ------------------------------------------------------------------ drawing
    def road_lines(
        self, bbox: tuple[float, float, float, float] | None = None, *, tolerance_m: float = 5.0
    ) -> dict[str, list[NDArray[np.float64]]]:
        """Road geometries as lon/lat arrays grouped by highway class, for drawing.

        Parameters
        ----------
        bbox : (minlon, minlat, maxlon, maxlat), optional
            Keep roads with a vertex inside; default all.
        tolerance_m : float
            Douglas-Peucker simplification tolerance (0 keeps every vertex).
        """
        roads = self._roads_in_bbox(bbox) if bbox is not None else np.arange(self.road_count)
        if roads.size == 0:
            return {}
        lines = _linestrings(*self._road_coords_list(roads))
        if tolerance_m > 0:
            lines = shapely.simplify(lines, tolerance_m / M_PER_DEG)
        classes = self._a["road_class"][roads]
        out: dict[str, list[NDArray[np.float64]]] = {}
        for cls in np.unique(classes):
            name = self.class_names[int(cls)]
            group = lines[classes == cls]
            coords = shapely.get_coordinates(group)  # one call, then split per line
            counts = shapely.get_num_coordinates(group)
            out[name] = np.split(coords, np.cumsum(counts)[:-1])
        return out

    def _road_coords_list(self, roads: NDArray[Any]) -> tuple[NDArray[Any], NDArray[Any]]:
        """Coordinates and geometry index of ``roads`` for ``shapely.linestrings``."""
        ptr = self._a["road_ptr"]
        counts = ptr[roads + 1] - ptr[roads]
        starts = np.repeat(ptr[roads] - np.cumsum(counts) + counts, counts)
        idx = starts + np.arange(int(counts.sum()))
        return np.asarray(self._a["road_coords"][idx]), np.repeat(np.arange(roads.size), counts)

    def _roads_in_bbox(self, bbox: tuple[float, float, float, float]) -> NDArray[np.int64]:
        minx, miny, maxx, maxy = bbox
        xy = self._a["road_coords"]
        ptr = self._a["road_ptr"]
        lo_x = np.minimum.reduceat(xy[:, 0], ptr[:-1])
        hi_x = np.maximum.reduceat(xy[:, 0], ptr[:-1])
        lo_y = np.minimum.reduceat(xy[:, 1], ptr[:-1])
        hi_y = np.maximum.reduceat(xy[:, 1], ptr[:-1])
        hit = (hi_x >= minx) & (lo_x <= maxx) & (hi_y >= miny) & (lo_y <= maxy)
        return np.flatnonzero(hit)


def _csr(data: NDArray[Any], indices: NDArray[Any], indptr: NDArray[Any], n: int) -> sp.csr_matrix:
    graph = sp.csr_matrix((n, n), dtype=np.float64)
    graph.data, graph.indices, graph.indptr = data, indices, indptr
    return graph


def _raster_area(local: NDArray[np.float64], idx: NDArray[Any], cell: float) -> shapely.Geometry:
    """Union of the ``cell``-sized squares crossed by polylines in metre coordinates."""
    same = idx[:-1] == idx[1:]
    a, b = local[:-1][same], local[1:][same]
    steps = np.maximum(1, np.ceil(np.hypot(*(b - a).T) / (cell / 3))).astype(np.int64)
    owner = np.repeat(np.arange(steps.size), steps + 1)
    k = np.arange(owner.size) - np.repeat(np.cumsum(steps + 1) - (steps + 1), steps + 1)
    pts = np.vstack([a[owner] + (b - a)[owner] * (k / steps[owner])[:, None], local])
    cells = np.unique(np.floor(pts / cell).astype(np.int64), axis=0)
    boxes = shapely.box(
        cells[:, 0] * cell, cells[:, 1] * cell, (cells[:, 0] + 1) * cell, (cells[:, 1] + 1) * cell
    )
    return shapely.simplify(shapely.coverage_union_all(boxes), cell / 4)


def _linestrings(xy: NDArray[np.float64], idx: NDArray[Any]) -> NDArray[Any]:
    return shapely.linestrings(xy, indices=idx)


def _offsets(values: ArrayLike | None, count: int) -> NDArray[np.float64]:
    if values is None:
        return np.zeros(count)
    out = np.asarray(values, dtype=np.float64).ravel()
    if out.size != count:
        raise ValueError(f"offsets_s has {out.size} values for {count} points")
    if not np.all(np.isfinite(out) & (out >= 0)):
        raise ValueError("offsets_s must be finite seconds >= 0")
    return out


def _part(fraction: Any, seconds: Any) -> Any:
    """``fraction * seconds`` with ``0 * inf = 0`` (a point at a node is reachable)."""
    with np.errstate(invalid="ignore"):
        return np.where(np.asarray(fraction) <= 0, 0.0, np.multiply(fraction, seconds))[()]


def _check_lon_lat(lon: float, lat: float) -> tuple[float, float]:
    try:
        x, y = float(lon), float(lat)
    except (TypeError, ValueError) as exc:
        raise InvalidCoordinates(f"lon/lat must be numbers, got lon={lon!r}, lat={lat!r}") from exc
    if not (math.isfinite(x) and -180.0 <= x <= 180.0):
        raise InvalidCoordinates(f"lon must be within [-180, 180], got lon={lon!r}")
    if not (math.isfinite(y) and -90.0 <= y <= 90.0):
        raise InvalidCoordinates(f"lat must be within [-90, 90], got lat={lat!r}")
    return x, y
