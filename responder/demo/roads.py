"""The demo region's road nodes, read from its OSM file with the standard library only.

The demo places every record on a road node (plus a few metres of jitter) so that dispatch,
which snaps points to the road network and rejects points far from any road, accepts all of
them.  Reading node coordinates needs no road engine: ``bz2`` + ``xml.etree.iterparse``.
"""

from __future__ import annotations

import bz2
import math
import random
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import IO
from xml.etree.ElementTree import iterparse

import numpy as np
import shapely
from numpy.typing import NDArray
from shapely.geometry.base import BaseGeometry

#: The committed demo region (Coquimbo – La Serena, Chile; © OpenStreetMap contributors).
DEMO_OSM = Path(__file__).resolve().parents[2] / "maps" / "demo" / "coquimbo.osm.bz2"
METRES_PER_DEGREE = 111_320.0


@dataclass(frozen=True)
class Bounds:
    min_lon: float
    min_lat: float
    max_lon: float
    max_lat: float


@dataclass(frozen=True)
class RoadNodes:
    """Coordinates of the nodes that roads pass through, in node-id order (deterministic)."""

    points: tuple[tuple[float, float], ...]

    @property
    def bounds(self) -> Bounds:
        lons = [p[0] for p in self.points]
        lats = [p[1] for p in self.points]
        return Bounds(min(lons), min(lats), max(lons), max(lats))

    @cached_property
    def _xy(self) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        array = np.asarray(self.points, dtype=np.float64)
        return array[:, 0], array[:, 1]

    def inside(self, area: BaseGeometry) -> list[tuple[float, float]]:
        """The nodes that lie inside ``area`` (in node-id order)."""
        mask = shapely.contains_xy(area, *self._xy)
        return [self.points[i] for i in np.flatnonzero(mask)]


def _open(path: Path) -> IO[bytes]:
    return bz2.open(path, "rb") if path.suffix == ".bz2" else path.open("rb")


def _elements(path: Path) -> Iterator[tuple[str, dict[str, str], list[str]]]:
    """Yield (tag, attributes, node refs) for every node and way, freeing memory as it goes."""
    with _open(path) as fh:
        for _event, element in iterparse(fh, events=("end",)):
            if element.tag == "node":
                yield "node", dict(element.attrib), []
                element.clear()
            elif element.tag == "way":
                refs = [child.attrib["ref"] for child in element if child.tag == "nd"]
                is_road = any(
                    child.tag == "tag" and child.attrib.get("k") == "highway" for child in element
                )
                yield ("way" if is_road else "other"), dict(element.attrib), refs
                element.clear()


def read_road_nodes(path: Path = DEMO_OSM) -> RoadNodes:
    """The coordinates of every node used by a ``highway`` way of an OSM XML(.bz2) file."""
    coords: dict[int, tuple[float, float]] = {}
    used: set[int] = set()
    for tag, attrs, refs in _elements(path):
        if tag == "node":
            coords[int(attrs["id"])] = (float(attrs["lon"]), float(attrs["lat"]))
        elif tag == "way":
            used.update(int(ref) for ref in refs)
    points = tuple(coords[node_id] for node_id in sorted(used) if node_id in coords)
    if not points:
        raise ValueError(f"{path} has no road nodes")
    return RoadNodes(points)


def near(
    point: tuple[float, float], rng: random.Random, *, max_m: float = 40.0
) -> tuple[float, float]:
    """``point`` moved by up to ``max_m`` metres in a random direction, rounded to ~1 cm."""
    distance = rng.uniform(5.0, max_m)
    bearing = rng.uniform(0.0, 2 * math.pi)
    lon, lat = point
    d_lat = distance * math.cos(bearing) / METRES_PER_DEGREE
    d_lon = distance * math.sin(bearing) / (METRES_PER_DEGREE * math.cos(math.radians(lat)))
    return round(lon + d_lon, 7), round(lat + d_lat, 7)
