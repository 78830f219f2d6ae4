"""Writing to and reading from the append-only audit log."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import func, inspect, select
from sqlalchemy.orm import Session

from responder.models import AuditEntry
from responder.services.actors import Actor


def snapshot(obj: Any) -> dict[str, Any]:
    """The column values of a model instance, JSON-safe (dates as ISO strings)."""
    values: dict[str, Any] = {}
    for attr in inspect(obj).mapper.column_attrs:
        value = getattr(obj, attr.key)
        if isinstance(value, (datetime, date)):
            value = value.isoformat()
        values[attr.key] = value
    if hasattr(obj, "specialty_rows"):
        values["specialties"] = obj.specialties
    return values


def record(
    session: Session,
    actor: Actor,
    action: str,
    entity: str,
    entity_id: int | None,
    *,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    note: str = "",
) -> AuditEntry:
    """Append one entry in the caller's transaction (so it commits or rolls back with it)."""
    entry = AuditEntry(
        user_id=actor.user_id,
        username=actor.username,
        action=action,
        entity=entity,
        entity_id=entity_id,
        before=before,
        after=after,
        note=note[:500],
    )
    session.add(entry)
    return entry


def entries(
    session: Session,
    *,
    entity: str | None = None,
    entity_id: int | None = None,
    user_id: int | None = None,
    since: datetime | None = None,
    offset: int = 0,
    limit: int = 50,
) -> tuple[list[AuditEntry], int]:
    """Newest first, filtered; returns the page and the total count."""
    query = select(AuditEntry)
    if entity:
        query = query.where(AuditEntry.entity == entity)
    if entity_id is not None:
        query = query.where(AuditEntry.entity_id == entity_id)
    if user_id is not None:
        query = query.where(AuditEntry.user_id == user_id)
    if since is not None:
        query = query.where(AuditEntry.at >= since)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(query.order_by(AuditEntry.id.desc()).offset(offset).limit(limit)).all()
    return list(rows), total
