"""Segment grid: a uniform lon/lat grid over road segments for nearest-edge snapping.

Segment ``i`` joins road vertices ``i`` and ``i + 1``. Each segment is listed in
every cell that a piece of it (pieces are at most one cell long) overlaps, so the
nearest point of any segment lies in a cell that lists it. Occupied cells are kept
as a sorted key array (no memory for empty cells), which makes the arrays small,
mmap-friendly and independent of the region's extent.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray


@dataclass(frozen=True)
class SegmentGrid:
    """Arrays of a built grid (see module docstring).

    Attributes
    ----------
    x0, y0 : float
        Grid origin (lon, lat) in degrees.
    cell : float
        Cell size in degrees (square in degrees).
    nx : int
        Number of columns; cell key is ``iy * nx + ix``.
    keys : ndarray of int64
        Sorted keys of occupied cells.
    ptr : ndarray of int64
        Cell ``keys[k]`` lists ``items[ptr[k]:ptr[k + 1]]``.
    items : ndarray of int64
        Segment (start vertex) indices.
    """

    x0: float
    y0: float
    cell: float
    nx: int
    keys: NDArray[np.int64]
    ptr: NDArray[np.int64]
    items: NDArray[np.int64]

    def candidates(self, lon: float, lat: float, ring: int) -> NDArray[np.int64]:
        """Return segments listed in the cells at Chebyshev ring ``ring`` around a point."""
        ix = math.floor((lon - self.x0) / self.cell)
        iy = math.floor((lat - self.y0) / self.cell)
        if ring == 0:
            cells = np.array([iy * self.nx + ix], dtype=np.int64)
        else:
            span = np.arange(-ring, ring + 1)
            side = np.full(span.size, ring)
            dx = np.concatenate([span, span, -side[1:-1], side[1:-1]])
            dy = np.concatenate([-side, side, span[1:-1], span[1:-1]])
            gx, gy = ix + dx, iy + dy
            ok = (gx >= 0) & (gx < self.nx) & (gy >= 0)
            cells = (gy[ok] * self.nx + gx[ok]).astype(np.int64)
        if self.keys.size == 0:
            return np.zeros(0, dtype=np.int64)
        at = np.minimum(np.searchsorted(self.keys, cells), self.keys.size - 1)
        at = at[self.keys[at] == cells]
        if at.size == 0:
            return np.zeros(0, dtype=np.int64)
        if at.size == 1:
            return np.asarray(self.items[self.ptr[at[0]] : self.ptr[at[0] + 1]])
        return np.concatenate([self.items[self.ptr[a] : self.ptr[a + 1]] for a in at])


def build_grid(
    coords: NDArray[np.float64], valid: NDArray[np.bool_], *, cell: float | None = None
) -> SegmentGrid:
    """Build a grid over the segments ``coords[i] -> coords[i + 1]`` where ``valid[i]``.

    Parameters
    ----------
    coords : ndarray, shape (P, 2)
        Lon/lat of all road vertices, roads stored one after another.
    valid : ndarray of bool, shape (P,)
        True where vertex ``i`` starts a segment of the same road.
    cell : float, optional
        Cell size in degrees; default 0.001 (about 110 m).
    """
    cell = float(cell or 0.001)
    seg = np.flatnonzero(valid[:-1]) if coords.shape[0] > 1 else np.zeros(0, np.int64)
    a, b = coords[seg], coords[seg + 1]
    x0 = float(coords[:, 0].min()) - cell
    y0 = float(coords[:, 1].min()) - cell
    nx = math.ceil((coords[:, 0].max() - x0) / cell) + 2
    pieces = np.maximum(1, np.ceil(np.hypot(*(b - a).T) / cell)).astype(np.int64)
    owner = np.repeat(np.arange(seg.size), pieces)
    start = np.arange(owner.size) - np.repeat(np.cumsum(pieces) - pieces, pieces)
    t0 = start / pieces[owner]
    t1 = (start + 1) / pieces[owner]
    pa = a[owner] + (b - a)[owner] * t0[:, None]
    pb = a[owner] + (b - a)[owner] * t1[:, None]
    lo = np.floor((np.minimum(pa, pb) - (x0, y0)) / cell).astype(np.int64)
    hi = np.floor((np.maximum(pa, pb) - (x0, y0)) / cell).astype(np.int64)
    keys, items = [], []
    for ox in (0, 1):
        for oy in (0, 1):
            gx, gy = lo[:, 0] + ox, lo[:, 1] + oy
            ok = (gx <= hi[:, 0]) & (gy <= hi[:, 1])
            keys.append(gy[ok] * nx + gx[ok])
            items.append(seg[owner[ok]])
    key = np.concatenate(keys)
    item = np.concatenate(items).astype(np.int64)
    pairs = np.unique(np.stack([key, item], axis=1), axis=0)
    ukeys, first = np.unique(pairs[:, 0], return_index=True)
    ptr = np.append(first, pairs.shape[0]).astype(np.int64)
    return SegmentGrid(x0, y0, cell, nx, ukeys.astype(np.int64), ptr, pairs[:, 1].copy())
