"""Road network: the public query API over a compiled cache (snap, travel times, routes).

``RoadNetwork`` is a façade in the manner of pandana's ``Network``: it validates arguments
and delegates to the modules that do the work, all of which share its ``core``
(``core.NetworkCore``: arrays, CSR graphs, grid, weights cache):

- ``snapping``: points onto the nearest road edge, edges near a point;
- ``weights``: closures and slowdowns as sparse patches of the shared times;
- ``search``: Dijkstra from a point inside an edge, exact at both ends;
- ``paths``: routes with full geometry, and the kept search of ``search_to``;
- ``coverage``: the multi-source search (many teams at once, with head starts);
- ``lines``: road geometries for maps.

Travel times come from one of two back ends, picked per network at load (``backend``):

- ``search``: ``scipy.sparse.csgraph.dijkstra`` on CSR arrays mapped from the cache, the
  exact reference, used on small networks and for one-to-all questions (coverage);
- ``cch_queries``: RoutingKit's customizable contraction hierarchy (``cch``), built on
  first use from the order stored in the cache, for networks of ``CCH_MIN_NODES`` nodes
  and more (times within ``unit_s / 2`` per edge of the reference, see routing/README.md).

One ``RoadNetwork`` may be shared by threads (the search's virtual slots are written under
a lock, hierarchy queries run under its lock) and, through copy-on-write mappings, by
processes.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from . import cch_queries, lines, paths, search, snapping
from .cache import load_arrays, read_meta
from .closures import Closures
from .core import Backend, NetworkCore
from .paths import Route, TargetSearch
from .snapping import Snap

__all__ = ["RoadNetwork", "Route", "Snap", "TargetSearch"]


class RoadNetwork:
    """A compiled road network loaded from a cache directory (see ``load``).

    Attributes
    ----------
    core : NetworkCore
        The internal surface shared with the routing modules (and with benchmarks and
        tests that need the raw arrays); services use the methods below.
    backend : {"cch", "dijkstra"}
        The back end of point queries: ``"auto"`` at load picks the hierarchy from
        ``core.CCH_MIN_NODES`` nodes on.
    """

    def __init__(
        self, arrays: dict[str, NDArray[Any]], meta: dict[str, Any], backend: Backend = "auto"
    ) -> None:
        self.core = NetworkCore(arrays, meta, backend)
        self.backend = self.core.backend
        self.meta = meta
        self.version: str = meta["version"]
        self.node_count: int = self.core.node_count
        self.edge_count: int = self.core.edge_count
        self.road_count: int = self.core.road_count
        x0, y0, x1, y1 = (float(v) for v in meta["bounds"])
        self.bounds: tuple[float, float, float, float] = (x0, y0, x1, y1)
        self.class_names: list[str] = list(meta["class_names"])

    # ------------------------------------------------------------------ loading
    @classmethod
    def load(cls, cache_dir: str | Path, *, backend: Backend = "auto") -> RoadNetwork:
        """Map a compiled cache (see ``cache.ensure_compiled``); builds no graph (the
        hierarchy is built on the first query that uses it, see ``core.hierarchy``).

        Raises
        ------
        CacheError
            If the directory holds no compiled network of this format.
        ValueError
            If ``backend`` is not ``"auto"``, ``"cch"`` or ``"dijkstra"``.
        """
        meta = read_meta(cache_dir)
        return cls(load_arrays(cache_dir), meta, backend)

    def warm(self) -> float:
        """Build now what the first query would build, and return the seconds it took.

        That is the contraction hierarchy on the ``"cch"`` back end (about 2 s for 1 M
        nodes, see ``core.hierarchy``); the Dijkstra back end has nothing to build. Called
        at start-up with ``WARM_ROADS``: under ``gunicorn --preload`` the master builds it
        once and the forked workers share its pages instead of each building its own.
        """
        if self.backend != "cch":
            return 0.0
        self.core.hierarchy()
        return self.core.hierarchy_s

    def __repr__(self) -> str:
        return f"<RoadNetwork {self.version} nodes={self.node_count} edges={self.edge_count}>"

    # ------------------------------------------------------------------ arrays
    @property
    def node_lon(self) -> NDArray[np.float64]:
        """Longitude of each node."""
        return self.core.arrays["node_x"]

    @property
    def node_lat(self) -> NDArray[np.float64]:
        """Latitude of each node."""
        return self.core.arrays["node_y"]

    @property
    def edge_u(self) -> NDArray[np.int32]:
        """Tail node of each directed edge."""
        return self.core.arrays["edge_u"]

    @property
    def edge_v(self) -> NDArray[np.int32]:
        """Head node of each directed edge."""
        return self.core.arrays["edge_v"]

    @property
    def edge_length_m(self) -> NDArray[np.float64]:
        """Length of each directed edge in metres (a two-way road counts twice)."""
        return self.core.arrays["edge_length"]

    @property
    def edge_time_s(self) -> NDArray[np.float64]:
        """Free-flow travel time of each directed edge in seconds."""
        return self.core.arrays["edge_time"]

    @property
    def road_length_m(self) -> NDArray[np.float64]:
        """Length of each road geometry (each street counted once) in metres."""
        return self.core.arrays["road_length"]

    def edge_class(self, edge: int) -> str:
        """Return the OSM highway class of an edge."""
        self.core.check_edges(np.array([edge]))
        return self.class_names[int(self.core.arrays["edge_class"][edge])]

    def edge_osm_ids(self, edge: int) -> list[int]:
        """Return the OSM way ids an edge was built from."""
        self.core.check_edges(np.array([edge]))
        ptr = self.core.arrays["edge_osm_ptr"]
        return [int(i) for i in self.core.arrays["edge_osm_ids"][ptr[edge] : ptr[edge + 1]]]

    # ------------------------------------------------------------------ snapping
    def snap(self, lon: float, lat: float, *, max_distance_m: float = 2000.0) -> Snap:
        """Snap a point to the nearest road edge.

        Parameters
        ----------
        lon, lat : float
            WGS84 degrees.
        max_distance_m : float
            Largest accepted off-road distance.

        Raises
        ------
        InvalidCoordinates
            If ``lon`` or ``lat`` is out of range or not finite (a ``ValueError``).
        PointTooFarFromRoad
            If no road lies within ``max_distance_m`` (a ``ValueError``).
        """
        lon, lat = snapping.check_lon_lat(lon, lat)
        return snapping.snap(self.core, lon, lat, max_distance_m)

    def snap_many(
        self, lons: ArrayLike, lats: ArrayLike, *, max_distance_m: float = 2000.0
    ) -> list[Snap]:
        """Snap many points; raises (as ``snap``) on the first point that cannot be snapped."""
        xs, ys = snapping.check_lons_lats(lons, lats)
        return snapping.snap_many(self.core, xs, ys, max_distance_m)

    def edges_near(self, lon: float, lat: float, *, radius_m: float = 25.0) -> NDArray[np.int64]:
        """Return both directions of every edge within ``radius_m`` of a point.

        Use it to close "the road here"; ``Closures.closed(network.edges_near(...))``.
        """
        lon, lat = snapping.check_lon_lat(lon, lat)
        return snapping.edges_near(self.core, lon, lat, radius_m)

    # ------------------------------------------------------------------ queries
    def times_to(
        self,
        target: Snap,
        sources: Sequence[Snap],
        *,
        cutoff_s: float | None = None,
        closures: Closures | None = None,
        need: int | None = None,
        offsets_s: ArrayLike | None = None,
    ) -> NDArray[np.float64]:
        """Travel time from each source to ``target`` (many-to-one, the dispatch path).

        Searches the reversed graph from the target, so one-way streets are honoured
        in the direction of travel (towards the incident).

        Parameters
        ----------
        target : Snap
            Incident position.
        sources : sequence of Snap
            Resource positions.
        cutoff_s : float, optional
            Times above it are reported as ``inf``.
        closures : Closures, optional
            Closures and slowdowns to honour.
        need : int, optional
            Stop once this many sources are settled. The returned finite times are
            exact and include the ``need`` fastest; other sources may be ``inf``
            because they were not reached before the search stopped.
        offsets_s : array-like, optional
            Seconds added per source before ranking, cutoff and ``need`` (e.g. each
            team's mobilization time, so ``need`` picks the earliest *arrivals*).

        Returns
        -------
        ndarray of float64
            Seconds per source, ``inf`` when unreachable (or not settled, see ``need``).

        Raises
        ------
        ValueError
            On a negative cutoff, ``need < 1``, or offsets that are not one finite
            non-negative number per source; ``UnknownEdge`` for closures of another network.
        """
        if self.backend == "cch":
            return cch_queries.times(
                self.core, target, sources, "to", cutoff_s, closures, need, offsets_s
            )
        return search.times(self.core, target, sources, "to", cutoff_s, closures, need, offsets_s)

    def times_from(
        self,
        source: Snap,
        targets: Sequence[Snap],
        *,
        cutoff_s: float | None = None,
        closures: Closures | None = None,
        need: int | None = None,
        offsets_s: ArrayLike | None = None,
    ) -> NDArray[np.float64]:
        """Travel time from ``source`` to each target (one-to-many); see ``times_to``."""
        if self.backend == "cch":
            return cch_queries.times(
                self.core, source, targets, "from", cutoff_s, closures, need, offsets_s
            )
        return search.times(self.core, source, targets, "from", cutoff_s, closures, need, offsets_s)

    def table(
        self,
        sources: Sequence[Snap],
        targets: Sequence[Snap],
        *,
        closures: Closures | None = None,
        cutoff_s: float | None = None,
    ) -> NDArray[np.float64]:
        """Travel times from every source (rows) to every target (columns), many-to-many.

        Parameters
        ----------
        sources, targets : sequence of Snap
        closures : Closures, optional
            Closures and slowdowns to honour.
        cutoff_s : float, optional
            Times above it are reported as ``inf`` (Dijkstra searches stop there).

        Returns
        -------
        ndarray of float64, shape (len(sources), len(targets))
            Seconds, ``inf`` where unreachable; row ``i`` equals
            ``times_from(sources[i], targets)``.

        Raises
        ------
        ValueError
            On a negative cutoff; ``UnknownEdge`` for closures of another network.
        """
        if cutoff_s is not None and not float(cutoff_s) >= 0:
            raise ValueError(f"cutoff_s must be >= 0, got {cutoff_s}")
        sources, targets = list(sources), list(targets)
        if self.backend == "cch":
            return cch_queries.table(self.core, sources, targets, closures, cutoff_s)
        return search.table(self.core, sources, targets, closures, cutoff_s)

    def route(self, source: Snap, target: Snap, *, closures: Closures | None = None) -> Route:
        """Return the fastest route with full geometry.

        Raises
        ------
        NoRoute
            If the target cannot be reached (a ``ValueError``).
        """
        if self.backend == "cch":
            return cch_queries.route(self.core, source, target, closures)
        return paths.route(self.core, source, target, closures)

    def search_to(self, target: Snap, *, closures: Closures | None = None) -> TargetSearch:
        """Travel times (``.times``) and routes (``.routes``) from any sources to ``target``
        (equal to ``times_to`` and ``route`` per source). With Dijkstra, one complete
        search on the reversed graph, kept; with the hierarchy, nothing is searched until
        asked (each question takes milliseconds)."""
        if self.backend == "cch":
            return cch_queries.HierarchySearch(self.core, target, closures)
        return paths.search_to(self.core, target, closures)

    # ------------------------------------------------------------------ drawing
    def road_lines(
        self, bbox: tuple[float, float, float, float] | None = None, *, tolerance_m: float = 5.0
    ) -> dict[str, list[NDArray[np.float64]]]:
        """Road geometries as lon/lat arrays grouped by highway class, for drawing.

        Parameters
        ----------
        bbox : (minlon, minlat, maxlon, maxlat), optional
            Keep roads with a vertex inside; default all.
        tolerance_m : float
            Douglas-Peucker simplification tolerance (0 keeps every vertex).
        """
        return lines.lines_by_class(self.core, self.class_names, bbox, tolerance_m)
