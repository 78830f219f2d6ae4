"""``crs`` in API bodies: a point may be posted in GCJ-02 or BD-09; it is stored as WGS-84.

Chinese web maps (高德/腾讯: GCJ-02, 百度: BD-09) are where operators copy coordinates from;
a body that says ``"crs": "gcj02"`` has its ``lon``/``lat`` converted before the service
sees them (:mod:`responder.crs`).  The default is WGS-84 (GPS/OSM), unchanged.
"""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, ValidationError, fields, post_load, validate

from responder import crs as crs_module


class PointCRS(Schema):
    """Mixin for schemas with ``lon``/``lat``: a load-only ``crs`` applied after loading."""

    crs = fields.String(
        load_only=True,
        validate=validate.OneOf(crs_module.CRS_CODES),
        metadata={"description": "datum of lon/lat: wgs84 (default), gcj02, bd09, cgcs2000"},
    )

    @post_load
    def _to_wgs84(self, data: dict[str, Any], **_kwargs: Any) -> dict[str, Any]:
        code = data.pop("crs", crs_module.DEFAULT_CRS)
        if code in ("wgs84", "cgcs2000"):
            return data
        has_lon, has_lat = data.get("lon") is not None, data.get("lat") is not None
        if has_lon != has_lat:
            raise ValidationError("give lon and lat together when crs is set", "lon")
        if has_lon:
            data["lon"], data["lat"] = crs_module.to_wgs84(data["lon"], data["lat"], code)
        return data
