"""The jurisdiction tree: creating nodes, locating points, scoping queries to a subtree."""

from __future__ import annotations

import json
import re
from typing import Any

from shapely.geometry import Point, shape
from shapely.geometry.base import BaseGeometry
from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from responder.errors import Conflict, InvalidInput, NotFound
from responder.models import Jurisdiction
from responder.models.base import Base
from responder.services import audit
from responder.services.actors import Actor
from responder.vocabulary import JURISDICTION_LEVELS, LEVEL_DEPTH

_CODE_PATTERNS = {
    "province": r"\d{6}",
    "city": r"\d{6}",
    "county": r"\d{6}",
    "township": r"\d{9}|\d{12}",
    "grid": r"\d{9,12}",
}


def parse_boundary(geojson: Any, *, field: str = "boundary") -> BaseGeometry:
    """A valid Polygon/MultiPolygon from a GeoJSON geometry (or Feature) mapping."""
    if isinstance(geojson, str):
        try:
            geojson = json.loads(geojson)
        except json.JSONDecodeError as exc:
            raise InvalidInput(f"boundary is not JSON: {exc}", field=field) from exc
    if isinstance(geojson, dict) and geojson.get("type") == "Feature":
        geojson = geojson.get("geometry")
    if not isinstance(geojson, dict) or geojson.get("type") not in {"Polygon", "MultiPolygon"}:
        raise InvalidInput("boundary must be a GeoJSON Polygon or MultiPolygon", field=field)
    try:
        geometry = shape(geojson)
    except (ValueError, TypeError, AttributeError, IndexError) as exc:
        raise InvalidInput(f"boundary geometry is malformed: {exc}", field=field) from exc
    min_lon, min_lat, max_lon, max_lat = geometry.bounds
    if not (-180 <= min_lon <= max_lon <= 180 and -90 <= min_lat <= max_lat <= 90):
        raise InvalidInput("boundary coordinates are out of range", field=field)
    if not geometry.is_valid or geometry.is_empty:
        raise InvalidInput("boundary polygon is empty or self-intersecting", field=field)
    return geometry


#: The key-county marks (重点县) a county-level jurisdiction can carry.
KEY_FLAGS = ("key_hazchem", "key_mining")


def get(session: Session, jurisdiction_id: int, *, field: str = "jurisdiction_id") -> Jurisdiction:
    node = session.get(Jurisdiction, jurisdiction_id)
    if node is None:
        raise InvalidInput(f"jurisdiction {jurisdiction_id} does not exist", field=field)
    return node


def create(session: Session, actor: Actor, data: dict[str, Any]) -> Jurisdiction:
    """Add a node under ``parent_id`` (or a root).  Codes are unique; levels go deeper.

    A root can only be added by someone whose scope is the whole tree."""
    level = data["level"]
    if level not in JURISDICTION_LEVELS:
        raise InvalidInput(f"unknown level '{level}'", field="level")
    code = _checked_code(session, data["code"], level)
    parent = get(session, data["parent_id"], field="parent_id") if data.get("parent_id") else None
    actor.require("jurisdictions.write", path=parent.path if parent else "/", what="parent")
    if parent is not None and LEVEL_DEPTH[level] <= LEVEL_DEPTH[parent.level]:
        raise InvalidInput(f"a {level} cannot sit under a {parent.level}", field="level")
    node = Jurisdiction(
        code=code, name=data["name"], level=level, parent_id=parent.id if parent else None
    )
    _set_boundary(node, data.get("boundary"))
    _set_key_flags(node, data)
    session.add(node)
    session.flush()
    node.path = f"{parent.path if parent else '/'}{node.id}/"
    node.depth = node.path.count("/") - 2
    audit.record(session, actor, "create", "jurisdiction", node.id, after=audit.snapshot(node))
    return node


def _checked_code(
    session: Session, code: str, level: str, *, node: Jurisdiction | None = None
) -> str:
    """``code`` if it is an administrative code of ``level`` that no other node holds."""
    if not re.fullmatch(_CODE_PATTERNS[level], code):
        raise InvalidInput(
            f"code '{code}' is not a valid {level} administrative code", field="code"
        )
    holder = session.scalar(select(Jurisdiction.id).where(Jurisdiction.code == code))
    if holder is not None and (node is None or holder != node.id):
        raise Conflict(f"jurisdiction code '{code}' already exists", field="code")
    return code


def update(
    session: Session, actor: Actor, node: Jurisdiction, data: dict[str, Any]
) -> Jurisdiction:
    """Rename, re-code, re-draw or move a node (with everything under it), or mark it a key
    county (``key_hazchem``, ``key_mining``).

    A move keeps the tree a tree: the new parent may not be the node or one of its own
    subdivisions, must be of a shallower level, and must lie in the actor's scope (as the
    node itself must).  Records keep their jurisdiction; they move with it."""
    actor.require("jurisdictions.write", path=node.path, what="jurisdiction")
    before = audit.snapshot(node)
    if "name" in data:
        node.name = data["name"]
    if "code" in data:
        node.code = _checked_code(session, data["code"], node.level, node=node)
    if "boundary" in data:
        _set_boundary(node, data["boundary"])
    _set_key_flags(node, data)
    if "parent_id" in data and data["parent_id"] != node.parent_id:
        _move(session, actor, node, data["parent_id"])
    session.flush()
    audit.record(
        session, actor, "update", "jurisdiction", node.id, before=before, after=audit.snapshot(node)
    )
    return node


def _set_key_flags(node: Jurisdiction, data: dict[str, Any]) -> None:
    """Set the key-county marks given in ``data``; only a county can be a key county
    (重点县), so marking another level is refused (clearing a mark is always allowed)."""
    for flag in KEY_FLAGS:
        if flag not in data:
            continue
        value = data[flag]
        if not isinstance(value, bool):
            raise InvalidInput(f"{flag} must be true or false", field=flag)
        if value and node.level != "county":
            raise InvalidInput(f"only a county can be a key county, not a {node.level}", field=flag)
        setattr(node, flag, value)


def _move(session: Session, actor: Actor, node: Jurisdiction, parent_id: int | None) -> None:
    """Hang ``node`` under ``parent_id`` (None: a root) and rewrite the paths below it."""
    parent = get(session, parent_id, field="parent_id") if parent_id else None
    if parent is not None and parent.path.startswith(node.path):
        raise InvalidInput(
            "a jurisdiction cannot move under itself or one of its own subdivisions",
            field="parent_id",
        )
    actor.require("jurisdictions.write", path=parent.path if parent else "/", what="parent")
    if parent is not None and LEVEL_DEPTH[node.level] <= LEVEL_DEPTH[parent.level]:
        raise InvalidInput(f"a {node.level} cannot sit under a {parent.level}", field="parent_id")
    old_path = node.path
    new_path = f"{parent.path if parent else '/'}{node.id}/"
    node.parent_id = parent.id if parent else None
    for moved in session.scalars(
        select(Jurisdiction).where(Jurisdiction.path.like(f"{old_path}%"))
    ):
        moved.path = new_path + moved.path[len(old_path) :]
        moved.depth = moved.path.count("/") - 2


def references(session: Session, node: Jurisdiction) -> dict[str, int]:
    """What still points at ``node``: ``{"jurisdictions": subdivisions, table: rows, ...}``
    over every foreign key to the tree (records, users, plans, incidents ...), non-zero only."""
    target = Jurisdiction.__table__.c.id
    found: dict[str, int] = {}
    for table in Base.metadata.sorted_tables:
        for key in table.foreign_keys:
            if key.column is not target:
                continue
            count = session.scalar(
                select(func.count()).select_from(table).where(key.parent == node.id)
            )
            if count:
                found[table.name] = found.get(table.name, 0) + int(count)
    return found


def delete(session: Session, actor: Actor, node: Jurisdiction) -> None:
    """Remove a node entered by mistake.  Refused (naming what is left) while it has
    subdivisions or anything refers to it: jurisdictions are not retired, they are moved or
    renamed, and the records in them keep their history."""
    actor.require("jurisdictions.write", path=node.path, what="jurisdiction")
    left = references(session, node)
    if left:
        what = ", ".join(f"{count} {table}" for table, count in left.items())
        raise Conflict(
            f"jurisdiction '{node.name}' still has {what}; move or remove them first",
            details=left,
        )
    before = audit.snapshot(node)
    session.delete(node)
    session.flush()
    audit.record(session, actor, "delete", "jurisdiction", node.id, before=before)


def _set_boundary(node: Jurisdiction, boundary: Any) -> None:
    if boundary is None:
        node.boundary = None
        node.min_lon = node.min_lat = node.max_lon = node.max_lat = None
        return
    geometry = parse_boundary(boundary)
    node.boundary = json.dumps(geometry.__geo_interface__)
    node.min_lon, node.min_lat, node.max_lon, node.max_lat = geometry.bounds


def locate(session: Session, lon: float, lat: float) -> Jurisdiction | None:
    """The deepest jurisdiction whose boundary contains the point, or None."""
    candidates = session.scalars(
        select(Jurisdiction)
        .where(Jurisdiction.boundary.is_not(None))
        .where(Jurisdiction.min_lon <= lon, Jurisdiction.max_lon >= lon)
        .where(Jurisdiction.min_lat <= lat, Jurisdiction.max_lat >= lat)
        .order_by(Jurisdiction.depth.desc())
    ).all()
    point = Point(lon, lat)
    for node in candidates:
        if shape(json.loads(node.boundary or "null")).covers(point):
            return node
    return None


def assign(
    session: Session, lon: float, lat: float, *, explicit_id: int | None = None
) -> Jurisdiction:
    """The jurisdiction for a record at (lon, lat): the explicit one if given (it must
    contain the point when it has a boundary), else the deepest one containing the point."""
    if explicit_id is not None:
        node = get(session, explicit_id)
        if node.boundary and not shape(json.loads(node.boundary)).buffer(1e-6).covers(
            Point(lon, lat)
        ):
            raise InvalidInput(
                f"the location lies outside jurisdiction {node.name}", field="jurisdiction_id"
            )
        return node
    found = locate(session, lon, lat)
    if found is None:
        raise InvalidInput(
            "the location lies outside every registered jurisdiction; give jurisdiction_id",
            field="lon",
        )
    return found


def subtree_filter(column: Any, path: str) -> Any:
    """A WHERE clause keeping rows whose jurisdiction (``column``) is ``path`` or below it."""
    sub = select(Jurisdiction.id).where(
        or_(Jurisdiction.path == path, Jurisdiction.path.like(f"{path}%"))
    )
    return column.in_(sub)


def by_id_or_404(session: Session, jurisdiction_id: int) -> Jurisdiction:
    node = session.get(Jurisdiction, jurisdiction_id)
    if node is None:
        raise NotFound(f"jurisdiction {jurisdiction_id} not found")
    return node


def county_ids_of(session: Session, jurisdiction_ids: set[int]) -> dict[int, int | None]:
    """The county-level ancestor (or self) of each jurisdiction, in two queries."""
    if not jurisdiction_ids:
        return {}
    paths = dict(
        session.execute(
            select(Jurisdiction.id, Jurisdiction.path).where(Jurisdiction.id.in_(jurisdiction_ids))
        ).all()
    )
    chains = {j: [int(p) for p in path.strip("/").split("/") if p] for j, path in paths.items()}
    ancestors = {a for chain in chains.values() for a in chain}
    counties = set(
        session.scalars(
            select(Jurisdiction.id).where(
                Jurisdiction.id.in_(ancestors), Jurisdiction.level == "county"
            )
        )
    )
    return {
        j: next((a for a in reversed(chain) if a in counties), None) for j, chain in chains.items()
    }


def county_id_of(session: Session, jurisdiction_id: int | None) -> int | None:
    """The id of the county-level ancestor (or self) of a jurisdiction, if any."""
    if jurisdiction_id is None:
        return None
    node = session.get(Jurisdiction, jurisdiction_id)
    if node is None:
        return None
    ids = [int(part) for part in node.path.strip("/").split("/") if part]
    levels = dict(
        session.execute(
            select(Jurisdiction.id, Jurisdiction.level).where(Jurisdiction.id.in_(ids))
        ).all()
    )
    for ancestor in reversed(ids):
        if levels.get(ancestor) == "county":
            return ancestor
    return None
