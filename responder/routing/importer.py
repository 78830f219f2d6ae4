"""Importer: read an OSM extract into a drivable, strongly connected road graph.

Which ways are kept is one rule, :class:`RoadFilter` (:data:`EMERGENCY_ROADS` by default).

Formats: OSM XML (``.osm``, ``.osm.bz2``, ``.xml``) through osmnx ``graph_from_xml``;
``.osm.pbf`` through pyosmium, which keeps the ``highway`` ways and the nodes they use
and hands them to the same osmnx reader (so both formats give the same graph
conventions); osmnx ``.graphml``. The result follows osmnx conventions (a
``MultiDiGraph`` with node ``x``/``y`` and edge ``length``, ``highway``, ``osmid``,
``geometry``) plus ``speed_kph`` and ``travel_time`` in seconds.
"""

from __future__ import annotations

import tempfile
import warnings
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import networkx as nx
import osmnx as ox

from ._errors import DownloadError, UnsupportedSource
from .speeds import SpeedTable, load_speed_table

Progress = Callable[[str, float], None]
"""Progress callback: ``(stage, fraction_done)`` with ``fraction_done`` in [0, 1]."""

#: OSM highway classes routable by a car (the classes osmnx's ``drive`` filter keeps).
DRIVE_CLASSES = frozenset(
    {
        "motorway",
        "motorway_link",
        "trunk",
        "trunk_link",
        "primary",
        "primary_link",
        "secondary",
        "secondary_link",
        "tertiary",
        "tertiary_link",
        "unclassified",
        "residential",
        "living_street",
        "road",
    }
)


@dataclass(frozen=True)
class RoadFilter:
    """Which OSM ways an emergency vehicle may use: the rule the importer applies.

    A way is kept when its ``highway`` class is in ``classes``, it is not an ``area``, a
    ``service`` way is not of a kind in ``excluded_service``, and none of ``access_tags``
    says ``no``/``private`` — unless ``emergency`` is ``yes``/``designated``.

    Attributes
    ----------
    classes : frozenset of str
        Highway classes kept: osmnx's ``drive`` set plus ``service``, because the service
        roads into plants, depots, hospitals and fire stations are where a fire engine goes.
    excluded_service : frozenset of str
        ``service=*`` values dropped: parking aisles, private driveways and drive-throughs
        lead nowhere an incident is reached from.  ``emergency_access`` and ``alley`` stay.
    no_access : frozenset of str
        ``access`` (and ``motor_vehicle``/``motorcar``) values that close a way.
    """

    classes: frozenset[str] = DRIVE_CLASSES | {"service"}
    excluded_service: frozenset[str] = frozenset({"parking_aisle", "driveway", "drive-through"})
    no_access: frozenset[str] = frozenset({"no", "private"})
    access_tags: tuple[str, ...] = ("access", "motor_vehicle", "motorcar")

    def keeps(self, data: dict[str, Any]) -> bool:
        """Whether an edge with these OSM tags stays in the emergency road network."""
        highway = data.get("highway")
        highways = highway if isinstance(highway, list) else [highway]
        if not any(h in self.classes for h in highways):
            return False
        if _first(data.get("area")) == "yes":
            return False
        if "service" in highways and _first(data.get("service")) in self.excluded_service:
            return False
        if _first(data.get("emergency")) in {"yes", "designated"}:
            return True
        return all(_first(data.get(tag)) not in self.no_access for tag in self.access_tags)


#: The filter every import uses unless told otherwise (documented in maps/README.md).
EMERGENCY_ROADS = RoadFilter()
_EXTRA_WAY_TAGS = ("motor_vehicle", "motorcar", "service", "emergency")
_STAGES = ("read", "filter", "speeds", "simplify", "components")


@dataclass
class ImportReport:
    """What an import read, kept and dropped.

    Attributes
    ----------
    source : str
        Path of the source file.
    fmt : str
        ``"osm-xml"``, ``"osm-pbf"`` or ``"graphml"``.
    nodes_read, edges_read : int
        Graph size as read (all highway ways, unsimplified for OSM input).
    edges_not_drivable : int
        Edges dropped by the road filter (:class:`RoadFilter`).
    nodes_dropped, edges_dropped : int
        Dropped because they are outside the largest strongly connected component.
    nodes, edges : int
        Final graph size.
    edges_with_maxspeed : int
        Edges (before simplification) whose speed came from a ``maxspeed`` tag.
    """

    source: str
    fmt: str
    nodes_read: int = 0
    edges_read: int = 0
    edges_not_drivable: int = 0
    nodes_dropped: int = 0
    edges_dropped: int = 0
    nodes: int = 0
    edges: int = 0
    edges_with_maxspeed: int = 0
    extra: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        """Return the report as a JSON-ready dict."""
        return asdict(self)


def source_format(path: str | Path) -> str:
    """Return the format of a road-network source by its file name.

    Raises
    ------
    UnsupportedSource
        If the suffix is not one of ``.osm``, ``.osm.bz2``, ``.xml``, ``.osm.pbf``,
        ``.pbf``, ``.graphml``.
    """
    name = Path(path).name.lower()
    if name.endswith((".osm", ".osm.bz2", ".xml", ".xml.bz2")):
        return "osm-xml"
    if name.endswith(".pbf"):
        return "osm-pbf"
    if name.endswith(".graphml"):
        return "graphml"
    raise UnsupportedSource(
        f"unsupported road-network file {Path(path).name!r}: "
        "expected .osm, .osm.bz2, .osm.pbf or .graphml"
    )


def read_road_graph(
    path: str | Path,
    *,
    speed_table: SpeedTable | None = None,
    road_filter: RoadFilter = EMERGENCY_ROADS,
    progress: Progress | None = None,
) -> tuple[nx.MultiDiGraph, ImportReport]:
    """Read a road-network file into a drivable, strongly connected graph.

    Parameters
    ----------
    path : str or Path
        OSM XML (optionally bz2), OSM PBF or osmnx GraphML file.
    speed_table : SpeedTable, optional
        Speeds for edges without a usable ``maxspeed``; default: the shipped table.
    road_filter : RoadFilter
        Which ways are kept (default :data:`EMERGENCY_ROADS`: the drive set plus service
        roads, without parking aisles, driveways and private ways).
    progress : callable, optional
        Called as ``progress(stage, fraction)`` while the import runs.

    Returns
    -------
    graph : networkx.MultiDiGraph
        Simplified graph with ``length`` (m), ``speed_kph`` and ``travel_time`` (s).
    report : ImportReport
        Counts of what was read and dropped.
    """
    path = Path(path)
    fmt = source_format(path)
    if not path.is_file():
        raise UnsupportedSource(f"road-network file not found: {path}")
    table = speed_table or load_speed_table()
    report = ImportReport(source=str(path), fmt=fmt)
    step = _stepper(progress)

    step("read")
    if fmt == "graphml":
        graph = ox.load_graphml(path)
    elif fmt == "osm-pbf":
        graph = _graph_from_pbf(path)
    else:
        graph = _graph_from_xml(path)
    report.nodes_read = graph.number_of_nodes()
    report.edges_read = graph.number_of_edges()

    step("filter")
    edges = graph.edges(keys=True, data=True)
    drop = [(u, v, k) for u, v, k, d in edges if not road_filter.keeps(d)]
    graph.remove_edges_from(drop)
    graph.remove_nodes_from([n for n in list(graph.nodes) if graph.degree(n) == 0])
    report.edges_not_drivable = len(drop)
    if graph.number_of_edges() == 0:
        raise UnsupportedSource(f"{path.name} contains no drivable roads")

    step("speeds")
    report.edges_with_maxspeed = sum(1 for *_, d in graph.edges(data=True) if d.get("maxspeed"))
    _add_speeds(graph, table)

    step("simplify")
    if not graph.graph.get("simplified"):
        graph = ox.simplify_graph(graph, edge_attr_aggs={"length": sum, "travel_time": sum})

    step("components")
    before_nodes, before_edges = graph.number_of_nodes(), graph.number_of_edges()
    graph = ox.truncate.largest_component(graph, strongly=True)
    report.nodes = graph.number_of_nodes()
    report.edges = graph.number_of_edges()
    report.nodes_dropped = before_nodes - report.nodes
    report.edges_dropped = before_edges - report.edges
    if progress is not None:
        progress("done", 1.0)
    return graph, report


def _stepper(progress: Progress | None) -> Callable[[str], None]:
    def step(stage: str) -> None:
        if progress is not None:
            progress(stage, _STAGES.index(stage) / len(_STAGES))

    return step


def _graph_from_xml(path: Path) -> nx.MultiDiGraph:
    saved = list(ox.settings.useful_tags_way)
    ox.settings.useful_tags_way = saved + [t for t in _EXTRA_WAY_TAGS if t not in saved]
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            return ox.graph_from_xml(path, bidirectional=False, simplify=False, retain_all=True)
    finally:
        ox.settings.useful_tags_way = saved


def _graph_from_pbf(path: Path) -> nx.MultiDiGraph:
    """Keep highway ways and their nodes with pyosmium, then read them like XML."""
    import osmium

    with tempfile.TemporaryDirectory() as tmp:
        xml = Path(tmp) / "highways.osm"
        with osmium.BackReferenceWriter(str(xml), ref_src=str(path), overwrite=True) as writer:
            ways = osmium.FileProcessor(str(path), osmium.osm.WAY).with_filter(
                osmium.filter.KeyFilter("highway")
            )
            for way in ways:
                writer.add_way(way)
        return _graph_from_xml(xml)


def _first(value: Any) -> Any:
    return value[0] if isinstance(value, list) else value


def _add_speeds(graph: nx.MultiDiGraph, table: SpeedTable) -> None:
    """Set ``speed_kph`` (maxspeed, else table) and ``travel_time`` on every edge."""
    classes = {_first(d.get("highway")) for *_, d in graph.edges(data=True)}
    hwy_speeds = {str(c): table.speed_for(str(c)) for c in classes}
    ox.routing.add_edge_speeds(graph, hwy_speeds=hwy_speeds, fallback=table.kph["default"])
    ox.routing.add_edge_travel_times(graph)


def download_place(place: str, dest: str | Path, *, timeout_s: float = 60.0) -> Path:
    """Download the drive network of a named place with osmnx and save it as GraphML.

    Needs internet access (Nominatim to geocode, Overpass for the data). The graph is
    saved unsimplified so that ``read_road_graph`` applies the same pipeline as for
    OSM files.

    Parameters
    ----------
    place : str
        Place name, e.g. ``"Coquimbo, Chile"``.
    dest : str or Path
        GraphML file to write.
    timeout_s : float
        Network timeout per request.

    Raises
    ------
    DownloadError
        If the download fails for any reason (message says why).
    """
    if not place.strip():
        raise ValueError("place must be a non-empty name")
    dest = Path(dest)
    saved = ox.settings.requests_timeout, ox.settings.use_cache
    ox.settings.requests_timeout, ox.settings.use_cache = timeout_s, False
    try:
        graph = ox.graph_from_place(place, network_type="drive", simplify=False, retain_all=True)
    except Exception as exc:  # osmnx raises many kinds; all mean "no data"
        raise DownloadError(
            f"could not download {place!r} from OpenStreetMap (this needs internet access "
            f"to Nominatim and Overpass): {type(exc).__name__}: {exc}. "
            "Download an .osm.pbf extract elsewhere and run `roads import PATH` instead."
        ) from exc
    finally:
        ox.settings.requests_timeout, ox.settings.use_cache = saved
    dest.parent.mkdir(parents=True, exist_ok=True)
    ox.save_graphml(graph, dest)
    return dest
