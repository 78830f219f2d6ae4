"""The HTTP layer: JSON API blueprints, HTML pages, authentication and error mapping."""

from __future__ import annotations

from flask import Flask

from responder.http import api, auth, errors, json_numbers, pages, security


def init_app(app: Flask) -> None:
    json_numbers.init_app(app)
    errors.init_app(app)
    security.init_app(app)
    auth.init_app(app)
    api.init_app(app)
    pages.init_app(app)
