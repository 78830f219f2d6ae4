"""responder: emergency response resource and plan coordination service.

Use :func:`create_app`; nothing is built at import time (only ``wsgi.py`` makes the app).
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask
from flask_migrate import Migrate
from sqlalchemy import event
from sqlalchemy.engine import Engine

from responder import commands, http, localization
from responder.models import db
from responder.rules import load_rules
from responder.settings import REPO_ROOT, load_settings

MIGRATIONS_DIR = REPO_ROOT / "plans_db" / "migrations"
migrate = Migrate()


def create_app(test_config: Mapping[str, Any] | None = None) -> Flask:
    """Build the app from settings (defaults, ``RESPONDER_*`` environment, ``test_config``)."""
    app = Flask(__name__)
    app.config.update(load_settings())
    if test_config:
        app.config.update(test_config)
    app.config["SECRET_KEY"] = app.config["SECRET_KEY"] or secrets.token_hex(32)
    app.config["SQLALCHEMY_DATABASE_URI"] = app.config["DATABASE_URL"]
    app.config["MAX_CONTENT_LENGTH"] = int(app.config["MAX_UPLOAD_MB"]) * 1024 * 1024
    app.config["JSON_SORT_KEYS"] = False
    app.extensions["responder.rules"] = load_rules(app.config.get("RULES_FILE"))
    _ensure_sqlite_folder(app.config["DATABASE_URL"])

    db.init_app(app)
    migrate.init_app(app, db, directory=str(MIGRATIONS_DIR), render_as_batch=True)
    localization.init_app(app)
    http.init_app(app)
    commands.init_app(app)
    return app


def _ensure_sqlite_folder(url: str) -> None:
    if url.startswith("sqlite:///") and not url.startswith("sqlite:///:memory:"):
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    """SQLite: WAL so readers never wait for the writer, enforced foreign keys, and a busy
    timeout so concurrent writers queue instead of failing."""
    if type(dbapi_connection).__module__ != "sqlite3":
        return
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()
