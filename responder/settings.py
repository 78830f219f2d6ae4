"""All settings in one place: documented defaults, ``RESPONDER_*`` environment overrides.

Settings are read once by :func:`responder.create_app`; nothing changes them after start-up.
Each entry below is ``NAME: (default, parser, description)``.  The environment variable
``RESPONDER_<NAME>`` overrides the default; a ``test_config`` mapping passed to
``create_app`` overrides both.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent


def _path(value: str) -> Path:
    return Path(value).expanduser().resolve()


def _bool(value: str) -> bool:
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _optional(value: str) -> str | None:
    return value or None


SETTINGS: dict[str, tuple[Any, Callable[[str], Any], str]] = {
    "DATABASE_URL": (
        f"sqlite:///{REPO_ROOT / 'plans_db' / 'responder.sqlite'}",
        str,
        "SQLAlchemy URL. SQLite by default; postgresql+psycopg://user:pw@host/db works too.",
    ),
    "SECRET_KEY": (
        None,
        _optional,
        "Signs sessions and CSRF tokens. Unset: a random key is made per start "
        "(sessions then end on restart); set it in production.",
    ),
    "MAX_UPLOAD_MB": (16, int, "Largest accepted request body (uploads included), in MiB."),
    "IMPORT_MAX_ROWS": (10_000, int, "Most data rows in one imported CSV/XLSX file."),
    "IMPORT_MAX_COLUMNS": (64, int, "Most columns holding a value in one imported file."),
    "IMPORT_MAX_UNCOMPRESSED_MB": (
        16.0,
        float,
        "Largest imported XLSX once unpacked (all its ZIP members), in MiB.",
    ),
    "IMPORT_MAX_SECONDS": (10.0, float, "Longest time spent reading one imported file."),
    "JSON_MAX_DEPTH": (32, int, "Deepest nesting of arrays/objects accepted in a JSON body."),
    "TILE_URL": (
        None,
        _optional,
        "Base-map tile URL template for Folium maps; unset: our own road layer is the base map.",
    ),
    "TILE_ATTRIBUTION": ("© OpenStreetMap contributors", str, "Attribution for TILE_URL."),
    "MAPS_DIR": (REPO_ROOT / "maps", _path, "Road-network data and compiled caches."),
    "REGION": ("demo", str, "Road region to load from MAPS_DIR at start-up."),
    "LOAD_ROADS": (True, _bool, "Load the road network at start-up (off for registry-only use)."),
    "WARM_ROADS": (
        False,
        _bool,
        "Build a large road network's contraction hierarchy at start-up, not on the first "
        "query (with gunicorn --preload the workers then share one copy).",
    ),
    "SPEED_TABLE": (None, _optional, "JSON file overriding the default speeds by highway class."),
    "SNAP_MAX_M": (2000.0, float, "Points farther than this from any road are rejected."),
    "DOCUMENTS_DIR": (
        REPO_ROOT / "plans_db" / "documents",
        _path,
        "Where uploaded plan documents are stored, by content hash.",
    ),
    "MAX_DOCUMENT_MB": (
        10.0,
        float,
        "Largest accepted plan document (PDF, DOCX, PNG, JPEG), in MiB (fractions allowed).",
    ),
    "TIMEZONE": (
        "Asia/Shanghai",
        str,
        "Local time zone: decides which calendar day 'today' is for filing dates and due dates.",
    ),
    "DEFAULT_LOCALE": ("zh_Hans_CN", str, "UI language by default; 'en' is the alternative."),
    "PAGE_SIZE": (50, int, "Default page size of list endpoints."),
    "MAX_PAGE_SIZE": (500, int, "Largest page size a client may ask for."),
    "RULES_FILE": (None, _optional, "TOML file overriding responder/rules.toml (domain defaults)."),
    "DB_LOCK_WAIT_S": (
        5.0,
        float,
        "Longest a write waits for the database lock (SQLite busy timeout, PostgreSQL "
        "lock_timeout) before it is answered 503 with Retry-After.",
    ),
    "LOGIN_FAILURES_PER_USER": (5, int, "Failed sign-ins per user name per window."),
    "LOGIN_FAILURES_PER_ADDRESS": (20, int, "Failed sign-ins per client address per window."),
    "LOGIN_WINDOW_S": (900, int, "The login-throttling window, in seconds."),
    "TOKEN_DAYS": (90, int, "Default lifetime of a new API token, in days."),
    "SESSION_COOKIE_SECURE": (
        False,
        _bool,
        "Send the session cookie over HTTPS only; set it when served behind TLS.",
    ),
    "HAZARD_RADIUS_M": (2000.0, float, "Radius for major hazard sources near an incident."),
}


def load_settings(environ: Mapping[str, str] | None = None) -> dict[str, Any]:
    """Return the settings as a flat dict, applying ``RESPONDER_*`` overrides from ``environ``."""
    environ = os.environ if environ is None else environ
    values: dict[str, Any] = {}
    for name, (default, parse, _doc) in SETTINGS.items():
        raw = environ.get(f"RESPONDER_{name}")
        values[name] = default if raw is None else parse(raw)
    return values


def describe() -> str:
    """A plain-text table of every setting, its default and meaning (for the README and CLI)."""
    lines = []
    for name, (default, _parse, doc) in SETTINGS.items():
        shown = str(default).replace(str(REPO_ROOT), "<repo>") if default is not None else "unset"
        lines.append(f"RESPONDER_{name} (default {shown}): {doc}")
    return "\n".join(lines)
