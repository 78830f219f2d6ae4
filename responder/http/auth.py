"""Who is calling: bearer tokens for the API, sessions (Flask-Login) for pages.

Every request under ``/api/`` except the OpenAPI document needs a user; writes made with a
session cookie (the pages' own scripts) must carry the CSRF token, bearer calls need not.

This is also where the write policy starts (:func:`responder.models.base.begin_write`): the
caller is identified in a read transaction, which is then ended; a POST/PUT/PATCH/DELETE
takes the write lock only with its handler's first statement, after its body was parsed
and validated, and keeps it until the handler commits.
"""

from __future__ import annotations

from typing import Any

from flask import Flask, Response, g, request
from flask_login import LoginManager, current_user
from flask_wtf.csrf import CSRFProtect
from sqlalchemy.exc import OperationalError

from responder.errors import Unauthorized
from responder.models import User, db
from responder.models.base import clear_write_next, write_on_next_begin
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
    token = accounts.token_for(db.session, secret.strip())
    if token is None:
        raise Unauthorized("the API token is unknown, expired or revoked", field="Authorization")
    if request.method in UNSAFE and accounts.needs_touch(token):
        g.touch_token_id = token.id  # refreshed after the response, in a write of its own
    return token.user


def throttle_settings(app: Flask) -> accounts.Throttle:
    """Sign-in throttling as configured."""
    return accounts.Throttle(
        per_user=int(app.config["LOGIN_FAILURES_PER_USER"]),
        per_address=int(app.config["LOGIN_FAILURES_PER_ADDRESS"]),
        window_s=int(app.config["LOGIN_WINDOW_S"]),
    )


def init_app(app: Flask) -> None:
    login_manager.init_app(app)
    login_manager.login_view = "pages.login"
    app.config.setdefault("WTF_CSRF_CHECK_DEFAULT", False)
    # The session cookie is not sent on cross-site subrequests or form posts; Secure is a
    # setting (RESPONDER_SESSION_COOKIE_SECURE) because the demo is served over plain HTTP.
    if app.config.get("SESSION_COOKIE_SAMESITE") is None:  # Flask's default is unset
        app.config["SESSION_COOKIE_SAMESITE"] = "Lax"
    app.config["REMEMBER_COOKIE_SAMESITE"] = app.config["SESSION_COOKIE_SAMESITE"]
    app.config["REMEMBER_COOKIE_SECURE"] = app.config["SESSION_COOKIE_SECURE"]
    csrf.init_app(app)

    @login_manager.user_loader
    def _load(session_id: str) -> User | None:
        return accounts.user_for_session(db.session, session_id)

    @app.before_request
    def _identify() -> None:
        # Identify afresh on every request, even when an app context outlives requests
        # (tests, CLI): a user deactivated or signed out a moment ago is not remembered.
        g.pop("_login_user", None)
        g.touch_token_id = None
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
        if request.method in UNSAFE:
            write_on_next_begin(db.session)

    @app.after_request
    def _touch(response: Response) -> Response:
        token_id = g.get("touch_token_id")
        if token_id is not None and response.status_code < 400:
            try:
                accounts.touch_token(db.session, token_id)
                db.session.commit()
            except OperationalError:  # bookkeeping only: never fail the answered request
                db.session.rollback()
                app.logger.warning("could not record the use of token %s", token_id)
        return response

    @app.teardown_request
    def _forget_write(_error: Any) -> None:
        clear_write_next()
