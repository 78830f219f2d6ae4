"""Snapping: place points on the nearest road edge, and find the edges near a point.

The grid (see ``grid.py``) lists every segment in the cells it crosses; a point's nearest
segment is searched in the 3x3 block of cells around it and accepted only when it is
provably nearest, otherwise the search widens ring by ring. Distances use a local
equirectangular projection (exact enough at snapping scale).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ._errors import InvalidCoordinates, PointTooFarFromRoad
from .core import NetworkCore
from .geodesy import M_PER_DEG


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


def check_lon_lat(lon: float, lat: float) -> tuple[float, float]:
    """Return ``(lon, lat)`` as floats, or raise ``InvalidCoordinates`` naming the bad one."""
    try:
        x, y = float(lon), float(lat)
    except (TypeError, ValueError) as exc:
        raise InvalidCoordinates(f"lon/lat must be numbers, got lon={lon!r}, lat={lat!r}") from exc
    if not (math.isfinite(x) and -180.0 <= x <= 180.0):
        raise InvalidCoordinates(f"lon must be within [-180, 180], got lon={lon!r}")
    if not (math.isfinite(y) and -90.0 <= y <= 90.0):
        raise InvalidCoordinates(f"lat must be within [-90, 90], got lat={lat!r}")
    return x, y


def check_lons_lats(lons: ArrayLike, lats: ArrayLike) -> tuple[NDArray[np.float64], ...]:
    """Arrays of valid lon/lat degrees, or ``InvalidCoordinates`` naming the first bad one."""
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
    return xs, ys


def snap(core: NetworkCore, lon: float, lat: float, max_distance_m: float) -> Snap:
    """Snap one valid point (see ``RoadNetwork.snap``)."""
    seg, t, dist = _nearest_near(core, lon, lat)
    if seg < 0:  # nothing provably nearest within one cell: widen the search
        seg, t, dist = _nearest_segment(core, lon, lat, max_distance_m)
    if seg < 0 or dist > max_distance_m:
        raise PointTooFarFromRoad(lon, lat, dist, max_distance_m)
    a = core.arrays
    road = int(a["vertex_road"][seg])
    c0, c1 = float(a["road_cum"][seg]), float(a["road_cum"][seg + 1])
    length = float(a["road_length"][road])
    fraction = min(1.0, max(0.0, (c0 + t * (c1 - c0)) / length)) if length > 0 else 0.0
    (x0, y0), (x1, y1) = a["road_coords"][seg].tolist(), a["road_coords"][seg + 1].tolist()
    edge, twin = a["road_edge"][road].tolist()
    u, v = int(a["edge_u"][edge]), int(a["edge_v"][edge])
    lon_s, lat_s = x0 + t * (x1 - x0), y0 + t * (y1 - y0)
    return Snap(edge, u, v, fraction, dist, lon_s, lat_s, twin, road)


def snap_many(
    core: NetworkCore, xs: NDArray[np.float64], ys: NDArray[np.float64], max_distance_m: float
) -> list[Snap]:
    """Snap many valid points; raises on the first that cannot be snapped."""
    seg, t, dist = _nearest_block(core, xs, ys, ring=1)
    todo = np.flatnonzero(seg < 0)  # a wider vectorised pass, then a per-point search
    if todo.size:
        seg[todo], t[todo], dist[todo] = _nearest_block(core, xs[todo], ys[todo], ring=3)
    for i in np.flatnonzero(seg < 0):
        seg[i], t[i], dist[i] = _nearest_segment(core, xs[i], ys[i], max_distance_m)
    far = np.flatnonzero((seg < 0) | (dist > max_distance_m))
    if far.size:
        i = far[0]
        raise PointTooFarFromRoad(float(xs[i]), float(ys[i]), float(dist[i]), max_distance_m)
    return _make_snaps(core, seg, t, dist)


def edges_near(core: NetworkCore, lon: float, lat: float, radius_m: float) -> NDArray[np.int64]:
    """Both directions of every edge within ``radius_m`` of a valid point."""
    coords = core.arrays["road_coords"]
    kx = math.cos(math.radians(lat)) * M_PER_DEG
    rings = int(radius_m / (core.grid.cell * kx)) + 1
    cand = np.unique(np.concatenate([core.grid.candidates(lon, lat, r) for r in range(rings + 1)]))
    if cand.size == 0:
        return np.zeros(0, dtype=np.int64)
    a, b = coords[cand], coords[cand + 1]
    ax, ay = (a[:, 0] - lon) * kx, (a[:, 1] - lat) * M_PER_DEG
    dx, dy = (b[:, 0] - a[:, 0]) * kx, (b[:, 1] - a[:, 1]) * M_PER_DEG
    dd = np.where(dx * dx + dy * dy > 0, dx * dx + dy * dy, 1.0)
    t = np.clip(-(ax * dx + ay * dy) / dd, 0.0, 1.0)
    near = np.hypot(ax + t * dx, ay + t * dy) <= radius_m
    roads = np.unique(core.arrays["vertex_road"][cand[near]])
    pairs = np.asarray(core.arrays["road_edge"][roads]).ravel()
    return np.unique(pairs[pairs >= 0]).astype(np.int64)


@lru_cache(maxsize=8)
def _block(nx: int) -> NDArray[np.int64]:
    """Key offsets of the 3x3 cells around a cell, for a grid ``nx`` columns wide."""
    return np.array([dy * nx + dx for dy in (-1, 0, 1) for dx in (-1, 0, 1)], dtype=np.int64)


def _nearest_near(core: NetworkCore, lon: float, lat: float) -> tuple[int, float, float]:
    """Scalar fast path of ``_nearest_block`` (3x3 cells) for one point."""
    g = core.grid
    ix = math.floor((lon - g.x0) / g.cell)
    iy = math.floor((lat - g.y0) / g.cell)
    # neighbours left of column 0 alias cells of the previous row: extra candidates only
    cells = _block(g.nx) + (iy * g.nx + ix)
    at = np.minimum(np.searchsorted(g.keys, cells), g.keys.size - 1)
    at = at[g.keys[at] == cells].tolist()
    if not at:
        return -1, 0.0, math.inf
    ptr, items = g.ptr, g.items
    cand = np.concatenate([items[ptr[k] : ptr[k + 1]] for k in at])
    xy = core.arrays["road_coords"]
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


def _nearest_block(
    core: NetworkCore, xs: NDArray[np.float64], ys: NDArray[np.float64], *, ring: int
) -> tuple[NDArray[np.int64], NDArray[np.float64], NDArray[np.float64]]:
    """Vectorised nearest segment among the cells within ``ring`` of each point.

    Returns segment -1 for points whose best match is not provably nearest
    (farther than ``ring`` cells, or no candidate); the caller widens those.
    """
    g = core.grid
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
    coords = core.arrays["road_coords"]
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


def _nearest_segment(
    core: NetworkCore, lon: float, lat: float, limit_m: float
) -> tuple[int, float, float]:
    """Ring-by-ring search outwards until the best segment is provably nearest."""
    coords = core.arrays["road_coords"]
    grid = core.grid
    kx = math.cos(math.radians(lat)) * M_PER_DEG
    best, best_seg, best_t = math.inf, -1, 0.0
    ix = math.floor((lon - grid.x0) / grid.cell)
    iy = math.floor((lat - grid.y0) / grid.cell)
    whole = max(abs(ix), abs(grid.nx - ix), abs(iy), abs(core.grid_rows - iy)) + 1
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
    core: NetworkCore, seg: NDArray[np.int64], t: NDArray[np.float64], dist: NDArray[np.float64]
) -> list[Snap]:
    a = core.arrays
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
