"""JSON answers write decimal quantities as numbers (Flask's default writes a Decimal as a
string): ``0.3``, never ``"0.3"`` nor ``0.29999999999999998``."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from flask import Flask
from flask.json.provider import DefaultJSONProvider

from responder.models.quantity import json_number


def _default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return json_number(value)
    return DefaultJSONProvider.default(value)


class NumberJSONProvider(DefaultJSONProvider):
    """Flask's provider with Decimals as JSON numbers."""

    default = staticmethod(_default)


def init_app(app: Flask) -> None:
    app.json = NumberJSONProvider(app)
