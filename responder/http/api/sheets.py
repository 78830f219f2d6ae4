"""The API's marshmallow schemas as the row validators of the spreadsheet imports.

The sheets themselves (columns, Chinese aliases, loaders, export rows) are
:mod:`responder.services.sheets`; a row is checked there by a :data:`Validator` made here
from the same schema the API loads a JSON body with, so a bad cell gets the API's field and
message.  :func:`init_app` leaves the validators in ``app.extensions`` for the
``flask registry import`` command, which must not import HTTP code.
"""

from __future__ import annotations

from typing import Any

from flask import Flask
from marshmallow import Schema, ValidationError

from responder.http.api.depots import DepotSchema, InventoryLineSchema
from responder.http.api.enterprises import EnterpriseSchema, HazardSourceSchema
from responder.http.api.experts import ExpertSchema
from responder.http.api.teams import BaseSchema, TeamSchema
from responder.services.imports import RowInvalid
from responder.services.sheet_loaders import RowLoader
from responder.services.sheet_loaders import loader_for as _loader_for
from responder.services.sheets import LINE, VALIDATORS_KEY, Sheet, Validator

#: The API schema each sheet's rows are loaded with (and a depot row's inventory line).
SCHEMAS: dict[str, type[Schema]] = {
    "teams": TeamSchema,
    "bases": BaseSchema,
    "depots": DepotSchema,
    "enterprises": EnterpriseSchema,
    "hazard_sources": HazardSourceSchema,
    "experts": ExpertSchema,
    LINE: InventoryLineSchema,
}


def _flatten(messages: Any) -> str:
    if isinstance(messages, dict):
        return "; ".join(
            f"item {key}: {_flatten(value)}"
            if isinstance(key, int)
            else f"{key}: {_flatten(value)}"
            for key, value in messages.items()
        )
    if isinstance(messages, list):
        return "; ".join(_flatten(m) for m in messages)
    return str(messages)


def schema_validator(schema: type[Schema]) -> Validator:
    """A row validator loading with ``schema``; its messages become ``(field, text)`` problems."""

    def validate(data: dict[str, Any]) -> dict[str, Any]:
        try:
            return dict(schema().load(data))
        except ValidationError as error:
            found = error.messages
            messages = found if isinstance(found, dict) else {None: found}
            problems = [(name, _flatten(text)) for name, text in messages.items()]
            raise RowInvalid(problems) from error

    return validate


VALIDATORS: dict[str, Validator] = {name: schema_validator(s) for name, s in SCHEMAS.items()}


def loader_for(sheet: Sheet) -> RowLoader:
    """A fresh row loader for one import, validating rows with the API's schemas."""
    return _loader_for(sheet, VALIDATORS)


def init_app(app: Flask) -> None:
    app.extensions[VALIDATORS_KEY] = VALIDATORS
