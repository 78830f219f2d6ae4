"""Who is calling: bearer tokens for the API, sessions (Flask-Login) for pages.

Every request under ``/api/`` except the OpenAPI document needs a user; writes made with a
session cookie (the pages' own scripts) must carry the CSRF token, bearer calls need not.
"""

from __future__ import annotations

from flask import Flask, g, request
from flask_login import LoginManager, current_user
from flask_wtf.csrf import CSRFProtect

from responder.errors import Unauthorized
from responder.models import User, db
from responder.models.base import begin_write
from responder.services import accounts
from responder.services.actors import Actor

login_manager = LoginManager()
csrf = CSRFProtect()

PUBLIC_API_PATHS = ("/api/v1/openapi.json", "/api/v1/docs")
UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}


def current_actor() -> Actor:
    """The actor for this request; raises 401 when nobody is signed in."""
    actor: Actor | None = g.get("actor")
    if actor is None:
        raise Unauthorized("sign in or send 'Authorization: Bearer <token>'")
    return actor


def _bearer_user() -> User | None:
    header = request.headers.get("Authorization", "")
    if not header:
        return None
    scheme, _, secret = header.partition(" ")
    if scheme.lower() != "bearer" or not secret.strip():
        raise Unauthorized("Authorization header must be 'Bearer <token>'", field="Authorization")
    user = accounts.user_for_token(db.session, secret.strip(), touch=request.method in UNSAFE)
    if user is None:
        raise Unauthorized("the API token is unknown or revoked", field="Authorization")
    return user


def init_app(app: Flask) -> None:
    login_manager.init_app(app)
    login_manager.login_view = "pages.login"
    app.config.setdefault("WTF_CSRF_CHECK_DEFAULT", False)
    csrf.init_app(app)

    @login_manager.user_loader
    def _load(user_id: str) -> User | None:
        user = db.session.get(User, int(user_id))
        return user if user is not None and user.active else None

    @app.before_request
    def _identify() -> None:
        if request.method in UNSAFE:
            # A write request is one write transaction from its first read (BEGIN IMMEDIATE
            # on SQLite): concurrent writers queue on the lock instead of one failing with
            # "database is locked" when it upgrades a stale read snapshot.
            begin_write(db.session)
        bearer = _bearer_user() if request.path.startswith("/api/") else None
        user = bearer or (current_user if current_user.is_authenticated else None)
        g.actor = accounts.actor_for(user) if user is not None else None
        g.user = user
        anonymous_api = user is None and request.path.startswith("/api/")
        if (
            request.method in UNSAFE
            and bearer is None
            and not anonymous_api
            and app.config.get("WTF_CSRF_ENABLED", True)
        ):
            csrf.protect()  # an anonymous API call has no cookie to abuse: it gets the 401
        if (
            request.path.startswith("/api/")
            and g.actor is None
            and not request.path.startswith(PUBLIC_API_PATHS)
        ):
            raise Unauthorized("sign in or send 'Authorization: Bearer <token>'")
