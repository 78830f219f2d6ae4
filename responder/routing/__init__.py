"""Road-network engine: import OSM data, compile it, and answer travel-time queries.

Pure Python (numpy, scipy, shapely, osmnx for import); no Flask. Typical use::

    cache = ensure_compiled("maps/demo/hangzhou_core.osm.bz2", maps_dir / "cache" / "demo")
    network = RoadNetwork.load(cache)
    incident = network.snap(lon, lat)
    seconds = network.times_to(incident, [network.snap(x, y) for x, y in teams], need=3)
"""

from __future__ import annotations

from ._errors import (
    CacheError,
    DownloadError,
    InvalidCoordinates,
    NoRoute,
    PointTooFarFromRoad,
    UnknownEdge,
    UnsupportedSource,
)
from .cache import ensure_compiled, read_meta, write_compiled
from .closures import Closures
from .importer import ImportReport, download_place, read_road_graph
from .network import RoadNetwork, Route, Snap, TargetSearch
from .speeds import SpeedTable, load_speed_table

__all__ = [
    "CacheError",
    "Closures",
    "DownloadError",
    "ImportReport",
    "InvalidCoordinates",
    "NoRoute",
    "PointTooFarFromRoad",
    "RoadNetwork",
    "Route",
    "Snap",
    "SpeedTable",
    "TargetSearch",
    "UnknownEdge",
    "UnsupportedSource",
    "download_place",
    "ensure_compiled",
    "load_speed_table",
    "read_meta",
    "read_road_graph",
    "write_compiled",
]
