"""Reusable marshmallow fields and validators for request schemas."""

from __future__ import annotations

from typing import Any

from marshmallow import ValidationError, fields, validate

from responder.vocabulary import Vocabulary


def lon(**kwargs: Any) -> fields.Float:
    return fields.Float(validate=validate.Range(-180, 180), allow_nan=False, **kwargs)


def lat(**kwargs: Any) -> fields.Float:
    return fields.Float(validate=validate.Range(-90, 90), allow_nan=False, **kwargs)


def code_of(vocabulary: Vocabulary, **kwargs: Any) -> fields.String:
    """A string that must be one of the vocabulary's codes."""
    return fields.String(validate=validate.OneOf(list(vocabulary)), **kwargs)


def codes_of(vocabulary: Vocabulary, **kwargs: Any) -> fields.List:
    return fields.List(code_of(vocabulary), **kwargs)


def name(**kwargs: Any) -> fields.String:
    return fields.String(validate=validate.Length(min=1, max=200), **kwargs)


def text(max_length: int = 2000, **kwargs: Any) -> fields.String:
    return fields.String(validate=validate.Length(max=max_length), **kwargs)


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
