"""Coordinate systems people type and upload in China, converted to the WGS-84 we store.

OSM roads and GPS are WGS-84; CGCS2000 (the national datum) is within centimetres of it and
is treated as the same.  Chinese web maps and many office spreadsheets hold GCJ-02
(高德/腾讯, offset by hundreds of metres) or BD-09 (百度).  Every point a person enters is
converted here, once, at the edge; everything inside the service is WGS-84.

The forward transforms are the published GCJ-02/BD-09 formulas (from ``geotool-cn``); the
inverses are solved by fixed-point iteration to well under a centimetre, because the
one-step inverses the package offers leave up to a couple of metres.
"""

from __future__ import annotations

from collections.abc import Callable

from GeoToolCN import coords as _coords

#: Codes accepted wherever a coordinate system is chosen, in the order forms offer them.
CRS_CODES: tuple[str, ...] = ("wgs84", "gcj02", "bd09", "cgcs2000")
DEFAULT_CRS = "wgs84"

#: Page labels (Chinese; English in the translations).
CRS_LABELS: dict[str, str] = {
    "wgs84": "WGS-84（GPS/OSM）",
    "gcj02": "GCJ-02（高德/腾讯）",
    "bd09": "BD-09（百度）",
    "cgcs2000": "CGCS2000（国家大地坐标系）",
}

_INVERSE_TOLERANCE_DEG = 1e-9  # ~0.1 mm
_INVERSE_MAX_STEPS = 30


class UnknownCRS(ValueError):
    """The coordinate system code is not one of :data:`CRS_CODES`."""


def check_crs(crs: str | None) -> str:
    """The normalised code for ``crs`` (``None`` or empty means WGS-84)."""
    code = (crs or DEFAULT_CRS).strip().lower().replace("-", "").replace("_", "")
    if code not in CRS_CODES:
        raise UnknownCRS(f"unknown coordinate system {crs!r}; use one of {', '.join(CRS_CODES)}")
    return code


def _invert(
    forward: Callable[[float, float], tuple[float, float]], lon: float, lat: float
) -> tuple[float, float]:
    """The WGS-84 point whose image under ``forward`` is ``(lon, lat)``.

    The offsets vary slowly with position, so fixed-point iteration converges in a few steps.
    """
    x, y = float(lon), float(lat)
    for _ in range(_INVERSE_MAX_STEPS):
        fx, fy = forward(x, y)
        dx, dy = lon - fx, lat - fy
        x, y = x + dx, y + dy
        if abs(dx) < _INVERSE_TOLERANCE_DEG and abs(dy) < _INVERSE_TOLERANCE_DEG:
            break
    return x, y


def to_wgs84(lon: float, lat: float, crs: str | None = DEFAULT_CRS) -> tuple[float, float]:
    """Convert a point given in ``crs`` to WGS-84 (points outside China are unchanged)."""
    code = check_crs(crs)
    if code == "gcj02":
        return _invert(_coords.wgs84_to_gcj02, lon, lat)
    if code == "bd09":
        return _invert(_coords.wgs84_to_bd09, lon, lat)
    return float(lon), float(lat)


def from_wgs84(lon: float, lat: float, crs: str | None = DEFAULT_CRS) -> tuple[float, float]:
    """Convert a WGS-84 point to ``crs`` (e.g. GCJ-02 for exports to Chinese web maps)."""
    code = check_crs(crs)
    if code == "gcj02":
        return _coords.wgs84_to_gcj02(lon, lat)
    if code == "bd09":
        return _coords.wgs84_to_bd09(lon, lat)
    return float(lon), float(lat)
