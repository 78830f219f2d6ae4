"""Network tables: the flat, array form of a road graph that the compiler consumes.

A *road* is one drawn geometry; it carries one directed edge (one-way street) or two
(a two-way street: one edge along the geometry, its *twin* against it). Edges are
numbered in a fixed order, so edge ids are stable for a given network version.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import networkx as nx
import numpy as np
from numpy.typing import NDArray


@dataclass
class NetworkTables:
    """Arrays describing nodes, directed edges and road geometries.

    Attributes
    ----------
    node_x, node_y : ndarray of float64
        Longitude and latitude of each node.
    node_osmid : ndarray of int64
        OSM node id (or a synthetic id) of each node.
    edge_u, edge_v : ndarray of int32
        Tail and head node index of each directed edge.
    edge_length : ndarray of float64
        Length in metres.
    edge_time : ndarray of float64
        Free-flow travel time in seconds.
    edge_road : ndarray of int32
        Road (geometry) of each edge.
    edge_forward : ndarray of bool
        True when the edge runs in the direction of its road geometry.
    edge_class : ndarray of uint8
        Index into ``class_names`` (OSM highway class).
    edge_osm_ptr, edge_osm_ids : ndarray of int64
        CSR-style list of OSM way ids of each edge.
    road_ptr : ndarray of int64
        Road ``r`` has vertices ``road_coords[road_ptr[r]:road_ptr[r + 1]]``.
    road_coords : ndarray of float64, shape (P, 2)
        Longitude, latitude of road vertices.
    class_names : list of str
        Highway class names.
    info : dict
        Free-form facts (import report) stored in the cache metadata.
    """

    node_x: NDArray[np.float64]
    node_y: NDArray[np.float64]
    node_osmid: NDArray[np.int64]
    edge_u: NDArray[np.int32]
    edge_v: NDArray[np.int32]
    edge_length: NDArray[np.float64]
    edge_time: NDArray[np.float64]
    edge_road: NDArray[np.int32]
    edge_forward: NDArray[np.bool_]
    edge_class: NDArray[np.uint8]
    edge_osm_ptr: NDArray[np.int64]
    edge_osm_ids: NDArray[np.int64]
    road_ptr: NDArray[np.int64]
    road_coords: NDArray[np.float64]
    class_names: list[str]
    info: dict[str, Any] = field(default_factory=dict)


def tables_from_graph(graph: nx.MultiDiGraph) -> NetworkTables:
    """Flatten an osmnx-style graph with ``travel_time`` into network tables.

    Two edges ``(u, v)`` and ``(v, u)`` of equal length (to the centimetre) and equal
    OSM ids share one road geometry.
    """
    nodes = list(graph.nodes)
    index = {n: i for i, n in enumerate(nodes)}
    node_x = np.array([graph.nodes[n]["x"] for n in nodes], dtype=np.float64)
    node_y = np.array([graph.nodes[n]["y"] for n in nodes], dtype=np.float64)
    node_osmid = np.array([int(n) for n in nodes], dtype=np.int64)

    classes: dict[str, int] = {}
    us, vs, lengths, times, roads, forwards, cls = [], [], [], [], [], [], []
    osm_ptr, osm_ids = [0], []
    road_ptr, coords = [0], []
    waiting: dict[tuple[Any, ...], list[int]] = {}

    for u, v, data in sorted(graph.edges(data=True), key=_edge_sort_key):
        iu, iv = index[u], index[v]
        length = float(data["length"])
        ids = data.get("osmid", [])
        ids = sorted(int(i) for i in (ids if isinstance(ids, list) else [ids]))
        highway = main_class(data.get("highway", "road"))
        key = (iv, iu, round(length, 2), tuple(ids))
        if waiting.get(key):
            road = waiting[key].pop()
            forward = False
        else:
            road = len(road_ptr) - 1
            forward = True
            geom = data.get("geometry")
            pts = (
                np.asarray(geom.coords, dtype=np.float64)
                if geom is not None
                else np.array([[node_x[iu], node_y[iu]], [node_x[iv], node_y[iv]]])
            )
            coords.append(pts)
            road_ptr.append(road_ptr[-1] + len(pts))
            waiting.setdefault((iu, iv, round(length, 2), tuple(ids)), []).append(road)
        us.append(iu)
        vs.append(iv)
        lengths.append(length)
        times.append(float(data["travel_time"]))
        roads.append(road)
        forwards.append(forward)
        cls.append(classes.setdefault(highway, len(classes)))
        osm_ids.extend(ids)
        osm_ptr.append(len(osm_ids))

    return NetworkTables(
        node_x=node_x,
        node_y=node_y,
        node_osmid=node_osmid,
        edge_u=np.array(us, dtype=np.int32),
        edge_v=np.array(vs, dtype=np.int32),
        edge_length=np.array(lengths, dtype=np.float64),
        edge_time=np.array(times, dtype=np.float64),
        edge_road=np.array(roads, dtype=np.int32),
        edge_forward=np.array(forwards, dtype=bool),
        edge_class=np.array(cls, dtype=np.uint8),
        edge_osm_ptr=np.array(osm_ptr, dtype=np.int64),
        edge_osm_ids=np.array(osm_ids, dtype=np.int64),
        road_ptr=np.array(road_ptr, dtype=np.int64),
        road_coords=np.concatenate(coords) if coords else np.zeros((0, 2)),
        class_names=list(classes),
    )


#: OSM highway classes from the most important down: a simplified edge that merges ways of
#: several classes takes the first of its classes in this order (others: alphabetical after).
CLASS_ORDER = (
    "motorway",
    "trunk",
    "primary",
    "secondary",
    "tertiary",
    "motorway_link",
    "trunk_link",
    "primary_link",
    "secondary_link",
    "tertiary_link",
    "unclassified",
    "road",
    "residential",
    "living_street",
    "service",
)


def main_class(highway: Any) -> str:
    """The class of an edge: its own, or the most important one of a merged edge's list.

    osmnx lists a merged edge's classes in no fixed order, so taking the first one made two
    compiles of the same file disagree on a few hundred edges (and on which streets are
    major)."""
    if not isinstance(highway, list):
        return str(highway)
    rank = {name: i for i, name in enumerate(CLASS_ORDER)}
    return min((str(h) for h in highway), key=lambda h: (rank.get(h, len(rank)), h))


def _edge_sort_key(edge: tuple[Any, Any, dict[str, Any]]) -> tuple[Any, ...]:
    u, v, data = edge
    return (str(u), str(v), float(data["length"]))
