"""Street names of a compiled road network, kept as a separate artefact beside the cache.

The compiled arrays keep no names (routing never needs them), but every edge keeps the
OSM way ids it was built from (``edge_osm_ids``). This module reads the names of those
ways from the source file (``name:zh``, else ``name``, else ``ref``) and writes
``road_names.json`` into the cache directory: the list of distinct names and, for each
road geometry, the index of its name (-1 for none), stamped with the cache version.

:func:`ensure_road_names` is what the app calls at start-up: it reads the file, or (for
a cache compiled before names existed, or recompiled since) rebuilds it from the source
file named in the cache metadata, found by name under the given folders and checked
against the SHA-256 the metadata records. It never recompiles the network.

:class:`RoadNames` answers the two questions pages ask: which streets match a typed
name (with one point on each, where an incident can be placed), and where to draw the
names of the major roads on our own base map.
"""

from __future__ import annotations

import bz2
import json
import math
import os
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import numpy as np
from numpy.typing import NDArray

from ._errors import CacheError, UnsupportedSource
from .cache import file_checksum, load_arrays, read_meta
from .importer import source_format
from .tables import CLASS_ORDER

NAMES_FILE = "road_names.json"
#: The classes whose names are drawn on the base map.
MAJOR_CLASSES = frozenset({"motorway", "trunk", "primary", "secondary"})
_ARRAYS = ["road_ptr", "road_coords", "road_cum", "road_length", "road_class", "road_edge"]
_ARRAYS += ["edge_osm_ptr", "edge_osm_ids"]
_M_PER_DEG = 111_195.0


@dataclass(frozen=True)
class Street:
    """All road pieces sharing one name, and the point that stands for them.

    Attributes
    ----------
    name : str
        The street's name as mapped.
    lon, lat : float
        A road vertex of the street nearest the length-weighted centre of its pieces:
        always on the road network, so an incident placed there snaps to this street.
    length_m : float
        Total length of its road pieces (each two-way piece counted once).
    road_class : str
        The most important highway class among its pieces.
    """

    name: str
    lon: float
    lat: float
    length_m: float
    road_class: str


@dataclass(frozen=True)
class RoadLabel:
    """Where to write a major road's name on the map."""

    name: str
    lon: float
    lat: float
    road_class: str


class RoadNames:
    """The names of a loaded network's roads (see :func:`ensure_road_names`)."""

    def __init__(
        self,
        names: Sequence[str],
        road_name: NDArray[np.int32],
        arrays: dict[str, NDArray[Any]],
        class_names: Sequence[str],
    ) -> None:
        road_count = arrays["road_ptr"].size - 1
        if road_name.shape != (road_count,):
            raise CacheError(f"{NAMES_FILE} names {road_name.size} roads, the cache {road_count}")
        self.names = list(names)
        self.road_name = road_name
        self._arrays = arrays
        self._class_names = list(class_names)
        self._middles = _road_middles(arrays)
        self._by_name = self._streets()
        self._labels: dict[tuple[Any, ...], list[RoadLabel]] = {}  # every page asks the same
        self.streets: list[Street] = list(self._by_name.values())

    # ---------------------------------------------------------------- searching
    def search(self, text: str, *, limit: int = 8) -> list[Street]:
        """Streets whose name contains ``text`` (case-insensitive): exact matches first,
        then names starting with it, then the rest; longer streets first within each."""
        needle = text.strip().casefold()
        if not needle:
            return []
        ranked = []
        for street in self.streets:
            name = street.name.casefold()
            if needle not in name:
                continue
            rank = 0 if name == needle else 1 if name.startswith(needle) else 2
            ranked.append((rank, -street.length_m, street.name, street))
        ranked.sort(key=lambda item: item[:3])
        return [item[3] for item in ranked[:limit]]

    # ---------------------------------------------------------------- map labels
    def labels(
        self,
        *,
        bbox: tuple[float, float, float, float] | None = None,
        classes: Iterable[str] = MAJOR_CLASSES,
        spacing_m: float = 1500.0,
        per_street: int = 8,
    ) -> list[RoadLabel]:
        """Points to write the names of major streets at: a street is major when one of
        its pieces is of ``classes`` (the mapped class of a street varies along it), and its
        name is written at the middle of its longest pieces, at least ``spacing_m`` apart
        (at most ``per_street`` times), inside ``bbox`` when given.  Each label carries the
        street's most important class."""
        if spacing_m <= 0:
            raise ValueError(f"spacing_m must be > 0, got {spacing_m}")
        wanted = frozenset(classes)
        key = (bbox, wanted, spacing_m, per_street)
        if key not in self._labels:
            self._labels[key] = self._place_labels(bbox, wanted, spacing_m, per_street)
        return list(self._labels[key])

    def _place_labels(
        self,
        bbox: tuple[float, float, float, float] | None,
        wanted: frozenset[str],
        spacing_m: float,
        per_street: int,
    ) -> list[RoadLabel]:
        major = {i: s.road_class for i, s in self._by_name.items() if s.road_class in wanted}
        a = self._arrays
        roads = np.flatnonzero(np.isin(self.road_name, list(major)))
        mids = self._middles[roads]
        if bbox is not None and roads.size:
            x0, y0, x1, y1 = bbox
            inside = (mids[:, 0] >= x0) & (mids[:, 0] <= x1) & (mids[:, 1] >= y0)
            inside &= mids[:, 1] <= y1
            roads, mids = roads[inside], mids[inside]
        order = np.lexsort((-a["road_length"][roads], self.road_name[roads]))
        chosen: dict[int, list[tuple[float, float]]] = {}
        out = []
        for i in order:
            name_id = int(self.road_name[roads[i]])
            lon, lat = (float(v) for v in mids[i])
            placed = chosen.setdefault(name_id, [])
            if len(placed) >= per_street:
                continue
            if any(_distance_m(lon, lat, x, y) < spacing_m for x, y in placed):
                continue
            placed.append((lon, lat))
            out.append(RoadLabel(self.names[name_id], lon, lat, major[name_id]))
        return out

    # ---------------------------------------------------------------- internals
    def _streets(self) -> dict[int, Street]:
        """Each name's street, by name index."""
        a = self._arrays
        named = np.flatnonzero(self.road_name >= 0)
        if not named.size:
            return {}
        ptr, coords = a["road_ptr"], a["road_coords"]
        rank = {name: i for i, name in enumerate(CLASS_ORDER)}
        class_rank = np.array(
            [rank.get(c, len(CLASS_ORDER)) for c in self._class_names], dtype=np.int32
        )
        order = np.argsort(self.road_name[named], kind="stable")
        groups = np.split(named[order], np.flatnonzero(np.diff(self.road_name[named][order])) + 1)
        streets = {}
        for roads in groups:
            vertices = np.concatenate([np.arange(ptr[r], ptr[r + 1]) for r in roads])
            lengths = a["road_length"][roads]
            middles = self._middles[roads]
            weights = lengths if lengths.sum() > 0 else np.ones(len(roads))
            centre = (middles * weights[:, None]).sum(axis=0) / weights.sum()
            nearest = vertices[np.argmin(_squared_offsets(coords[vertices], centre))]
            best = int(np.argmin(class_rank[a["road_class"][roads]]))
            name_id = int(self.road_name[roads[0]])
            streets[name_id] = Street(
                name=self.names[name_id],
                lon=float(coords[nearest][0]),
                lat=float(coords[nearest][1]),
                length_m=float(lengths.sum()),
                road_class=self._class_names[int(a["road_class"][roads[best]])],
            )
        return streets


def _road_middles(arrays: dict[str, NDArray[Any]]) -> NDArray[np.float64]:
    """For each road, its first vertex at or past half its length (shape (R, 2)): a point
    on the road near its middle, computed for all roads at once."""
    ptr, cum = arrays["road_ptr"], arrays["road_cum"]
    sizes = np.diff(ptr)
    half = np.repeat(arrays["road_length"] / 2, sizes)
    vertex = np.arange(cum.size)
    past = np.where(cum >= half, vertex, cum.size)
    first = np.minimum.reduceat(past, ptr[:-1]) if sizes.size else past[:0]
    first = np.minimum(first, ptr[1:] - 1)
    middles: NDArray[np.float64] = arrays["road_coords"][first]
    return middles


def _squared_offsets(points: NDArray[np.float64], centre: NDArray[np.float64]) -> NDArray[Any]:
    dx = (points[:, 0] - centre[0]) * np.cos(np.radians(centre[1]))
    offsets: NDArray[Any] = dx**2 + (points[:, 1] - centre[1]) ** 2
    return offsets


def _distance_m(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    """Equirectangular distance: exact enough for spacing labels a kilometre apart."""
    dx = (lon1 - lon2) * math.cos(math.radians((lat1 + lat2) / 2))
    return math.hypot(dx, lat1 - lat2) * _M_PER_DEG


# -------------------------------------------------------------------- the artefact
def ensure_road_names(
    cache_dir: str | Path,
    *,
    source: str | Path | None = None,
    search_dirs: Sequence[str | Path] = (),
) -> RoadNames:
    """The names of the network compiled in ``cache_dir``, building ``road_names.json``
    when it is missing or belongs to another cache version.

    The source is ``source`` when given, else the file the cache metadata names, looked
    for under ``search_dirs`` (recursively) and accepted only when its SHA-256 is the one
    the metadata records. When the folder cannot be written, the names are kept in
    memory only.

    Raises
    ------
    CacheError
        If the cache is missing, or names must be built and no matching source is found.
    """
    cache_dir = Path(cache_dir)
    meta = read_meta(cache_dir)
    arrays = load_arrays(cache_dir, _ARRAYS)
    stored = _read_names(cache_dir / NAMES_FILE, meta["version"])
    if stored is None:
        path = Path(source) if source is not None else find_source(meta, search_dirs)
        stored = names_for_roads(way_names(path), arrays)
        _write_names(cache_dir / NAMES_FILE, meta["version"], *stored)
    names, road_name = stored
    return RoadNames(names, road_name, arrays, meta["class_names"])


def find_source(meta: dict[str, Any], search_dirs: Sequence[str | Path]) -> Path:
    """The source file a cache was compiled from: its name under ``search_dirs`` with the
    recorded checksum (a file of that name with other contents is another network)."""
    info = meta.get("info", {})
    name, checksum = info.get("source"), info.get("source_sha256")
    if not name or not checksum:
        raise CacheError("the road network cache does not record its source file")
    for folder in search_dirs:
        for candidate in sorted(Path(folder).rglob(name)):
            if candidate.is_file() and file_checksum(candidate) == checksum:
                return candidate
    raise CacheError(
        f"street names need the source {name} the roads were compiled from; it is not "
        f"under {', '.join(str(d) for d in search_dirs) or 'any folder given'}"
    )


def names_for_roads(
    ways: dict[int, str], arrays: dict[str, NDArray[Any]]
) -> tuple[list[str], NDArray[np.int32]]:
    """(distinct names, name index of each road): a road is named after the first of its
    forward edge's OSM ways that has a name."""
    ptr, ids = arrays["edge_osm_ptr"], arrays["edge_osm_ids"]
    edges = arrays["road_edge"][:, 0]
    index: dict[str, int] = {}
    road_name = np.full(edges.size, -1, dtype=np.int32)
    for road, edge in enumerate(edges.tolist()):
        for way in ids[ptr[edge] : ptr[edge + 1]].tolist():
            name = ways.get(way)
            if name:
                road_name[road] = index.setdefault(name, len(index))
                break
    return list(index), road_name


def way_names(path: str | Path) -> dict[int, str]:
    """OSM way id -> name (``name:zh``, else ``name``, else ``ref``) of the highway ways
    in an OSM XML (optionally bz2), PBF or osmnx GraphML file."""
    path = Path(path)
    fmt = source_format(path)
    if not path.is_file():
        raise UnsupportedSource(f"road-network file not found: {path}")
    if fmt == "osm-pbf":
        return dict(_pbf_way_names(path))
    if fmt == "graphml":
        return dict(_graphml_way_names(path))
    opener = bz2.open if path.name.lower().endswith(".bz2") else open
    try:
        with opener(path, "rb") as stream:
            return dict(_xml_way_names(stream))
    except ET.ParseError as error:
        raise UnsupportedSource(f"{path.name} is not readable OSM XML: {error}") from error


def _pick(tags: dict[str, str]) -> str | None:
    if "highway" not in tags:
        return None
    return (tags.get("name:zh") or tags.get("name") or tags.get("ref") or "").strip() or None


def _xml_way_names(stream: IO[bytes]) -> Iterator[tuple[int, str]]:
    for _event, element in ET.iterparse(stream, events=("end",)):
        if element.tag == "way":
            tags = {t.get("k", ""): t.get("v", "") for t in element.iter("tag")}
            name = _pick(tags)
            if name:
                yield int(element.get("id", "0")), name
            element.clear()
        elif element.tag == "node":
            element.clear()


def _pbf_way_names(path: Path) -> Iterator[tuple[int, str]]:
    import osmium

    ways = osmium.FileProcessor(str(path), osmium.osm.WAY).with_filter(
        osmium.filter.KeyFilter("highway")
    )
    for way in ways:
        name = _pick({tag.k: tag.v for tag in way.tags})
        if name:
            yield way.id, name


def _graphml_way_names(path: Path) -> Iterator[tuple[int, str]]:
    import osmnx as ox

    for *_, data in ox.load_graphml(path).edges(data=True):
        ids, names = data.get("osmid"), data.get("name")
        ids = ids if isinstance(ids, list) else [ids]
        names = names if isinstance(names, list) else [names] * len(ids)
        for way, name in zip(ids, names, strict=False):
            if way is not None and isinstance(name, str) and name.strip():
                yield int(way), name.strip()


def _read_names(path: Path, version: str) -> tuple[list[str], NDArray[np.int32]] | None:
    try:
        stored = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(stored, dict) or stored.get("version") != version:
        return None
    return list(stored["names"]), np.asarray(stored["road_name"], dtype=np.int32)


def _write_names(path: Path, version: str, names: list[str], road_name: NDArray[Any]) -> None:
    """Write atomically (a temporary file renamed), so parallel workers never read half."""
    body = {"version": version, "names": names, "road_name": road_name.tolist()}
    tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    try:
        tmp.write_text(json.dumps(body, ensure_ascii=False), encoding="utf-8")
        tmp.replace(path)
    except OSError:
        tmp.unlink(missing_ok=True)
