"""Do a road file and the stored jurisdictions describe the same place, in the same datum?

Two mistakes are cheap to make and expensive to find later: importing another area's
roads (every dispatch then fails to snap), and boundaries or roads that hold GCJ-02/BD-09
coordinates against WGS-84 ones (every record lands a few hundred metres off, in the
wrong district near a border).  :func:`check` compares a sample of road points with the
finest stored boundaries: none inside is the first mistake; many outside that would be
inside after a GCJ-02/BD-09 shift is the second.  ``flask roads import`` and
``flask onboard`` refuse either unless ``--force`` is given.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import shapely
from numpy.typing import NDArray
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry
from sqlalchemy import select
from sqlalchemy.orm import Session

from responder import crs
from responder.models import Jurisdiction

SAMPLE = 4000
#: Refused as "outside every jurisdiction" when at most 1% of the road points are inside.
OUTSIDE_EVERY = 0.99
#: Shifted if at least this share of road points lies outside the boundaries ...
MIN_OUTSIDE = 0.02
#: ... and a datum shift would leave at most this fraction of that share outside.
SHIFT_GAIN = 0.5
#: The shifts tried: the roads' points read as if they were in ``crs``, or converted to it.
SHIFTS = (
    ("gcj02", "to_wgs84", "the road file looks like GCJ-02 against WGS-84 boundaries"),
    ("gcj02", "from_wgs84", "the boundaries look like GCJ-02 against WGS-84 roads"),
    ("bd09", "to_wgs84", "the road file looks like BD-09 against WGS-84 boundaries"),
    ("bd09", "from_wgs84", "the boundaries look like BD-09 against WGS-84 roads"),
)


@dataclass(frozen=True)
class Overlap:
    """The verdict: ``problem`` is None when the roads and the boundaries agree."""

    points: int
    outside: float
    shifted_outside: float | None
    problem: str | None


def road_points(path: str | Path, *, limit: int = SAMPLE) -> NDArray[np.float64]:
    """Up to ``limit`` (lon, lat) of the nodes of a road file, evenly spread over the file.

    OSM XML/PBF through pyosmium (every node; road files hold little else); GraphML
    through networkx (node ``x``/``y``).
    """
    path = Path(path)
    if path.name.lower().endswith(".graphml"):
        import networkx as nx

        graph = nx.read_graphml(path)
        xy = [(float(d["x"]), float(d["y"])) for _, d in graph.nodes(data=True) if "x" in d]
    else:
        import osmium

        xy = []
        for obj in osmium.FileProcessor(str(path), osmium.osm.NODE):
            if isinstance(obj, osmium.osm.Node) and obj.location.valid():
                xy.append((obj.location.lon, obj.location.lat))
    points = np.asarray(xy, dtype=np.float64).reshape(-1, 2)
    if len(points) > limit:
        points = points[np.linspace(0, len(points) - 1, limit).astype(int)]
    return points


def finest_boundaries(session: Session) -> BaseGeometry | None:
    """The union of the stored boundaries of nodes with no bounded child (the finest
    tiling the office has), or None when no boundary is stored."""
    rows = session.execute(
        select(Jurisdiction.id, Jurisdiction.parent_id, Jurisdiction.boundary).where(
            Jurisdiction.boundary.is_not(None)
        )
    ).all()
    if not rows:
        return None
    parents = {parent for _id, parent, _b in rows if parent is not None}
    leaves = [shape(json.loads(b or "null")) for node_id, _p, b in rows if node_id not in parents]
    union = shapely.union_all(leaves)
    shapely.prepare(union)
    return union


def _outside(area: BaseGeometry, points: NDArray[np.float64]) -> float:
    if len(points) == 0:
        return 0.0
    return float(1.0 - shapely.contains_xy(area, points[:, 0], points[:, 1]).mean())


def _shift(points: NDArray[np.float64], code: str, direction: str) -> NDArray[np.float64]:
    convert = crs.to_wgs84 if direction == "to_wgs84" else crs.from_wgs84
    return np.array([convert(float(x), float(y), code) for x, y in points]).reshape(-1, 2)


def check(session: Session, points: NDArray[np.float64]) -> Overlap | None:
    """Compare road points with the stored boundaries (None: no boundaries to compare)."""
    area = finest_boundaries(session)
    if area is None:
        return None
    if len(points) == 0:
        return Overlap(0, 1.0, None, "the road file has no nodes")
    outside = _outside(area, points)
    if outside >= OUTSIDE_EVERY:
        return Overlap(
            len(points),
            outside,
            None,
            "the road file lies outside every stored jurisdiction "
            f"(roads {_bbox(points)}; jurisdictions {_bbox_of(area)})",
        )
    if outside < MIN_OUTSIDE:
        return Overlap(len(points), outside, None, None)
    sample = points[:: max(1, len(points) // 1000)]
    here = _outside(area, sample)
    best: tuple[float, str] | None = None
    for code, direction, meaning in SHIFTS:
        shifted = _outside(area, _shift(sample, code, direction))
        if best is None or shifted < best[0]:
            best = (shifted, meaning)
    assert best is not None
    if best[0] <= here * SHIFT_GAIN:
        return Overlap(
            len(points),
            outside,
            best[0],
            f"{best[1]}: {here:.0%} of the road points lie outside the stored "
            f"boundaries, {best[0]:.0%} after that shift; convert the file (--crs) first",
        )
    return Overlap(len(points), outside, best[0], None)


def _bbox(points: NDArray[np.float64]) -> str:
    lo, hi = points.min(axis=0), points.max(axis=0)
    return f"{lo[0]:.3f},{lo[1]:.3f} – {hi[0]:.3f},{hi[1]:.3f}"


def _bbox_of(area: BaseGeometry) -> str:
    a, b, c, d = area.bounds
    return f"{a:.3f},{b:.3f} – {c:.3f},{d:.3f}"
