"""UI language: Simplified Chinese by default, English on request (``?lang=en``, kept in
the session).  API codes and messages stay English.

Page text is written in Chinese (the source language, so Chinese needs no catalogue); the
English catalogue is ``responder/translations/en/LC_MESSAGES/messages.po``.  Its compiled
``.mo`` is git-ignored: ``scripts/install.sh`` compiles it, and :func:`ensure_compiled`
does so at start-up when it is missing or older than the ``.po`` (a few milliseconds).
"""

from __future__ import annotations

import logging
import os
import tempfile
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask import Flask, current_app, request, session
from flask_babel import Babel, get_locale, refresh

SUPPORTED = ("zh_Hans_CN", "en")
LANGUAGE_NAMES = {"zh_Hans_CN": "中文", "en": "English"}
babel = Babel()
log = logging.getLogger(__name__)


def select_locale() -> str:
    wanted = request.args.get("lang")
    if wanted in SUPPORTED:
        session["lang"] = wanted
    chosen = session.get("lang")
    return chosen if chosen in SUPPORTED else current_app.config["DEFAULT_LOCALE"]


def current_language() -> str:
    """'en' or 'zh' for the request being served (vocabulary labels use this)."""
    locale = get_locale()
    return "en" if locale is not None and locale.language == "en" else "zh"


def ensure_compiled(translations: Path) -> list[Path]:
    """Compile every ``.po`` under ``translations`` whose ``.mo`` is missing or stale.

    Writes atomically (several workers may start at once).  A read-only install is left as
    it is, with a warning: pages then fall back to Chinese.  Returns the files written.
    """
    written = []
    for po_path in sorted(translations.glob("*/LC_MESSAGES/*.po")):
        mo_path = po_path.with_suffix(".mo")
        if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        try:
            with po_path.open("rb") as po_file:
                catalog = read_po(po_file)
            fd, tmp = tempfile.mkstemp(dir=po_path.parent, suffix=".mo.tmp")
            with os.fdopen(fd, "wb") as mo_file:
                write_mo(mo_file, catalog, use_fuzzy=False)
            os.chmod(tmp, 0o644)
            os.replace(tmp, mo_path)
            written.append(mo_path)
        except OSError as exc:
            log.warning("cannot compile %s (%s); run scripts/install.sh", po_path, exc)
    return written


def init_app(app: Flask) -> None:
    translations = Path(app.root_path) / "translations"
    ensure_compiled(translations)
    babel.init_app(
        app,
        locale_selector=select_locale,
        default_translation_directories=str(translations),
    )
    # Flask-Babel caches the locale on the app context, which outlives one request when a
    # context is already pushed (CLI, tests): choose again for every request.
    app.before_request(refresh)
