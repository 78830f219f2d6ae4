"""Declarative base, the Flask-SQLAlchemy handle and shared column mixins."""

from __future__ import annotations

from contextvars import ContextVar
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import CursorResult, DateTime, MetaData, TypeDecorator
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, registry, scoped_session

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


#: Set on a connection's ``info`` while its transaction holds the write lock.
WRITE_TXN = "responder.write_txn"

_write_next: ContextVar[bool] = ContextVar("responder_write_next", default=False)


def _real(session: Session) -> Session:
    return session() if isinstance(session, scoped_session) else session


def in_write_transaction(session: Session) -> bool:
    """True while ``session`` holds an open write transaction (see :func:`begin_write`)."""
    real = _real(session)
    if not real.in_transaction():
        return False
    return bool(real.connection().info.get(WRITE_TXN))


def begin_write(session: Session) -> None:
    """The one way a unit of work that reads and then writes begins (the write policy).

    * Authentication and request validation run before it, in ordinary read
      transactions, so nothing slow (hashing, parsing, a slow client) holds the lock.
    * It ends whatever read transaction the session had open, then begins a write one:
      ``BEGIN IMMEDIATE`` on SQLite, so concurrent writers queue on the lock for the
      bounded busy timeout instead of one failing when it upgrades a stale read snapshot;
      on PostgreSQL a plain transaction, whose conditional UPDATEs lock the rows they
      change (waits bounded by ``lock_timeout``).
    * Already inside a write transaction it only flushes: the lock is kept, nothing is
      committed half-way.

    A lock not had within the bound surfaces as ``OperationalError``, which the HTTP layer
    answers with 503 and ``Retry-After`` (see :mod:`responder.http.errors`).
    """
    _write_next.set(False)
    if in_write_transaction(session):
        session.flush()
        return
    session.commit()  # a no-op when nothing is open
    session.connection(execution_options={"sqlite_immediate": True})


def write_on_next_begin(session: Session) -> None:
    """End the session's read transaction; the next transaction begun in this context
    is a write one, as if :func:`begin_write` had started it.

    The HTTP layer calls this for every POST/PUT/PATCH/DELETE once the caller is
    authenticated, so the lock is taken by the handler's first statement (after its body
    is parsed and validated) and held until its commit.
    """
    session.commit()
    _write_next.set(True)


def begin_read(session: Session) -> None:
    """Say that the unit of work starting now reads first and may never write (sign-in
    hashes a password before it knows whether to record anything): it runs in a plain
    transaction, taking no lock, even inside a POST; a write that follows starts with
    :func:`begin_write`."""
    _write_next.set(False)
    if not in_write_transaction(session):
        return
    session.commit()


def take_write_next() -> bool:
    """Whether the transaction now beginning should be a write one (consumes the mark)."""
    pending = _write_next.get()
    if pending:
        _write_next.set(False)
    return pending


def clear_write_next() -> None:
    """Forget a pending :func:`write_on_next_begin` (the request is over)."""
    _write_next.set(False)


def rows_changed(session: Session, statement: Any) -> int:
    """Execute an UPDATE/DELETE and return how many rows it changed: the answer of a
    compare-and-set such as "take this team only if it is still available"."""
    result: CursorResult[Any] = session.execute(statement)  # type: ignore[assignment]
    return int(result.rowcount)
