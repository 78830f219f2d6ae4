"""Domain errors raised by services and mapped to HTTP by one app-level handler.

Each carries a stable English ``code``, a human ``message`` and, where one input is at
fault, the ``field`` that names it (dotted path, e.g. ``location.lon`` or ``rows[3].name``).
"""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """Base of every error a service raises on purpose."""

    status = 400
    code = "bad_request"

    def __init__(
        self,
        message: str,
        *,
        field: str | None = None,
        details: Any = None,
        code: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.details = details
        if code:
            self.code = code


class InvalidInput(DomainError):
    """The input breaks a domain rule (range, enum, format, reference)."""

    status = 422
    code = "invalid"


class NotFound(DomainError):
    status = 404
    code = "not_found"


class Conflict(DomainError):
    """The request collides with the current state (duplicate, already taken, stale)."""

    status = 409
    code = "conflict"


class Unauthorized(DomainError):
    status = 401
    code = "unauthorized"


class Forbidden(DomainError):
    """Authenticated, but the role or the jurisdiction scope does not allow it."""

    status = 403
    code = "forbidden"


class Unprocessable(DomainError):
    """The input is well-formed but cannot be acted on (e.g. a point far from any road)."""

    status = 422
    code = "unprocessable"


class Unavailable(DomainError):
    """A part the request needs is not running (e.g. the road network is not loaded)."""

    status = 503
    code = "unavailable"
