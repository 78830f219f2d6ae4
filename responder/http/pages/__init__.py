"""HTML pages: sign-in, the registry, dispatch console, filing dashboard, drills."""

from __future__ import annotations

from flask import Flask

from responder.http.pages import auth_pages


def init_app(app: Flask) -> None:
    app.register_blueprint(auth_pages.bp)
