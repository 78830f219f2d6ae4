"""The demo jurisdiction tree: a fictional province › city › six districts › townships.

Boundaries are Voronoi cells around clusters of road nodes, clipped to a frame around the
demo roads: dense road networks (the two city centres) end up in small urban districts, the
sparse south in a large rural county, like real administrative maps.  Each county starts
its clustering from an anchor point in the part of Coquimbo – La Serena it stands for, so
its name fits its place (港区 holds the port of Coquimbo, 南岭县 the rural south).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import shapely
from numpy.typing import NDArray
from shapely.geometry import MultiPoint, box, mapping
from shapely.geometry.base import BaseGeometry
from sqlalchemy.orm import Session

from responder.demo.roads import RoadNodes
from responder.models import Jurisdiction
from responder.services import jurisdictions
from responder.services.actors import SYSTEM

PROVINCE = ("380000", "滨海省")
CITY = ("380200", "滨海市")
#: code, name, anchor (lon, lat), townships (code suffix, name) from north to south.
COUNTIES: list[tuple[str, str, tuple[float, float], list[tuple[str, str]]]] = [
    ("380202", "北城区", (-71.245, -29.890), [("001", "灯塔街道"), ("002", "古城街道"),
                                               ("003", "河口街道")]),
    ("380203", "东山区", (-71.215, -29.925), [("001", "东山街道"), ("101", "果园镇")]),
    ("380204", "海湾区", (-71.280, -29.950), [("001", "海滨街道"), ("002", "湾畔街道"),
                                               ("003", "沙滩街道"), ("101", "渔村镇")]),
    ("380206", "港区", (-71.340, -29.960), [("001", "港口街道"), ("002", "半岛街道")]),
    ("380205", "新城区", (-71.310, -30.000), [("001", "新城街道"), ("002", "工业园街道"),
                                               ("101", "高铁镇")]),
    ("380221", "南岭县", (-71.270, -30.045), [("101", "南岭镇"), ("102", "铜矿镇"),
                                               ("201", "山泉乡")]),
]  # fmt: skip
MARGIN_DEG = 0.01
KMEANS_ROUNDS = 15


@dataclass
class Area:
    """One demo jurisdiction with its geometry and the road nodes inside it."""

    node: Jurisdiction
    shape: BaseGeometry
    roads: list[tuple[float, float]] = field(default_factory=list)
    townships: list[Area] = field(default_factory=list)


@dataclass
class Region:
    """The loaded tree: ``counties`` keyed by code, the city and province nodes."""

    province: Jurisdiction
    city: Jurisdiction
    counties: dict[str, Area]

    def county(self, code: str) -> Area:
        return self.counties[code]

    @property
    def townships(self) -> list[Area]:
        return [t for county in self.counties.values() for t in county.townships]


def _metres(points: NDArray[np.float64]) -> NDArray[np.float64]:
    """Lon/lat to a local plane in metres, so clusters are round on the ground."""
    return points * np.array([math.cos(math.radians(30.0)), 1.0]) * 111_320.0


def _cluster_centres(points: NDArray[np.float64], seeds: NDArray[np.float64]) -> NDArray[Any]:
    """k-means (Lloyd) from fixed seeds; returns the centres in lon/lat.  Deterministic."""
    xy, centres = _metres(points), _metres(seeds)
    for _ in range(KMEANS_ROUNDS):
        nearest = ((xy[:, None, :] - centres[None, :, :]) ** 2).sum(axis=2).argmin(axis=1)
        for k in range(len(centres)):
            members = xy[nearest == k]
            if len(members):
                centres[k] = members.mean(axis=0)
    return centres / _metres(np.ones((1, 2)))


def voronoi_cells(frame: BaseGeometry, centres: NDArray[np.float64]) -> list[BaseGeometry]:
    """The Voronoi cell of each centre (in order), clipped to ``frame``: they tile it."""
    cells = shapely.voronoi_polygons(
        MultiPoint([tuple(c) for c in centres]), extend_to=frame, ordered=True
    )
    return [shapely.set_precision(cell.intersection(frame), 1e-7) for cell in cells.geoms]


def _township_seeds(points: NDArray[np.float64], count: int) -> NDArray[np.float64]:
    """Starting seeds: nodes at evenly spaced latitude quantiles, north to south."""
    order = np.argsort(-points[:, 1], kind="stable")
    return points[order[[(2 * i + 1) * len(order) // (2 * count) for i in range(count)]]]


def _create(
    session: Session,
    code: str,
    name: str,
    level: str,
    geometry: BaseGeometry,
    parent: Jurisdiction | None,
) -> Jurisdiction:
    data: dict[str, Any] = {
        "code": code,
        "name": name,
        "level": level,
        "boundary": mapping(geometry),
    }
    if parent is not None:
        data["parent_id"] = parent.id
    return jurisdictions.create(session, SYSTEM, data)


def frame_of(roads: RoadNodes) -> BaseGeometry:
    """The city's rectangle: the roads' bounding box plus a margin."""
    b = roads.bounds
    return box(
        b.min_lon - MARGIN_DEG,
        b.min_lat - MARGIN_DEG,
        b.max_lon + MARGIN_DEG,
        b.max_lat + MARGIN_DEG,
    )


def build(session: Session, roads: RoadNodes) -> Region:
    """Create the tree through the jurisdiction service (validated and audited)."""
    frame = frame_of(roads)
    province = _create(session, *PROVINCE, "province", frame.buffer(0.05, join_style="mitre"), None)
    city = _create(session, *CITY, "city", frame, province)
    points = np.asarray(roads.points)
    anchors = np.array([anchor for _code, _name, anchor, _towns in COUNTIES])
    counties: dict[str, Area] = {}
    for (code, name, _anchor, towns), cell in zip(
        COUNTIES, voronoi_cells(frame, _cluster_centres(points, anchors)), strict=True
    ):
        nodes = roads.inside(cell)
        county = Area(_create(session, code, name, "county", cell, city), cell, nodes)
        inner = np.asarray(nodes)
        centres = _cluster_centres(inner, _township_seeds(inner, len(towns)))
        for (suffix, town_name), strip in zip(towns, voronoi_cells(cell, centres), strict=True):
            town = _create(session, code + suffix, town_name, "township", strip, county.node)
            county.townships.append(Area(town, strip, roads.inside(strip)))
        counties[code] = county
    return Region(province, city, counties)
