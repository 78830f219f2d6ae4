"""Declarative base, the Flask-SQLAlchemy handle and shared column mixins."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import CursorResult, DateTime, MetaData, TypeDecorator
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, registry

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    """The current time, timezone-aware UTC (stored as UTC everywhere)."""
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """Stores naive UTC, returns aware UTC, on SQLite and PostgreSQL alike."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is not None and value.tzinfo is not None:
            value = value.astimezone(UTC).replace(tzinfo=None)
        return value

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        return value.replace(tzinfo=UTC) if value is not None else None


class Base(DeclarativeBase):
    registry = registry(
        metadata=MetaData(naming_convention=NAMING),
        type_annotation_map={datetime: UTCDateTime()},
    )


class TypedSQLAlchemy(SQLAlchemy):
    """Flask-SQLAlchemy with ``session`` typed as the ``Session`` it stands for.

    At run time ``db.session`` is a ``scoped_session`` that forwards every ``Session``
    method to the current app context's session, so handlers can pass it to services that
    take a plain ``Session``; this annotation tells mypy the same (the typed seam between
    ``http/`` and ``services/``)."""

    if TYPE_CHECKING:

        class ScopedSession(Session):
            def remove(self) -> None:
                """End the current context's session (``scoped_session.remove``)."""

        session: ScopedSession  # type: ignore[assignment]


db = TypedSQLAlchemy(model_class=Base)


class Timestamps:
    """``updated_at`` moves on every write; ``verified_at`` is when the owner last confirmed
    the record is still true (stale rosters and stock are what fail on the night)."""

    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    verified_at: Mapped[datetime | None] = mapped_column(default=None)


class Located:
    """A WGS84 point (longitude, latitude in degrees)."""

    lon: Mapped[float] = mapped_column()
    lat: Mapped[float] = mapped_column()


def begin_write(session: Session) -> None:
    """Start a fresh transaction meant to write (dispatch, stock changes).

    Ends whatever the session had open, then begins anew; on SQLite with ``BEGIN
    IMMEDIATE`` so concurrent writers wait for each other (busy timeout) rather than fail.
    PostgreSQL needs nothing special: conditional UPDATEs lock the rows they change.
    """
    session.commit()  # a no-op when nothing is open
    session.connection(execution_options={"sqlite_immediate": True})


def rows_changed(session: Session, statement: Any) -> int:
    """Execute an UPDATE/DELETE and return how many rows it changed: the answer of a
    compare-and-set such as "take this team only if it is still available"."""
    result: CursorResult[Any] = session.execute(statement)  # type: ignore[assignment]
    return int(result.rowcount)
