"""Users, passwords, sign-in throttling, sessions and API tokens."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session, joinedload
from werkzeug.security import check_password_hash, generate_password_hash

from responder.errors import Conflict, DomainError, InvalidInput, NotFound
from responder.models import ApiToken, Jurisdiction, LoginFailure, User, utcnow
from responder.models.base import begin_read, begin_write
from responder.services import audit
from responder.services.actors import Actor
from responder.vocabulary import ROLES

MIN_PASSWORD = 8
TOKEN_TOUCH_S = 300
MAX_TOKEN_DAYS = 366


class TooManyAttempts(DomainError):
    """Too many failed sign-ins for this user name or address; wait ``retry_after_s``."""

    status = 429
    code = "too_many_attempts"

    def __init__(self, message: str, *, retry_after_s: int) -> None:
        super().__init__(message)
        self.retry_after_s = retry_after_s


@dataclass(frozen=True)
class Throttle:
    """Sign-in throttling: at most ``per_user`` failures per user name and ``per_address``
    per client address within ``window_s`` seconds."""

    per_user: int = 5
    per_address: int = 20
    window_s: int = 900


def actor_for(user: User) -> Actor:
    """The :class:`Actor` a signed-in user acts as."""
    path = user.jurisdiction.path if user.jurisdiction is not None else None
    return Actor(user_id=user.id, username=user.username, role=user.role, scope_path=path)


def create_user(
    session: Session,
    actor: Actor,
    *,
    username: str,
    password: str,
    role: str,
    jurisdiction_code: str | None = None,
    display_name: str = "",
) -> User:
    """Add a user; the password is stored only as a salted hash."""
    actor.require("users.manage")
    if role not in ROLES:
        raise InvalidInput(f"unknown role '{role}'; one of {', '.join(ROLES)}", field="role")
    if len(password) < MIN_PASSWORD:
        raise InvalidInput(f"password needs at least {MIN_PASSWORD} characters", field="password")
    if session.scalar(select(User.id).where(User.username == username)):
        raise Conflict(f"user '{username}' already exists", field="username")
    jurisdiction = None
    if jurisdiction_code:
        jurisdiction = session.scalar(
            select(Jurisdiction).where(Jurisdiction.code == jurisdiction_code)
        )
        if jurisdiction is None:
            raise InvalidInput(
                f"no jurisdiction with code {jurisdiction_code}", field="jurisdiction"
            )
        actor.require("users.manage", path=jurisdiction.path, what="that jurisdiction")
    user = User(
        username=username,
        display_name=display_name or username,
        password_hash=generate_password_hash(password),
        role=role,
        jurisdiction=jurisdiction,
    )
    session.add(user)
    session.flush()
    after = {"username": username, "role": role, "jurisdiction": jurisdiction_code}
    audit.record(session, actor, "create", "user", user.id, after=after)
    return user


@cache
def _dummy_hash() -> str:
    """A hash to check unknown user names against, so a miss costs what a hit costs."""
    return generate_password_hash(secrets.token_urlsafe(16))


def _failure_keys(username: str, address: str) -> tuple[str, str]:
    return f"user:{username.strip().lower()[:150]}", f"addr:{address[:150]}"


def check_throttle(
    session: Session, username: str, address: str, throttle: Throttle, *, now: datetime
) -> None:
    """Raise :class:`TooManyAttempts` when the user name or the address has failed too
    often in the window.  Read-only: checked before any password is hashed."""
    since = now - timedelta(seconds=throttle.window_s)
    user_key, address_key = _failure_keys(username, address)
    for key, limit in ((user_key, throttle.per_user), (address_key, throttle.per_address)):
        count, first = session.execute(
            select(func.count(LoginFailure.id), func.min(LoginFailure.at)).where(
                LoginFailure.key == key, LoginFailure.at > since
            )
        ).one()
        if count >= limit:
            wait = throttle.window_s - int((now - first).total_seconds()) if first else 60
            raise TooManyAttempts(
                "too many failed sign-ins; wait before trying again",
                retry_after_s=max(1, wait),
            )


def authenticate(
    session: Session,
    username: str,
    password: str,
    *,
    address: str = "",
    throttle: Throttle | None = None,
) -> User | None:
    """The active user with these credentials, or None.

    Every attempt costs one password hash, whether the user exists, is inactive or not
    (timing does not tell them apart).  With ``throttle``, an address or user name that
    failed too often is refused first (:class:`TooManyAttempts`, no hash), and a failure
    is recorded in its own short write after the hash (no lock is held while hashing).
    """
    begin_read(session)
    now = utcnow()
    if throttle is not None:
        check_throttle(session, username, address, throttle, now=now)
    user = session.scalar(select(User).where(User.username == username))
    ok = check_password_hash(user.password_hash if user else _dummy_hash(), password)
    user_key, address_key = _failure_keys(username, address)
    if user is not None and user.active and ok:
        if throttle is not None:  # a success clears the user name's failures
            begin_write(session)
            session.execute(delete(LoginFailure).where(LoginFailure.key == user_key))
            session.commit()
        return user
    if throttle is not None:
        begin_write(session)
        since = now - timedelta(seconds=throttle.window_s)
        session.execute(delete(LoginFailure).where(LoginFailure.at <= since))
        session.add_all([LoginFailure(key=user_key, at=now), LoginFailure(key=address_key, at=now)])
        session.commit()
    return None


def end_sessions(session: Session, user: User) -> None:
    """End every session of ``user`` on every app host (their cookies stop working):
    sign-out, deactivation."""
    session.execute(
        update(User)
        .where(User.id == user.id)
        .values(session_version=User.session_version + 1)
        .execution_options(synchronize_session=False)
    )
    session.expire(user, ["session_version"])


def user_for_session(session: Session, session_id: str) -> User | None:
    """The active user a session identity (``User.get_id``) still names, or None once
    that session was ended."""
    user_id, _, version = session_id.partition(".")
    if not (user_id.isdigit() and version.isdigit()):
        return None
    user = session.get(User, int(user_id))
    if user is None or not user.active or user.session_version != int(version):
        return None
    return user


def set_active(session: Session, actor: Actor, user: User, *, active: bool) -> User:
    """Activate or deactivate a user.  A deactivated user loses access at once: every
    session ends and every token is refused (tokens are kept, for the record)."""
    actor.require("users.manage")
    if user.jurisdiction is not None:
        actor.require("users.manage", path=user.jurisdiction.path, what="that user")
    if actor.user_id == user.id and not active:
        raise Conflict("you cannot deactivate yourself", field="active")
    before = {"active": user.active}
    user.active = active
    session.flush()
    if not active:
        end_sessions(session, user)
    audit.record(session, actor, "update", "user", user.id, before=before, after={"active": active})
    return user


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def issue_token(
    session: Session,
    actor: Actor,
    user: User,
    *,
    name: str = "",
    days: int | None = 90,
) -> str:
    """Create a bearer token for ``user`` valid for ``days`` (None: no expiry, for the
    command line only) and return its secret (shown only this once)."""
    if actor.user_id != user.id:
        actor.require("users.manage")
    if days is not None and not 1 <= days <= MAX_TOKEN_DAYS:
        raise InvalidInput(f"days must be between 1 and {MAX_TOKEN_DAYS}", field="days")
    secret = "rsp_" + secrets.token_urlsafe(32)
    expires = utcnow() + timedelta(days=days) if days is not None else None
    token = ApiToken(user_id=user.id, name=name, token_hash=_digest(secret), expires_at=expires)
    session.add(token)
    session.flush()
    after = {"token_id": token.id, "name": name, "expires_at": expires and expires.isoformat()}
    audit.record(session, actor, "issue_token", "user", user.id, after=after)
    return secret


def tokens_of(session: Session, user: User) -> list[ApiToken]:
    """A user's tokens, newest first (their secrets are not stored, so not shown)."""
    return list(
        session.scalars(
            select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.id.desc())
        )
    )


def revoke_token(session: Session, actor: Actor, token_id: int) -> ApiToken:
    """Revoke a token: its owner may, and so may a user manager."""
    token = session.get(ApiToken, token_id)
    if token is None or (token.user_id != actor.user_id and not actor.can("users.manage")):
        raise NotFound(f"token {token_id} not found")
    if token.revoked_at is not None:
        raise Conflict(f"token {token_id} was already revoked")
    token.revoked_at = utcnow()
    session.flush()
    audit.record(
        session, actor, "revoke_token", "user", token.user_id, after={"token_id": token.id}
    )
    return token


def token_for(session: Session, secret: str) -> ApiToken | None:
    """The usable token with this secret (not revoked, not expired, its user active),
    or None.  Read-only."""
    token = session.scalar(
        select(ApiToken)
        .options(joinedload(ApiToken.user))  # every caller needs the user: one query
        .where(ApiToken.token_hash == _digest(secret))
    )
    if token is None or token.revoked_at is not None or not token.user.active:
        return None
    if token.expires_at is not None and token.expires_at <= utcnow():
        return None
    return token


def needs_touch(token: ApiToken) -> bool:
    """Whether ``last_used_at`` is stale enough to be refreshed (coarsely, so the table
    is not written on every call)."""
    last = token.last_used_at
    return last is None or (utcnow() - last).total_seconds() > TOKEN_TOUCH_S


def touch_token(session: Session, token_id: int) -> None:
    """Record that a token was used now (a short write of its own)."""
    begin_write(session)
    session.execute(update(ApiToken).where(ApiToken.id == token_id).values(last_used_at=utcnow()))
