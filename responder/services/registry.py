"""Create, update, retire, verify and list registry records, one set of rules for all kinds.

A :class:`ResourceKind` describes one kind of record (teams, depots, enterprises, ...):
its model, the permission that guards writes, and hooks for the rules only it has.  The
functions here apply the rules every kind shares: the location decides the jurisdiction,
writes stay inside the actor's jurisdiction, names are unique within a jurisdiction,
history is retired rather than deleted, and every write is audited.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session

from responder.errors import Conflict, InvalidInput, NotFound
from responder.models import Jurisdiction, utcnow
from responder.services import audit, jurisdictions
from responder.services.actors import Actor

Hook = Callable[[Session, dict[str, Any], Any], None]


@dataclass(frozen=True)
class ResourceKind:
    """How one kind of registry record is written and listed."""

    entity: str
    model: type[Any]
    permission: str = "registry.write"
    located: bool = True
    unique_name: bool = True
    text_columns: tuple[str, ...] = ("name",)
    #: Domain checks beyond the schema (references, formats); may normalise ``data``.
    validate: Hook | None = None
    #: Writes fields the generic setter cannot (relationships, derived values).
    apply: Hook | None = None
    #: For kinds without their own location: the jurisdiction that scopes a record.
    scope_of: Callable[[Session, dict[str, Any], Any], Jurisdiction] | None = None
    #: False for tree-wide records (the material catalog): no jurisdiction scope applies.
    scoped: bool = True
    #: Extra list filters: name -> function(value) returning a WHERE clause.
    filters: dict[str, Callable[[Any], Any]] = field(default_factory=dict)
    #: For kinds placed by another record (a hazard source by its enterprise): the owner
    #: model and the foreign key to it; jurisdiction and bbox filters then apply to the owner.
    placed_by: tuple[type[Any], Any] | None = None


@dataclass
class Page:
    items: list[Any]
    total: int
    page: int
    per_page: int


@dataclass
class ListQuery:
    """Filters every kind understands."""

    page: int = 1
    per_page: int = 50
    q: str | None = None
    jurisdiction_path: str | None = None
    bbox: tuple[float, float, float, float] | None = None
    include_retired: bool = False
    extra: dict[str, Any] = field(default_factory=dict)
    #: Only records never verified or verified before this moment (the staleness rule).
    stale_before: datetime | None = None
    #: Order by this column of the kind's table (``name``, ``verified_at`` ...), then id.
    sort: str | None = None
    descending: bool = False


def sortable_columns(kind: ResourceKind) -> tuple[str, ...]:
    """The columns a list of ``kind`` may be ordered by (plain columns of its table)."""
    return tuple(kind.model.__table__.columns.keys())


def stale_cutoff(days: int, now: datetime | None = None) -> datetime:
    """The moment before which a verification is too old under a ``days`` rule."""
    return (now or utcnow()) - timedelta(days=days)


def get(session: Session, kind: ResourceKind, record_id: int) -> Any:
    record = session.get(kind.model, record_id)
    if record is None:
        raise NotFound(f"{kind.entity} {record_id} not found")
    return record


def _scope(
    session: Session, kind: ResourceKind, data: dict[str, Any], record: Any
) -> Jurisdiction | None:
    """The jurisdiction a record belongs to after applying ``data`` (None if unscoped)."""
    if not kind.scoped:
        return None
    if kind.scope_of is not None:
        return kind.scope_of(session, data, record)
    if kind.located:
        lon = data.get("lon", getattr(record, "lon", None))
        lat = data.get("lat", getattr(record, "lat", None))
        moved = record is None or "lon" in data or "lat" in data or "jurisdiction_id" in data
        if moved:
            if lon is None or lat is None:
                raise InvalidInput("a location needs both lon and lat", field="lon")
            explicit = data.get("jurisdiction_id")
            return jurisdictions.assign(session, lon, lat, explicit_id=explicit)
        return record.jurisdiction
    jurisdiction_id = data.get("jurisdiction_id", getattr(record, "jurisdiction_id", None))
    if jurisdiction_id is None:
        raise InvalidInput(f"a {kind.entity} needs a jurisdiction_id", field="jurisdiction_id")
    return jurisdictions.get(session, jurisdiction_id)


def _check_unique_name(
    session: Session, kind: ResourceKind, name: str, jurisdiction_id: int, record_id: int | None
) -> None:
    model = kind.model
    query = select(model.id).where(model.name == name, model.jurisdiction_id == jurisdiction_id)
    if record_id is not None:
        query = query.where(model.id != record_id)
    if session.scalar(query) is not None:
        raise Conflict(
            f"a {kind.entity} named '{name}' already exists in this jurisdiction", field="name"
        )


def _assign(record: Any, data: dict[str, Any], skip: Sequence[str]) -> None:
    for key, value in data.items():
        if key not in skip:
            setattr(record, key, value)


def create(session: Session, actor: Actor, kind: ResourceKind, data: dict[str, Any]) -> Any:
    """Validate and add one record in the caller's transaction; returns it flushed."""
    actor.require(kind.permission)
    if kind.validate:
        kind.validate(session, data, None)
    where = _scope(session, kind, data, None)
    _require_in(actor, kind, where, "location")
    if where is not None and hasattr(kind.model, "jurisdiction_id"):
        data["jurisdiction_id"] = where.id
        if kind.unique_name:
            _check_unique_name(session, kind, data["name"], where.id, None)
    record = kind.model()
    _assign(record, data, skip=_hooked_keys(kind, data))
    if kind.apply:
        kind.apply(session, data, record)
    session.add(record)
    session.flush()
    audit.record(session, actor, "create", kind.entity, record.id, after=audit.snapshot(record))
    return record


def update(
    session: Session, actor: Actor, kind: ResourceKind, record: Any, data: dict[str, Any]
) -> Any:
    """Apply a partial update; both the old and the new place must be in the actor's scope."""
    _require_in(actor, kind, _scope(session, kind, {}, record), "record")
    if kind.validate:
        kind.validate(session, data, record)
    new_scope = _scope(session, kind, data, record)
    _require_in(actor, kind, new_scope, "new location")
    if new_scope is not None and hasattr(kind.model, "jurisdiction_id"):
        data["jurisdiction_id"] = new_scope.id
        if kind.unique_name:
            _check_unique_name(
                session, kind, data.get("name", record.name), new_scope.id, record.id
            )
    before = audit.snapshot(record)
    _assign(record, data, skip=_hooked_keys(kind, data))
    if kind.apply:
        kind.apply(session, data, record)
    session.flush()
    audit.record(
        session,
        actor,
        "update",
        kind.entity,
        record.id,
        before=before,
        after=audit.snapshot(record),
    )
    return record


def _require_in(actor: Actor, kind: ResourceKind, where: Jurisdiction | None, what: str) -> None:
    """The actor's role must allow the write and ``where`` must lie in their scope."""
    if where is None:
        actor.require(kind.permission)
    else:
        actor.require(kind.permission, path=where.path, what=f"the {kind.entity}'s {what}")


def _hooked_keys(kind: ResourceKind, data: dict[str, Any]) -> Sequence[str]:
    """Keys the generic setter leaves to ``kind.apply`` (those that are not columns)."""
    columns = set(kind.model.__table__.columns.keys())
    return [key for key in data if key not in columns]


def retire(
    session: Session, actor: Actor, kind: ResourceKind, record: Any, *, note: str = ""
) -> Any:
    """Take a record out of service; it stays for history and references."""
    _require_in(actor, kind, _scope(session, kind, {}, record), "record")
    if record.retired_at is not None:
        raise Conflict(f"{kind.entity} {record.id} is already retired")
    before = audit.snapshot(record)
    record.retired_at = utcnow()
    session.flush()
    audit.record(
        session,
        actor,
        "retire",
        kind.entity,
        record.id,
        before=before,
        after=audit.snapshot(record),
        note=note,
    )
    return record


def verify(session: Session, actor: Actor, kind: ResourceKind, record: Any) -> Any:
    """Mark a record as confirmed by its owner just now."""
    _require_in(actor, kind, _scope(session, kind, {}, record), "record")
    record.verified_at = utcnow()
    session.flush()
    audit.record(
        session,
        actor,
        "verify",
        kind.entity,
        record.id,
        after={"verified_at": record.verified_at.isoformat()},
    )
    return record


def list_query(kind: ResourceKind, query: ListQuery) -> Select[Any]:
    """The SELECT for a filtered list (without paging), for pages, the API and exports."""
    model = kind.model
    stmt = select(model)
    if not query.include_retired and hasattr(model, "retired_at"):
        stmt = stmt.where(model.retired_at.is_(None))
    if query.q:
        pattern = f"%{query.q.strip()}%"
        stmt = stmt.where(or_(*(getattr(model, c).ilike(pattern) for c in kind.text_columns)))
    place, narrow = model, (lambda clause: clause)
    if kind.placed_by is not None:
        place, foreign_key = kind.placed_by
        narrow = lambda clause: foreign_key.in_(select(place.id).where(clause))  # noqa: E731
    if query.jurisdiction_path and hasattr(place, "jurisdiction_id"):
        stmt = stmt.where(
            narrow(jurisdictions.subtree_filter(place.jurisdiction_id, query.jurisdiction_path))
        )
    if query.bbox and hasattr(place, "lon"):
        min_lon, min_lat, max_lon, max_lat = query.bbox
        if min_lon > max_lon or min_lat > max_lat:
            raise InvalidInput("bbox must be min_lon,min_lat,max_lon,max_lat", field="bbox")
        stmt = stmt.where(
            narrow(place.lon.between(min_lon, max_lon) & place.lat.between(min_lat, max_lat))
        )
    for name, value in query.extra.items():
        if value is not None and name in kind.filters:
            stmt = stmt.where(kind.filters[name](value))
    if query.stale_before is not None and hasattr(model, "verified_at"):
        stmt = stmt.where(or_(model.verified_at.is_(None), model.verified_at < query.stale_before))
    return stmt.order_by(*_ordering(kind, query))


def _ordering(kind: ResourceKind, query: ListQuery) -> list[Any]:
    """ORDER BY for the query's sort column (unknown columns are a 422 naming ``sort``)."""
    model = kind.model
    if query.sort is None:
        return [model.id]
    if query.sort not in sortable_columns(kind):
        raise InvalidInput(
            f"cannot sort by '{query.sort}'; one of {', '.join(sortable_columns(kind))}",
            field="sort",
        )
    column = getattr(model, query.sort)
    if query.descending:
        return [column.desc().nulls_last(), model.id.desc()]
    return [column.asc().nulls_first(), model.id]


def list_page(session: Session, kind: ResourceKind, query: ListQuery) -> Page:
    stmt = list_query(kind, query)
    total = session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0
    items = session.scalars(stmt.offset((query.page - 1) * query.per_page).limit(query.per_page))
    return Page(items=list(items.unique()), total=total, page=query.page, per_page=query.per_page)
