"""responder: emergency response resource and plan coordination service.

Use :func:`create_app`; nothing is built at import time (only ``wsgi.py`` makes the app).
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask, current_app
from flask_migrate import Migrate
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from responder import commands, http, localization
from responder.models import db, quantity
from responder.models.base import WRITE_TXN, take_write_next
from responder.routing import CacheError, RoadNetwork
from responder.routing.names import RoadNames, ensure_road_names
from responder.rules import load_rules
from responder.services import plan_coverage
from responder.services.workdays import log_calendar_warnings, today_in
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
    app.config.setdefault("SQLALCHEMY_ENGINE_OPTIONS", _engine_options(app.config))
    app.config["MAX_CONTENT_LENGTH"] = int(app.config["MAX_UPLOAD_MB"]) * 1024 * 1024
    app.config["JSON_SORT_KEYS"] = False
    # JSON columns (audit entries, proposals) may hold decimal stock quantities.
    app.config.setdefault("SQLALCHEMY_ENGINE_OPTIONS", {})["json_serializer"] = quantity.dumps
    app.extensions["responder.rules"] = load_rules(app.config.get("RULES_FILE"))
    _ensure_sqlite_folder(app.config["DATABASE_URL"])

    app.extensions["responder.roads"] = _load_roads(app) if app.config["LOAD_ROADS"] else None
    app.extensions["responder.road_names"] = _load_road_names(app)

    db.init_app(app)
    migrate.init_app(app, db, directory=str(MIGRATIONS_DIR), render_as_batch=True)
    localization.init_app(app)
    http.init_app(app)
    commands.init_app(app)
    plan_coverage.keep_current(Session, _counted_plan_types)
    log_calendar_warnings(app.extensions["responder.rules"], today_in(app.config["TIMEZONE"]))
    return app


def _engine_options(config: Mapping[str, Any]) -> dict[str, Any]:
    """Bound how long a request waits for a lock: SQLite's busy timeout, PostgreSQL's
    ``lock_timeout``.  Past it the request is answered 503 with ``Retry-After``."""
    wait_s = float(config["DB_LOCK_WAIT_S"])
    url = str(config["DATABASE_URL"])
    if url.startswith("sqlite"):
        return {"connect_args": {"timeout": wait_s}}
    if url.startswith("postgresql"):
        return {"connect_args": {"options": f"-c lock_timeout={int(wait_s * 1000)}"}}
    return {}


def _counted_plan_types(_session: Session) -> frozenset[str]:
    """The plan types the app in context counts towards filing rates (for the derived
    plan-coverage spans, rewritten on every flush that touches a plan)."""
    return current_app.extensions["responder.rules"].counted_plan_types


def _load_roads(app: Flask) -> RoadNetwork | None:
    """Load the region's compiled road network once per process (memory-mapped, so
    gunicorn workers share its pages).  It is never built during a request: compile it
    with ``flask --app wsgi roads import``."""
    cache_dir = Path(app.config["MAPS_DIR"]) / "cache" / app.config["REGION"]
    try:
        network = RoadNetwork.load(cache_dir)
    except (CacheError, OSError) as error:
        app.logger.warning(
            "road network '%s' is not loaded (%s); dispatch needs it: run "
            "`flask --app wsgi roads import maps/demo/hangzhou_core.osm.bz2 --region %s`",
            app.config["REGION"],
            error,
            app.config["REGION"],
        )
        return None
    app.logger.info(
        "road network %s: %d nodes, %d edges, %s back end",
        network.version,
        network.node_count,
        network.edge_count,
        network.backend,
    )
    if app.config["WARM_ROADS"] and (seconds := network.warm()):
        app.logger.info("contraction hierarchy built in %.1f s", seconds)
    return network


def _load_road_names(app: Flask) -> RoadNames | None:
    """The street names of the loaded road network (None without one).  A cache compiled
    before names were kept gets its ``road_names.json`` from the source file under
    MAPS_DIR once, here at start-up, never during a request."""
    if app.extensions["responder.roads"] is None:
        return None
    maps_dir = Path(app.config["MAPS_DIR"])
    try:
        return ensure_road_names(maps_dir / "cache" / app.config["REGION"], search_dirs=[maps_dir])
    except (CacheError, OSError, ValueError) as error:
        app.logger.warning("street names are not loaded (%s); the place search skips them", error)
        return None


def _ensure_sqlite_folder(url: str) -> None:
    if url.startswith("sqlite:///") and not url.startswith("sqlite:///:memory:"):
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    """SQLite: WAL so readers never wait for the writer, enforced foreign keys, and a busy
    timeout (``DB_LOCK_WAIT_S``, see :func:`_engine_options`) so concurrent writers queue
    instead of failing.  The driver's own implicit
    BEGIN is switched off so :func:`_sqlite_begin` decides how transactions start."""
    if type(dbapi_connection).__module__ != "sqlite3":
        return
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.close()


@event.listens_for(Engine, "begin")
def _sqlite_begin(connection: Any) -> None:
    """Start transactions the way the write policy asks (see
    :func:`responder.models.base.begin_write`): ``BEGIN IMMEDIATE`` on SQLite for write
    units of work, so two writers queue on the lock instead of one failing when it
    upgrades a read snapshot.  The connection remembers whether it holds a write one."""
    immediate = bool(connection.get_execution_options().get("sqlite_immediate", False))
    immediate = take_write_next() or immediate
    connection.info[WRITE_TXN] = immediate
    if connection.dialect.name != "sqlite":
        return
    connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")
