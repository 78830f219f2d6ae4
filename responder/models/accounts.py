"""Users, their roles and jurisdiction scope, and API tokens."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from responder.models.base import Base, utcnow
from responder.models.geography import Jurisdiction


class User(Base):
    """A person who signs in.  ``jurisdiction`` bounds what they may change; none = all."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(100), default="")
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(20))
    jurisdiction_id: Mapped[int | None] = mapped_column(ForeignKey("jurisdictions.id"))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: Part of every session cookie's identity; raising it (sign-out, deactivation, a new
    #: password) ends every session of this user at once, on every app host.
    session_version: Mapped[int] = mapped_column(default=0, server_default="0")

    jurisdiction: Mapped[Jurisdiction | None] = relationship()

    # Flask-Login protocol (kept here so the HTTP layer needs no wrapper class).
    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        """The session identity: ``"<id>.<session_version>"`` (see ``session_version``)."""
        return f"{self.id}.{self.session_version}"


class ApiToken(Base):
    """A bearer token; only its SHA-256 is stored, the secret is shown once at issue.

    It is refused after ``expires_at`` (none: never), once revoked, or when its user is
    deactivated."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    name: Mapped[str] = mapped_column(String(100), default="")
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column()
    revoked_at: Mapped[datetime | None] = mapped_column()
    expires_at: Mapped[datetime | None] = mapped_column()

    user: Mapped[User] = relationship()


class LoginFailure(Base):
    """One failed sign-in, counted per user name and per client address to throttle
    guessing.  Kept in the database so every app host sees the same counts."""

    __tablename__ = "login_failures"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(200), index=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
