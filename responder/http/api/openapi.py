"""Make the OpenAPI document tell the truth, in one place rather than in every endpoint.

* Errors are documented as the body :mod:`responder.http.errors` really sends,
  ``{"error": {"code", "message", "field"}}`` (``Error``), not smorest's default.
* Each operation lists the error statuses it can answer, by kind of operation, instead of
  a catch-all ``default``: every call can be refused 401 (no or a bad token), 403 (role or
  jurisdiction), 404 (an id, or nothing at a point) and 503 (the database busy, the road
  network not loaded); reads with query parameters 422 (a bad query); writes also 400
  (unreadable JSON), 409 (a conflict with the current state), 413 (a body over the upload
  limit), 415 (a body of the wrong media type) and 422.
* A response field is marked ``nullable`` when the database column of that name may hold
  NULL (``retired_at``, ``verified_at``, ``closed_at``, a user's ``jurisdiction_id``...), so
  the document says what the API sends.
"""

from __future__ import annotations

import copy
from http import HTTPStatus
from typing import Any

from marshmallow import Schema, fields

from responder.models import Base

READ_ERRORS = (401, 403, 404, 503)
WRITE_ERRORS = (400, 401, 403, 404, 409, 413, 415, 422, 503)
METHODS = ("get", "post", "put", "patch", "delete")


class ErrorDetail(Schema):
    code = fields.String(required=True, metadata={"description": "stable English code"})
    message = fields.String(required=True)
    field = fields.String(
        required=True, allow_none=True, metadata={"description": "the input at fault"}
    )
    details = fields.Raw(allow_none=True, metadata={"description": "per-field or per-row"})


class Error(Schema):
    """The one error body of the API."""

    error = fields.Nested(ErrorDetail, required=True)


def nullable_columns() -> frozenset[str]:
    """Names of the columns that may hold NULL in some table."""
    return frozenset(
        column.name
        for table in Base.metadata.tables.values()
        for column in table.columns
        if column.nullable
    )


def make_nullable_attribute(names: frozenset[str]) -> Any:
    """An apispec attribute function marking fields named like a nullable column."""

    def nullable_column(_converter: Any, field: fields.Field, ret: dict[str, Any]) -> dict:
        name = field.attribute or field.name
        if name in names and not isinstance(field, fields.List | fields.Nested):
            return {"nullable": True}
        return {}

    return nullable_column


def _error_response(status: int) -> dict[str, Any]:
    response: dict[str, Any] = {
        "description": HTTPStatus(status).phrase,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
    }
    if status == 503:
        response["headers"] = {
            "Retry-After": {
                "description": "seconds to wait before trying again (when busy)",
                "schema": {"type": "integer"},
            }
        }
    return response


def error_statuses(method: str, operation: dict[str, Any]) -> list[int]:
    """The error statuses an operation can answer (see the module docstring)."""
    if method != "get":
        return list(WRITE_ERRORS)
    statuses = set(READ_ERRORS)
    if operation.get("parameters"):
        statuses.add(422)
    return sorted(statuses)


def finish(document: dict[str, Any]) -> dict[str, Any]:
    """The generated document with its error responses made true (a new dict)."""
    document = copy.deepcopy(document)
    components = document.setdefault("components", {}).setdefault("responses", {})
    for path, item in document.get("paths", {}).items():
        public = path.endswith(("/openapi.json", "/docs"))
        for method in METHODS:
            operation = item.get(method)
            if operation is None:
                continue
            responses = operation.setdefault("responses", {})
            responses.pop("default", None)
            if public:
                continue
            for status in error_statuses(method, operation):
                name = HTTPStatus(status).name
                components.setdefault(name, _error_response(status))
                responses.setdefault(str(status), {"$ref": f"#/components/responses/{name}"})
    return document
