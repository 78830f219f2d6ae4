"""Road geometries as lon/lat arrays, for drawing maps (each street once, by road index)."""

from __future__ import annotations

from typing import Any

import numpy as np
import shapely
from numpy.typing import NDArray

from .core import NetworkCore
from .geodesy import M_PER_DEG


def road_coords(core: NetworkCore, roads: NDArray[Any]) -> tuple[NDArray[Any], NDArray[Any]]:
    """Coordinates of ``roads`` and, per coordinate, the position of its road in ``roads``
    (the ``indices`` argument of ``shapely.linestrings``)."""
    ptr = core.arrays["road_ptr"]
    counts = ptr[roads + 1] - ptr[roads]
    starts = np.repeat(ptr[roads] - np.cumsum(counts) + counts, counts)
    idx = starts + np.arange(int(counts.sum()))
    return np.asarray(core.arrays["road_coords"][idx]), np.repeat(np.arange(roads.size), counts)


def roads_in_bbox(core: NetworkCore, bbox: tuple[float, float, float, float]) -> NDArray[np.int64]:
    """Roads whose bounding box meets ``bbox`` (minlon, minlat, maxlon, maxlat)."""
    minx, miny, maxx, maxy = bbox
    xy = core.arrays["road_coords"]
    ptr = core.arrays["road_ptr"]
    lo_x = np.minimum.reduceat(xy[:, 0], ptr[:-1])
    hi_x = np.maximum.reduceat(xy[:, 0], ptr[:-1])
    lo_y = np.minimum.reduceat(xy[:, 1], ptr[:-1])
    hi_y = np.maximum.reduceat(xy[:, 1], ptr[:-1])
    hit = (hi_x >= minx) & (lo_x <= maxx) & (hi_y >= miny) & (lo_y <= maxy)
    return np.flatnonzero(hit)


def simplified_lines(
    core: NetworkCore, roads: NDArray[np.int64], tolerance_m: float
) -> NDArray[Any]:
    """Shapely linestrings of ``roads``, Douglas-Peucker simplified (0 keeps every vertex)."""
    xy, idx = road_coords(core, roads)
    lines = shapely.linestrings(xy, indices=idx)
    if tolerance_m > 0:
        lines = shapely.simplify(lines, tolerance_m / M_PER_DEG)
    return np.asarray(lines)


def road_geometries(
    core: NetworkCore, roads: NDArray[np.int64], tolerance_m: float
) -> list[NDArray[np.float64]]:
    """Simplified lon/lat coordinates of each of ``roads``, in order."""
    if roads.size == 0:
        return []
    return [shapely.get_coordinates(line) for line in simplified_lines(core, roads, tolerance_m)]


def lines_by_class(
    core: NetworkCore,
    class_names: list[str],
    bbox: tuple[float, float, float, float] | None,
    tolerance_m: float,
) -> dict[str, list[NDArray[np.float64]]]:
    """Road geometries grouped by highway class (see ``RoadNetwork.road_lines``)."""
    roads = roads_in_bbox(core, bbox) if bbox is not None else np.arange(core.road_count)
    if roads.size == 0:
        return {}
    lines = simplified_lines(core, roads, tolerance_m)
    classes = core.arrays["road_class"][roads]
    out: dict[str, list[NDArray[np.float64]]] = {}
    for cls in np.unique(classes):
        group = lines[classes == cls]
        coords = shapely.get_coordinates(group)  # one call, then split per line
        counts = shapely.get_num_coordinates(group)
        out[class_names[int(cls)]] = np.split(coords, np.cumsum(counts)[:-1])
    return out
