"""Route factory for registry resources: list, create, read, update, retire, verify.

Each handler is thin: parsed input goes to :mod:`responder.services.registry`, the
transaction commits here, and the record is dumped by the resource's schema.
"""

from __future__ import annotations

from typing import Any

from flask import url_for
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema

from responder.http.api.common import list_query, page_body, page_schema
from responder.http.auth import current_actor
from responder.models import db
from responder.services import registry
from responder.services.registry import ResourceKind


def add_crud_routes(
    blp: Blueprint,
    kind: ResourceKind,
    *,
    schema: type[Schema],
    args: type[Schema],
    url: str,
) -> None:
    """Register the standard routes for ``kind`` under ``url`` (e.g. ``/teams``).

    ``schema`` validates creation and dumps records; updates use it with ``partial=True``.
    """
    item_endpoint = f"{kind.entity}_item"
    filter_keys = tuple(kind.filters)

    def location(record: Any) -> dict[str, str]:
        return {"Location": url_for(f"{blp.name}.{item_endpoint}", record_id=record.id)}

    @blp.route(url, endpoint=f"{kind.entity}_collection")
    class Collection(MethodView):
        @blp.arguments(args, location="query")
        @blp.response(200, page_schema(schema))
        def get(self, query_args: dict[str, Any]) -> Any:
            current_actor()
            return page_body(
                registry.list_page(
                    db.session, kind, list_query(query_args, filter_keys, entity=kind.entity)
                )
            )

        @blp.arguments(schema)
        @blp.response(201, schema)
        def post(self, data: dict[str, Any]) -> Any:
            record = registry.create(db.session, current_actor(), kind, data)
            db.session.commit()
            return record, 201, location(record)

    @blp.route(f"{url}/<int:record_id>", endpoint=item_endpoint)
    class Item(MethodView):
        @blp.response(200, schema)
        def get(self, record_id: int) -> Any:
            current_actor()
            return registry.get(db.session, kind, record_id)

        @blp.arguments(schema(partial=True))
        @blp.response(200, schema)
        def patch(self, data: dict[str, Any], record_id: int) -> Any:
            record = registry.get(db.session, kind, record_id)
            registry.update(db.session, current_actor(), kind, record, data)
            db.session.commit()
            return record

        @blp.response(200, schema)
        def delete(self, record_id: int) -> Any:
            """Retire the record (it stays in history and in references)."""
            record = registry.get(db.session, kind, record_id)
            registry.retire(db.session, current_actor(), kind, record)
            db.session.commit()
            return record

    @blp.route(f"{url}/<int:record_id>/verify", endpoint=f"{kind.entity}_verify")
    class Verify(MethodView):
        @blp.response(200, schema)
        def post(self, record_id: int) -> Any:
            """Confirm the record is still true today (sets ``verified_at``)."""
            record = registry.get(db.session, kind, record_id)
            registry.verify(db.session, current_actor(), kind, record)
            db.session.commit()
            return record

    Collection.__name__ = f"{kind.entity.title()}Collection"
    Item.__name__ = f"{kind.entity.title()}Item"
    Verify.__name__ = f"{kind.entity.title()}Verify"
