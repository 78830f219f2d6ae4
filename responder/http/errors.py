"""One JSON error shape for the whole API: ``{"error": {"code", "message", "field"}}``."""

from __future__ import annotations

from typing import Any

from flask import Flask, Response, jsonify, request
from sqlalchemy.exc import DataError, OperationalError
from werkzeug.exceptions import HTTPException

from responder.errors import DomainError
from responder.models import db

API_PREFIX = "/api/"

#: Seconds a client is told to wait when the database is busy.
RETRY_AFTER_S = 2
#: PostgreSQL SQLSTATEs meaning "busy, try again": lock_timeout, serialization failure,
#: deadlock, statement_timeout.
_PG_BUSY = {"55P03", "40001", "40P01", "57014"}
_SQLITE_BUSY = ("database is locked", "database is busy", "database table is locked")


def is_busy(error: OperationalError) -> bool:
    """True when the database refused for contention (a lock not had in time), not for a
    fault: the request may simply be repeated."""
    original = error.orig
    if getattr(original, "sqlstate", None) in _PG_BUSY:
        return True
    return type(original).__module__ == "sqlite3" and str(original).startswith(_SQLITE_BUSY)


def error_response(
    status: int, code: str, message: str, field: str | None = None, details: Any = None
) -> tuple[Response, int]:
    """The API's single error helper."""
    body: dict[str, Any] = {"code": code, "message": message, "field": field}
    if details is not None:
        body["details"] = details
    return jsonify(error=body), status


def _first_field(messages: Any, prefix: str = "") -> tuple[str | None, str]:
    """Find the first offending field in a webargs/marshmallow messages mapping."""
    if isinstance(messages, dict):
        for key, value in messages.items():
            if key in {"json", "query", "form", "files", "headers", "view_args"}:
                return _first_field(value, prefix)
            name = f"{prefix}.{key}" if prefix else str(key)
            if key == "_schema":
                name = prefix or None  # type: ignore[assignment]
            inner_field, text = _first_field(value, name or "")
            return inner_field or name, text
    if isinstance(messages, list) and messages:
        if all(isinstance(m, str) for m in messages):
            return (prefix or None), "; ".join(messages)
        return _first_field(messages[0], prefix)
    return (prefix or None), str(messages)


def http_exception_body(error: HTTPException) -> tuple[Response, int]:
    """Turn a werkzeug/smorest HTTP error into the JSON shape."""
    status = error.code or 500
    data = getattr(error, "data", None) or {}
    messages = data.get("messages") if isinstance(data, dict) else None
    if messages:
        field, text = _first_field(messages)
        return error_response(
            status, "invalid", f"{field}: {text}" if field else text, field, details=messages
        )
    code = (error.name or "error").lower().replace(" ", "_")
    message = data.get("message") if isinstance(data, dict) and data.get("message") else None
    return error_response(status, code, message or error.description or error.name, None)


def wants_json() -> bool:
    return (
        request.path.startswith(API_PREFIX) or request.accept_mimetypes.best == "application/json"
    )


def init_app(app: Flask) -> None:
    """Domain errors become JSON anywhere; HTTP errors become JSON under /api."""

    @app.errorhandler(DomainError)
    def _domain(error: DomainError) -> Any:
        db.session.rollback()
        if not wants_json():
            from responder.http.pages.errors import render_error

            return render_error(error.status, error.message, error.field)
        return error_response(error.status, error.code, error.message, error.field, error.details)

    @app.errorhandler(HTTPException)
    def _http(error: HTTPException) -> Any:
        if not wants_json():
            return error
        return http_exception_body(error)

    @app.errorhandler(OverflowError)
    @app.errorhandler(DataError)
    def _overflow(error: Exception) -> Any:
        # A well-formed value the database cannot hold (an id of 1e300: OverflowError on
        # SQLite, DataError "out of range" on PostgreSQL): the request is wrong, not the
        # server; schemas cannot all know every column's width.
        db.session.rollback()
        message = "a number in the request is too large to be a valid value"
        if not wants_json():
            from responder.http.pages.errors import render_error

            return render_error(422, message)
        return error_response(422, "out_of_range", message)

    @app.errorhandler(OperationalError)
    def _busy(error: OperationalError) -> Any:
        db.session.rollback()
        if not is_busy(error):
            return _unexpected(error)
        app.logger.warning("database busy: %s %s answered 503", request.method, request.path)
        message = "the database is busy; nothing was changed, try again shortly"
        if not wants_json():
            from responder.http.pages.errors import render_error

            page, status = render_error(503, message)
            return page, status, {"Retry-After": str(RETRY_AFTER_S)}
        response, status = error_response(503, "busy", message)
        response.headers["Retry-After"] = str(RETRY_AFTER_S)
        return response, status

    @app.errorhandler(Exception)
    def _unexpected(error: Exception) -> Any:
        db.session.rollback()
        app.logger.exception("unhandled error")
        if not wants_json():
            from responder.http.pages.errors import render_error

            return render_error(500, "internal error; it has been logged")
        return error_response(500, "internal", "internal error; it has been logged")
