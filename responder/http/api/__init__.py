"""The JSON API under ``/api/v1``, documented as OpenAPI 3 at ``/api/v1/openapi.json``.

flask-smorest (marshmallow schemas) is used because one schema both validates requests
(naming the offending field) and generates the OpenAPI document, so the two cannot drift.
"""

from __future__ import annotations

from typing import Any

from apispec.ext.marshmallow import MarshmallowPlugin
from flask import Flask, Response, current_app, json
from flask_smorest import Api

from responder.http.api import (
    accounts,
    audit,
    coverage,
    depots,
    dispatch,
    drills,
    enterprises,
    experts,
    exports,
    filing,
    imports,
    jurisdictions,
    materials,
    matrix,
    openapi,
    plans,
    roads,
    sheets,
    teams,
)


class ResponderApi(Api):
    """smorest's Api, minus its own error handler (:mod:`responder.http.errors` owns
    errors), documenting our error body and each operation's real statuses
    (:mod:`responder.http.api.openapi`)."""

    ERROR_SCHEMA = openapi.Error
    DEFAULT_ERROR_RESPONSE_NAME = None

    def _register_error_handlers(self) -> None:
        pass

    def document(self) -> dict[str, Any]:
        """The OpenAPI document as served."""
        return openapi.finish(self.spec.to_dict())

    def _openapi_json(self) -> Response:
        return current_app.response_class(
            json.dumps(self.document(), indent=2, sort_keys=False), mimetype="application/json"
        )


BLUEPRINTS = [
    accounts.blp,
    jurisdictions.blp,
    teams.blp,
    depots.blp,
    materials.blp,
    experts.blp,
    enterprises.blp,
    imports.blp,
    exports.blp,
    audit.blp,
    dispatch.blp,
    matrix.blp,
    roads.blp,
    plans.blp,
    filing.blp,
    drills.blp,
    coverage.blp,
]


def _schema_name(schema: Any) -> str:
    """OpenAPI component names; partial (PATCH) variants get their own name."""
    cls = schema if isinstance(schema, type) else type(schema)
    name = cls.__name__.removesuffix("Schema")
    return f"{name}Patch" if getattr(schema, "partial", False) else name


def init_app(app: Flask) -> None:
    app.config.update(
        API_TITLE="responder",
        API_VERSION="v1",
        OPENAPI_VERSION="3.0.3",
        OPENAPI_URL_PREFIX="/api/v1",
        OPENAPI_JSON_PATH="openapi.json",
        # Interactive docs, served from our own static files (no CDN): /api/v1/docs
        OPENAPI_SWAGGER_UI_PATH="docs",
        OPENAPI_SWAGGER_UI_URL="/static/vendor/swagger-ui/",
        OPENAPI_SWAGGER_UI_CONFIG={"persistAuthorization": True},
    )
    plugin = MarshmallowPlugin(schema_name_resolver=_schema_name)
    api = ResponderApi(
        app, spec_kwargs={"marshmallow_plugin": plugin, "security": [{"bearer": []}]}
    )
    api.spec.components.security_scheme("bearer", {"type": "http", "scheme": "bearer"})
    plugin.converter.add_attribute_function(  # type: ignore[union-attr]
        openapi.make_nullable_attribute(openapi.nullable_columns())
    )
    for blueprint in BLUEPRINTS:
        api.register_blueprint(blueprint)
    sheets.init_app(app)
