"""Reusable marshmallow fields and validators for request schemas.

Text is normalised here, once: :class:`Text` (behind :func:`name` and :func:`text`) trims
surrounding whitespace, so a name of spaces fails its length rule instead of being stored,
and refuses NUL and unpaired surrogates, which no database stores faithfully (SQLite and
PostgreSQL answered them with a 500).  :class:`Integer` refuses ``1.5`` instead of storing
1, and :class:`Boolean` takes only JSON ``true``/``false`` in a body (not ``1``, ``"yes"``
or ``"false"``, which marshmallow would turn into a boolean).  Every JSON body is also
screened as a whole before any schema sees it (see
:func:`responder.http.security.screen_request`), so fields declared elsewhere are covered
for NUL, surrogates and nesting depth.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from marshmallow import ValidationError, fields, validate

from responder.models.quantity import SCALE
from responder.vocabulary import Vocabulary

#: Characters no stored text may hold: NUL and UTF-16 surrogate halves.
UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def unstorable_message(value: str) -> str | None:
    """Why ``value`` cannot be stored, or None when it can."""
    found = UNSTORABLE.search(value)
    if found is None:
        return None
    if found.group() == "\x00":
        return "must not contain the NUL character"
    return f"must not contain an unpaired surrogate (U+{ord(found.group()):04X})"


class Text(fields.String):
    """A string, trimmed, without NUL or unpaired surrogates."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        text = super()._deserialize(value, attr, data, **kwargs)
        problem = unstorable_message(text)
        if problem:
            raise ValidationError(problem)
        return text.strip()


class Integer(fields.Integer):
    """An integer that refuses a fractional number (``1.5``) instead of truncating it."""

    def _validated(self, value: Any) -> int:
        if isinstance(value, float) and not value.is_integer():
            raise ValidationError("must be a whole number")
        return super()._validated(value)


class Boolean(fields.Boolean):
    """A JSON ``true`` or ``false`` and nothing else (for request bodies; query strings,
    which only have text, keep marshmallow's ``fields.Boolean``)."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> bool:
        if not isinstance(value, bool):
            raise self.make_error("invalid", input=value)
        return value


def lon(**kwargs: Any) -> fields.Float:
    return fields.Float(validate=validate.Range(-180, 180), allow_nan=False, **kwargs)


def lat(**kwargs: Any) -> fields.Float:
    return fields.Float(validate=validate.Range(-90, 90), allow_nan=False, **kwargs)


def code_of(vocabulary: Vocabulary, **kwargs: Any) -> fields.String:
    """A string that must be one of the vocabulary's codes."""
    return fields.String(validate=validate.OneOf(list(vocabulary)), **kwargs)


def codes_of(vocabulary: Vocabulary, **kwargs: Any) -> fields.List:
    return fields.List(code_of(vocabulary), **kwargs)


def _six_places(value: Decimal) -> None:
    if value != value.quantize(Decimal(1).scaleb(-SCALE)):
        raise ValidationError(f"at most {SCALE} decimal places")


def quantity(*, signed: bool = False, **kwargs: Any) -> fields.Decimal:
    """A stock quantity: an exact decimal (at most six places) in, a JSON number out."""
    low = Decimal(-(10**12)) if signed else Decimal(0)
    return fields.Decimal(
        as_string=False,
        allow_nan=False,
        validate=[validate.Range(min=low, max=Decimal(10**12)), _six_places],
        **kwargs,
    )


def name(**kwargs: Any) -> Text:
    """A required-looking name: 1 to 200 characters once trimmed."""
    return Text(validate=validate.Length(min=1, max=200), **kwargs)


def text(max_length: int = 2000, **kwargs: Any) -> Text:
    """Free text of at most ``max_length`` characters once trimmed."""
    return Text(validate=validate.Length(max=max_length), **kwargs)


class CommaList(fields.Field):
    """A query parameter given as ``a,b,c`` (or repeated), loaded as a list of strings."""

    def __init__(self, choices: Vocabulary | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.choices = choices

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> list[str]:
        items = [part.strip() for part in str(value).split(",") if part.strip()]
        if self.choices is not None:
            unknown = [item for item in items if item not in self.choices]
            if unknown:
                raise ValidationError(
                    f"unknown value(s) {', '.join(unknown)}; one of {', '.join(self.choices)}"
                )
        return items


class BBox(fields.Field):
    """``min_lon,min_lat,max_lon,max_lat`` in degrees."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> tuple:
        try:
            parts = tuple(float(p) for p in str(value).split(","))
        except ValueError as exc:
            raise ValidationError(
                "bbox must be four numbers: min_lon,min_lat,max_lon,max_lat"
            ) from exc
        if len(parts) != 4:
            raise ValidationError("bbox must be four numbers: min_lon,min_lat,max_lon,max_lat")
        min_lon, min_lat, max_lon, max_lat = parts
        if not (-180 <= min_lon <= max_lon <= 180 and -90 <= min_lat <= max_lat <= 90):
            raise ValidationError("bbox is out of range or inverted")
        return parts
