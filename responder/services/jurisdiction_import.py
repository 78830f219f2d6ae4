"""Jurisdiction import: an office's own tree with real boundaries, all or nothing.

Sources are boundary files (GeoJSON in the DataV style — ``adcode``, ``name``, ``level``,
``parent_adcode`` — or any GeoJSON/Shapefile/GeoPackage whose code, name and parent fields
are named by a :class:`FieldMap`) and the administrative tree of ``geotool-cn`` (codes and
names of every province, city and county; no boundaries).  Coordinates are converted to
WGS-84 with :mod:`responder.crs`; invalid polygons are repaired with ``make_valid`` or
refused.  Every feature is checked before anything is written, and one refused feature
refuses the whole file, with a per-feature report either way.  The CLI
(``flask jurisdictions import``), the onboarding command and the admin page all call
:func:`import_features`.
"""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import shapely
from shapely.geometry import MultiPolygon, Polygon, mapping, shape
from shapely.geometry.base import BaseGeometry
from sqlalchemy import select
from sqlalchemy.orm import Session

from responder import crs as crs_module
from responder.errors import InvalidInput
from responder.models import Jurisdiction
from responder.services import jurisdictions
from responder.services.actors import Actor
from responder.vocabulary import JURISDICTION_LEVELS, LEVEL_DEPTH

#: File suffixes read as boundary files.
SUFFIXES = (".geojson", ".json", ".shp", ".gpkg", ".zip")
#: Polygons (or parts) smaller than this (square degrees, ~1 m²) have no area.
MIN_AREA_DEG2 = 1e-10
#: Level words of DataV/Amap and of common shapefiles, mapped to ours.
LEVEL_WORDS = {
    "province": "province",
    "city": "city",
    "district": "county",
    "county": "county",
    "street": "township",
    "township": "township",
    "grid": "grid",
    "省": "province",
    "市": "city",
    "区": "county",
    "县": "county",
    "乡镇": "township",
    "街道": "township",
}


@dataclass(frozen=True)
class FieldMap:
    """Which property of a feature holds its code, name, level and parent code."""

    code: str = "adcode"
    name: str = "name"
    level: str = "level"
    parent: str = "parent_adcode"


@dataclass
class Feature:
    """One jurisdiction to import: plain values, boundary already in WGS-84 (or none)."""

    code: str
    name: str
    level: str
    parent_code: str | None
    boundary: BaseGeometry | None = None
    notes: list[str] = field(default_factory=list)
    problem: str | None = None


@dataclass
class FeatureResult:
    """One line of the report: what happened to a feature."""

    index: int
    code: str
    name: str
    level: str
    parent_code: str | None
    status: str  # created | updated | refused | unchanged
    boundary: bool
    note: str = ""


@dataclass
class ImportReport:
    """The per-feature report of an import (``written`` is False when it was refused)."""

    features: list[FeatureResult]
    written: bool

    @property
    def counts(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for item in self.features:
            counts[item.status] = counts.get(item.status, 0) + 1
        return counts

    @property
    def refused(self) -> list[FeatureResult]:
        return [item for item in self.features if item.status == "refused"]

    def as_dict(self) -> dict[str, Any]:
        return {
            "written": self.written,
            "counts": self.counts,
            "features": [asdict(f) for f in self.features],
        }


# --- reading ------------------------------------------------------------------------------


def level_for(code: str, word: Any = None) -> str:
    """Our level for a feature: from its level word if it has one, else from the code shape
    (``xx0000`` province, ``xxxx00`` city, other 6 digits county, 9/12 digits township)."""
    if word not in (None, ""):
        level = LEVEL_WORDS.get(str(word).strip().lower())
        if level is None:
            raise ValueError(
                f"unknown level {word!r}; use one of {', '.join(sorted(set(LEVEL_WORDS)))}"
            )
        return level
    if len(code) == 6 and code.endswith("0000"):
        return "province"
    if len(code) == 6 and code.endswith("00"):
        return "city"
    if len(code) == 6:
        return "county"
    return "township"


def _code(value: Any) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _to_wgs84(geometry: BaseGeometry, crs: str) -> BaseGeometry:
    if crs in ("wgs84", "cgcs2000"):
        return geometry

    def convert(coords: Any) -> Any:
        out = coords.copy()
        for i, (lon, lat) in enumerate(coords):
            out[i] = crs_module.to_wgs84(float(lon), float(lat), crs)
        return out

    return shapely.transform(geometry, convert)


def polygonal(geometry: BaseGeometry | None, *, repair: bool) -> tuple[BaseGeometry, str]:
    """A valid (Multi)Polygon from ``geometry`` and a note of what was repaired.

    Raises ``ValueError`` (the reason) when the geometry is missing, not polygonal, or
    invalid and ``repair`` is off, or has no area left after ``make_valid``.
    """
    if geometry is None or geometry.is_empty:
        raise ValueError("the feature has no geometry")
    if not isinstance(geometry, Polygon | MultiPolygon):
        raise ValueError(f"the geometry is a {geometry.geom_type}, not a polygon")
    if geometry.is_valid and geometry.area > MIN_AREA_DEG2:
        return geometry, ""
    reason = shapely.is_valid_reason(geometry) if not geometry.is_valid else "zero area"
    if not repair:
        raise ValueError(f"invalid polygon ({reason}); repair is off")
    fixed = shapely.make_valid(geometry)
    parts = [g for g in getattr(fixed, "geoms", [fixed]) if isinstance(g, Polygon | MultiPolygon)]
    polygons = [
        p for part in parts for p in getattr(part, "geoms", [part]) if p.area > MIN_AREA_DEG2
    ]
    if not polygons:
        raise ValueError(f"invalid polygon ({reason}) with no area left after repair")
    repaired = polygons[0] if len(polygons) == 1 else MultiPolygon(polygons)
    return repaired, f"repaired ({reason})"


def _feature(
    props: dict[str, Any],
    geometry: BaseGeometry | None,
    fields: FieldMap,
    crs: str,
    repair: bool,
) -> Feature:
    code = _code(props.get(fields.code))
    name = str(props.get(fields.name) or "").strip()
    parent = _code(props.get(fields.parent)) or None
    item = Feature(code=code, name=name, level="", parent_code=parent)
    if not code:
        item.problem = f"no code in field {fields.code!r}"
        return item
    if not name:
        item.problem = f"no name in field {fields.name!r}"
        return item
    try:
        item.level = level_for(code, props.get(fields.level))
    except ValueError as exc:
        item.problem = str(exc)
        return item
    if geometry is None:
        return item  # a township may be entered by code and name alone
    try:
        boundary, note = polygonal(_to_wgs84(geometry, crs), repair=repair)
    except ValueError as exc:
        item.problem = str(exc)
        return item
    if crs not in ("wgs84", "cgcs2000"):
        item.notes.append(f"converted from {crs}")
    if note:
        item.notes.append(note)
    item.boundary = boundary
    return item


def read_features(
    path: str | Path,
    *,
    fields: FieldMap | None = None,
    crs: str = "wgs84",
    repair: bool = True,
    layer: str | None = None,
) -> list[Feature]:
    """Read a boundary file into features (problems are kept on the feature, not raised).

    GeoJSON is read as JSON (so DataV files with ``null`` parents and mixed types work as
    is); Shapefile, GeoPackage and zipped shapefiles through geopandas/pyogrio, reprojected
    to geographic coordinates when the file carries a projected CRS (e.g. CGCS2000 Gauss–
    Krüger).  ``crs`` names the datum the (geographic) coordinates are in: ``gcj02`` and
    ``bd09`` are converted to WGS-84; ``wgs84`` and ``cgcs2000`` are kept.

    Raises
    ------
    InvalidInput
        If the file cannot be read at all or ``crs`` is unknown (field ``file``/``crs``).
    """
    fields = fields or FieldMap()
    try:
        code = crs_module.check_crs(crs)
    except crs_module.UnknownCRS as exc:
        raise InvalidInput(str(exc), field="crs") from exc
    path = Path(path)
    if path.suffix.lower() not in SUFFIXES:
        raise InvalidInput(
            f"unsupported boundary file {path.name!r}: use {', '.join(SUFFIXES)}", field="file"
        )
    rows = _geojson_rows(path) if path.suffix.lower() in (".geojson", ".json") else None
    if rows is None:
        rows = _ogr_rows(path, layer)
    return [_feature(props, geometry, fields, code, repair) for props, geometry in rows]


def _geojson_rows(path: Path) -> list[tuple[dict[str, Any], BaseGeometry | None]]:
    try:
        data = json.loads(path.read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InvalidInput(f"{path.name} is not readable GeoJSON: {exc}", field="file") from exc
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection":
        raise InvalidInput(f"{path.name} is not a GeoJSON FeatureCollection", field="file")
    rows: list[tuple[dict[str, Any], BaseGeometry | None]] = []
    for feature in data.get("features") or []:
        props = (feature or {}).get("properties") or {}
        raw = (feature or {}).get("geometry")
        try:
            geometry = shape(raw) if raw else None
        except (ValueError, TypeError, AttributeError, IndexError, KeyError):
            geometry = Polygon()  # reported as "no geometry" with the feature's name
        rows.append((props, geometry))
    return rows


def _ogr_rows(path: Path, layer: str | None) -> list[tuple[dict[str, Any], BaseGeometry | None]]:
    import geopandas

    try:
        frame = geopandas.read_file(path, layer=layer)
    except Exception as exc:  # pyogrio raises several kinds for an unreadable file
        raise InvalidInput(f"{path.name} is not readable: {exc}", field="file") from exc
    if frame.crs is not None and not frame.crs.is_geographic:
        frame = frame.to_crs(4490)  # CGCS2000 geographic: WGS-84 within centimetres
    rows = []
    for record in frame.to_dict("records"):
        geometry = record.pop("geometry", None)
        rows.append((record, geometry))
    return rows


def package_tree(adcode: str) -> list[Feature]:
    """Codes and names from geotool-cn's public tree for ``adcode`` and what it needs.

    A province gives itself and its cities; a city its province, itself and its districts
    and counties; a county its province, city and itself.  Nothing has a boundary.
    Municipalities (北京, 上海 …) have no separate city node: counties sit under the
    province.

    Raises
    ------
    InvalidInput
        If the code is not a 6-digit code in the tree (field ``adcode``).
    """
    from GeoToolCN import get_administrative_tree

    code = adcode.strip()
    for province in get_administrative_tree():
        top = Feature(province["value"], province["label"], "province", None)
        if code == top.code:
            cities = [c for c in province.get("children", []) if c["value"] != top.code]
            return [top, *(Feature(c["value"], c["label"], "city", top.code) for c in cities)]
        for city in province.get("children", []):
            merged = city["value"] == top.code
            own = Feature(city["value"], city["label"], "city", top.code)
            chain = [top] if merged else [top, own]
            parent = chain[-1].code
            children = [
                Feature(d["value"], d["label"], "county", parent) for d in city.get("children", [])
            ]
            if code == city["value"] and not merged:
                return [*chain, *children]
            for child in children:
                if code == child.code:
                    return [*chain, child]
    raise InvalidInput(f"{adcode!r} is not a province, city or county code", field="adcode")


def with_boundaries(tree: list[Feature], boundaries: list[Feature]) -> list[Feature]:
    """The tree with each node's boundary (and problem) taken from the file feature of the
    same code; nodes the file lacks stay without a boundary (never invented)."""
    by_code = {b.code: b for b in boundaries if b.code}
    for node in tree:
        source = by_code.get(node.code)
        if source is None:
            node.notes.append("no boundary in the file")
            continue
        node.boundary, node.problem = source.boundary, source.problem
        node.notes.extend(source.notes)
    return tree


def gather(
    path: str | Path | None,
    adcode: str | None,
    *,
    crs: str = "wgs84",
    fields: FieldMap | None = None,
    repair: bool = True,
    layer: str | None = None,
) -> list[Feature]:
    """The features an import stands for: a boundary file, a geotool-cn tree for
    ``adcode``, or that tree with its boundaries from the file (matched by code).

    Raises
    ------
    InvalidInput
        If neither is given (field ``file``), or from :func:`read_features` /
        :func:`package_tree`.
    """
    if path is None and not adcode:
        raise InvalidInput("give a boundary file, an adcode, or both", field="file")
    boundaries = (
        read_features(path, fields=fields, crs=crs, repair=repair, layer=layer)
        if path is not None
        else None
    )
    if not adcode:
        assert boundaries is not None
        return boundaries
    tree = package_tree(adcode)
    return with_boundaries(tree, boundaries) if boundaries is not None else tree


# --- writing ------------------------------------------------------------------------------


def import_features(
    session: Session, actor: Actor, features: list[Feature], *, dry_run: bool = False
) -> ImportReport:
    """Create (or update the name and boundary of) every feature, or none of them.

    Parents come first whatever the file order; a parent is a stored jurisdiction or
    another feature of the same import.  A feature is refused when it has a problem from
    reading, a malformed code, an unknown or missing parent, a level not deeper than its
    parent's, a duplicate code, or an existing code under another parent.  When any is
    refused nothing is written and :class:`InvalidInput` carries the report in
    ``details``; otherwise the report is returned (the caller commits).  Writes go through
    :func:`responder.services.jurisdictions.create`/``update`` (validated and audited).
    """
    order = sorted(range(len(features)), key=lambda i: LEVEL_DEPTH.get(features[i].level, 99))
    stored = {
        j.code: j
        for j in session.scalars(
            select(Jurisdiction).where(Jurisdiction.code.in_([f.code for f in features]))
        )
    }
    parents = {
        j.code: j
        for j in session.scalars(
            select(Jurisdiction).where(
                Jurisdiction.code.in_([f.parent_code for f in features if f.parent_code])
            )
        )
    }
    levels = {code: node.level for code, node in {**parents, **stored}.items()}
    seen: set[str] = set()
    in_file = {f.code for f in features}
    results: dict[int, FeatureResult] = {}
    for i in order:
        item = features[i]
        problem = item.problem or _check(item, seen, stored, levels, in_file)
        status = "refused" if problem else ("updated" if item.code in stored else "created")
        if not problem:
            seen.add(item.code)
            levels[item.code] = item.level
        note = problem or "; ".join(item.notes)
        results[i] = FeatureResult(
            index=i + 1,
            code=item.code,
            name=item.name,
            level=item.level,
            parent_code=item.parent_code,
            status=status,
            boundary=item.boundary is not None,
            note=note,
        )
    report = ImportReport([results[i] for i in range(len(features))], written=False)
    if report.refused:
        first = report.refused[0]
        raise InvalidInput(
            f"{len(report.refused)} of {len(features)} features refused, nothing imported; "
            f"first: #{first.index} {first.code} {first.name}: {first.note}",
            field="file",
            details=report.as_dict(),
        )
    if dry_run:
        return report
    nodes: dict[str, Jurisdiction] = {**parents, **stored}
    for i in order:
        item, result = features[i], results[i]
        boundary = mapping(item.boundary) if item.boundary is not None else None
        if result.status == "updated":
            node = stored[item.code]
            changes: dict[str, Any] = {"name": item.name}
            if boundary is not None:
                changes["boundary"] = boundary
            jurisdictions.update(session, actor, node, changes)
        else:
            data: dict[str, Any] = {
                "code": item.code,
                "name": item.name,
                "level": item.level,
                "boundary": boundary,
            }
            if item.parent_code:
                data["parent_id"] = nodes[item.parent_code].id
            nodes[item.code] = jurisdictions.create(session, actor, data)
    report.written = True
    return report


def _check(
    item: Feature,
    seen: set[str],
    stored: dict[str, Jurisdiction],
    levels: dict[str, str],
    in_file: set[str],
) -> str | None:
    """Why ``item`` cannot be imported (None: it can)."""
    if item.level not in JURISDICTION_LEVELS:
        return f"unknown level {item.level!r}"
    if not item.code.isdigit() or len(item.code) not in {6, 9, 12}:
        return f"code {item.code!r} is not a 6-, 9- or 12-digit administrative code"
    if item.code in seen:
        return f"code {item.code} appears twice in the file"
    if item.parent_code:
        parent_level = levels.get(item.parent_code)
        if parent_level is None and item.parent_code in in_file:
            return f"its parent {item.parent_code} is refused"
        if parent_level is None:
            return f"parent {item.parent_code} is neither stored nor in the file"
        if LEVEL_DEPTH[item.level] <= LEVEL_DEPTH[parent_level]:
            return f"a {item.level} cannot sit under a {parent_level} ({item.parent_code})"
    existing = stored.get(item.code)
    if existing is not None:
        parent = existing.parent.code if existing.parent is not None else None
        if parent != item.parent_code or existing.level != item.level:
            return (
                f"code {item.code} is already stored as a {existing.level} under "
                f"{parent or 'no parent'}"
            )
    return None
