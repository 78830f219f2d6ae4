"""Schemas and helpers every list endpoint shares: paging, text search, place filters."""

from __future__ import annotations

from functools import cache
from typing import Any

from flask import current_app
from marshmallow import Schema, fields, validate

from responder.http.api.fields import BBox
from responder.models import db
from responder.services import jurisdictions
from responder.services.registry import ListQuery, Page, stale_cutoff


class ListArgs(Schema):
    page = fields.Integer(load_default=1, validate=validate.Range(min=1))
    per_page = fields.Integer(validate=validate.Range(min=1, max=500))
    q = fields.String(validate=validate.Length(max=100), metadata={"description": "text search"})
    jurisdiction_id = fields.Integer(
        metadata={"description": "this jurisdiction and everything below it"}
    )
    bbox = BBox(metadata={"description": "min_lon,min_lat,max_lon,max_lat"})
    include_retired = fields.Boolean(load_default=False)
    stale_only = fields.Boolean(
        load_default=False,
        metadata={"description": "only records not verified within the rules' staleness days"},
    )
    sort = fields.String(
        validate=validate.Regexp(r"^-?[a-z_]{1,40}$"),
        metadata={"description": "a column name; prefix with - for descending"},
    )


def list_query(
    args: dict[str, Any], extra_keys: tuple[str, ...] = (), *, entity: str | None = None
) -> ListQuery:
    """Build the service's :class:`ListQuery` from parsed query arguments.

    ``entity`` picks the staleness rule for ``stale_only`` (rules file ``[staleness_days]``).
    """
    path = None
    if args.get("jurisdiction_id") is not None:
        path = jurisdictions.get(db.session, args["jurisdiction_id"]).path
    per_page = args.get("per_page") or current_app.config["PAGE_SIZE"]
    return ListQuery(
        page=args["page"],
        per_page=min(per_page, current_app.config["MAX_PAGE_SIZE"]),
        q=args.get("q"),
        jurisdiction_path=path,
        bbox=args.get("bbox"),
        include_retired=args["include_retired"],
        extra={key: args.get(key) for key in extra_keys},
        stale_before=stale_cutoff(current_app.extensions["responder.rules"].stale_days_for(entity))
        if args.get("stale_only")
        else None,
        **split_sort(args.get("sort")),
    )


def split_sort(sort: str | None) -> dict[str, Any]:
    """An API ``sort`` value (a column, ``-`` in front for descending) as services take it:
    ``{"sort": column or None, "descending": bool}``."""
    sort = sort or ""
    return {"sort": sort.removeprefix("-") or None, "descending": sort.startswith("-")}


@cache
def page_schema(item_schema: type[Schema]) -> type[Schema]:
    """A response schema ``{items, total, page, per_page}`` around ``item_schema`` (one class
    per item schema, so routes sharing it share one OpenAPI component)."""
    return Schema.from_dict(
        {
            "items": fields.List(fields.Nested(item_schema)),
            "total": fields.Integer(),
            "page": fields.Integer(),
            "per_page": fields.Integer(),
        },
        name=f"{item_schema.__name__.removesuffix('Schema')}PageSchema",
    )


def page_body(page: Page) -> dict[str, Any]:
    return {"items": page.items, "total": page.total, "page": page.page, "per_page": page.per_page}
