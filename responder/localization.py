"""UI language: Simplified Chinese by default, English on request (``?lang=en``, kept in
the session).  API codes and messages stay English."""

from __future__ import annotations

from flask import Flask, current_app, request, session
from flask_babel import Babel

SUPPORTED = ("zh_Hans_CN", "en")
babel = Babel()


def select_locale() -> str:
    wanted = request.args.get("lang")
    if wanted in SUPPORTED:
        session["lang"] = wanted
    chosen = session.get("lang")
    return chosen if chosen in SUPPORTED else current_app.config["DEFAULT_LOCALE"]


def init_app(app: Flask) -> None:
    babel.init_app(
        app,
        locale_selector=select_locale,
        default_translation_directories=str(app.root_path + "/translations"),
    )
