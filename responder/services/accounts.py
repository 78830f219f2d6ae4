"""Users, passwords and API tokens."""

from __future__ import annotations

import hashlib
import secrets

from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from responder.errors import Conflict, InvalidInput
from responder.models import ApiToken, Jurisdiction, User, utcnow
from responder.services import audit
from responder.services.actors import Actor
from responder.vocabulary import ROLES

MIN_PASSWORD = 8
TOKEN_TOUCH_S = 300


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


def authenticate(session: Session, username: str, password: str) -> User | None:
    """The active user with these credentials, or None."""
    user = session.scalar(select(User).where(User.username == username))
    if user is None or not user.active or not check_password_hash(user.password_hash, password):
        return None
    return user


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def issue_token(session: Session, actor: Actor, user: User, *, name: str = "") -> str:
    """Create a bearer token for ``user`` and return its secret (shown only this once)."""
    if actor.user_id != user.id:
        actor.require("users.manage")
    secret = "rsp_" + secrets.token_urlsafe(32)
    token = ApiToken(user_id=user.id, name=name, token_hash=_digest(secret))
    session.add(token)
    session.flush()
    audit.record(
        session, actor, "issue_token", "user", user.id, after={"token_id": token.id, "name": name}
    )
    return secret


def user_for_token(session: Session, secret: str, *, touch: bool = False) -> User | None:
    """The active user owning a non-revoked token, or None.

    With ``touch`` (write requests only, so reads never become writes) the token's
    ``last_used_at`` is refreshed, coarsely.
    """
    token = session.scalar(select(ApiToken).where(ApiToken.token_hash == _digest(secret)))
    if token is None or token.revoked_at is not None or not token.user.active:
        return None
    now = utcnow()
    last = token.last_used_at
    if touch and (last is None or (now - last).total_seconds() > TOKEN_TOUCH_S):
        token.last_used_at = now
    return token.user
