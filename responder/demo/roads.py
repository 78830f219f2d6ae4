"""The demo region's road nodes and street names, read from its OSM file (stdlib only).

The demo places every record on a road node (plus a few metres of jitter) of a named street
so that dispatch, which snaps points to the road network and rejects points far from any
road, accepts all of them, and the address names the real street it is on.  Reading node
coordinates needs no road engine: ``bz2`` + ``xml.etree.iterparse``.
"""

from __future__ import annotations

import bz2
import itertools
import math
import random
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import IO
from xml.etree.ElementTree import iterparse

import networkx as nx
import numpy as np
import shapely
from numpy.typing import NDArray
from shapely.geometry.base import BaseGeometry

#: The committed demo region: central Hangzhou (© OpenStreetMap contributors, ODbL).
DEMO_OSM = Path(__file__).resolve().parents[2] / "maps" / "demo" / "hangzhou_core.osm.bz2"
METRES_PER_DEGREE = 111_320.0


@dataclass(frozen=True)
class Bounds:
    min_lon: float
    min_lat: float
    max_lon: float
    max_lat: float


@dataclass(frozen=True)
class RoadNodes:
    """Coordinates of the nodes that roads pass through, in node-id order (deterministic),
    and the name of a named street through each (``""`` when none is named)."""

    points: tuple[tuple[float, float], ...]
    names: tuple[str, ...] = ()

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

    def streets_inside(self, area: BaseGeometry) -> dict[str, list[tuple[float, float]]]:
        """Named streets with their nodes inside ``area`` (streets and nodes in file order)."""
        mask = shapely.contains_xy(area, *self._xy)
        streets: dict[str, list[tuple[float, float]]] = {}
        for i in np.flatnonzero(mask):
            if self.names[i]:
                streets.setdefault(self.names[i], []).append(self.points[i])
        return streets


def _open(path: Path) -> IO[bytes]:
    return bz2.open(path, "rb") if path.suffix == ".bz2" else path.open("rb")


def _elements(path: Path) -> Iterator[tuple[str, dict[str, str], list[str]]]:
    """Yield (tag, attributes, node refs) for every node and way, freeing memory as it goes;
    a way's attributes carry its ``name`` and ``oneway`` tags under those keys."""
    with _open(path) as fh:
        for _event, element in iterparse(fh, events=("end",)):
            if element.tag == "node":
                yield "node", dict(element.attrib), []
                element.clear()
            elif element.tag == "way":
                refs = [child.attrib["ref"] for child in element if child.tag == "nd"]
                tags = {c.attrib["k"]: c.attrib["v"] for c in element if c.tag == "tag"}
                attrs = dict(element.attrib) | {
                    "name": tags.get("name", ""),
                    "oneway": tags.get("oneway", ""),
                }
                yield ("way" if "highway" in tags else "other"), attrs, refs
                element.clear()


def read_road_nodes(path: Path = DEMO_OSM) -> RoadNodes:
    """The coordinates of every node of the largest strongly connected part of the
    ``highway`` ways of an OSM XML(.bz2) file (one-way streets respected, as the importer
    does), with the name of the first named way through it.  Nodes on islands the
    importer drops would snap far away, so they are left out."""
    coords: dict[int, tuple[float, float]] = {}
    used: dict[int, str] = {}
    graph = nx.DiGraph()
    for tag, attrs, refs in _elements(path):
        if tag == "node":
            coords[int(attrs["id"])] = (float(attrs["lon"]), float(attrs["lat"]))
        elif tag == "way":
            ids = [int(ref) for ref in refs]
            for ref in ids:
                if not used.get(ref):
                    used[ref] = attrs["name"]
            oneway = attrs["oneway"]
            pairs = list(itertools.pairwise(ids))
            if oneway == "-1":
                pairs = [(b, a) for a, b in pairs]
            graph.add_edges_from(pairs)
            if oneway not in ("yes", "true", "1", "-1"):
                graph.add_edges_from((b, a) for a, b in pairs)
    largest: set[int] = max(nx.strongly_connected_components(graph), key=len, default=set())
    ids = [node_id for node_id in sorted(largest) if node_id in coords]
    if not ids:
        raise ValueError(f"{path} has no road nodes")
    return RoadNodes(tuple(coords[i] for i in ids), tuple(used[i] for i in ids))


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
