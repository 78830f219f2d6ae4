"""Placing an incident from one search box: enterprises (name, credit code), hazard
sources, jurisdictions, street names of the road network, or typed coordinates in WGS-84,
GCJ-02 or BD-09 (converted here)."""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING, Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from responder import crs
from responder.errors import InvalidInput
from responder.models import Enterprise, HazardSource, Jurisdiction

if TYPE_CHECKING:
    from responder.routing.names import RoadNames

_COORDS = re.compile(r"^\s*(-?\d+(?:\.\d+)?)\s*[,，\s]\s*(-?\d+(?:\.\d+)?)\s*$")
MAX_QUERY = 100

#: The incident type a call from an enterprise of this industry most likely reports; the
#: console pre-selects it and the operator changes it when the caller says otherwise.
LIKELY_TYPE = {
    "hazchem_production": "hazchem_leak",
    "hazchem_storage": "hazchem_leak",
    "hazchem_operation": "hazchem_leak",
    "hazchem_use": "hazchem_leak",
    "hazchem_transport": "hazmat_transport",
    "coal_mine": "mine_accident",
    "non_coal_mine": "mine_accident",
    "fireworks": "fire_explosion",
    "civil_explosives": "fire_explosion",
    "construction": "collapse",
    "oil_gas_pipeline": "pipeline_leak",
}


def search(
    session: Session,
    query: str,
    *,
    system: str = "wgs84",
    limit: int = 8,
    streets: RoadNames | None = None,
) -> list[dict[str, Any]]:
    """Places matching ``query``; every hit carries WGS-84 lon/lat.

    Names equal to the query come first, then names starting with it, then the rest;
    within each, enterprises, hazard sources, jurisdictions, then streets (from
    ``streets``, the road network's names: the hit is a point on the street's roads).
    ``"120.15, 30.28"`` is read as lon, lat in ``system`` (a swapped pair whose first
    number is a plausible latitude and second a longitude is read the other way round).
    """
    text = query.strip()
    if not text:
        return []
    if len(text) > MAX_QUERY:
        raise InvalidInput(f"the search is at most {MAX_QUERY} characters", field="q")
    try:
        code = crs.check_crs(system)
    except crs.UnknownCRS as error:
        raise InvalidInput(str(error), field="crs") from error
    match = _COORDS.match(text)
    if match:
        return [_coordinates(float(match[1]), float(match[2]), code)]
    like = f"%{text}%"
    hits: list[dict[str, Any]] = []
    for e in session.scalars(
        select(Enterprise)
        .where(Enterprise.retired_at.is_(None))
        .where(or_(Enterprise.name.ilike(like), Enterprise.credit_code == text.upper()))
        .order_by(Enterprise.name)
        .limit(limit)
    ):
        hits.append(
            {
                "kind": "enterprise",
                "id": e.id,
                "name": e.name,
                "detail": e.credit_code,
                "enterprise_id": e.id,
                "lon": e.lon,
                "lat": e.lat,
                "likely_type": LIKELY_TYPE.get(e.industry),
            }
        )
    for h, e in session.execute(
        select(HazardSource, Enterprise)
        .join(Enterprise, Enterprise.id == HazardSource.enterprise_id)
        .where(HazardSource.retired_at.is_(None), HazardSource.name.ilike(like))
        .limit(limit)
    ):
        hits.append(
            {
                "kind": "hazard_source",
                "id": h.id,
                "name": h.name,
                "detail": e.name,
                "enterprise_id": e.id,
                "lon": e.lon,
                "lat": e.lat,
                "grade": h.grade,
                "likely_type": LIKELY_TYPE.get(e.industry),
            }
        )
    for j in session.scalars(
        select(Jurisdiction).where(Jurisdiction.name.ilike(like)).limit(limit)
    ):
        point = _centre(j)
        if point is not None:
            hits.append(
                {
                    "kind": "jurisdiction",
                    "id": j.id,
                    "name": j.name,
                    "detail": j.code,
                    "enterprise_id": None,
                    "lon": point[0],
                    "lat": point[1],
                }
            )
    for street in streets.search(text, limit=limit) if streets is not None else ():
        hits.append(
            {
                "kind": "street",
                "id": None,
                "name": street.name,
                "detail": f"{street.length_m / 1000:.1f} km",
                "enterprise_id": None,
                "lon": round(street.lon, 7),
                "lat": round(street.lat, 7),
            }
        )
    hits.sort(key=lambda hit: _match_rank(hit, text))  # stable: kinds keep their order
    return hits[: limit * 2]


def _match_rank(hit: dict[str, Any], text: str) -> int:
    """0 when the name (or a credit code) equals the query, 1 when it starts with it."""
    name, needle = str(hit["name"]).casefold(), text.casefold()
    if name == needle or (hit["kind"] == "enterprise" and hit["detail"] == text.upper()):
        return 0
    return 1 if name.startswith(needle) else 2


def _coordinates(first: float, second: float, system: str) -> dict[str, Any]:
    lon, lat = first, second
    if abs(lon) <= 90 < abs(lat) <= 180:  # typed as "lat, lon"
        lon, lat = lat, lon
    if not (-180 <= lon <= 180 and -90 <= lat <= 90):
        raise InvalidInput("coordinates out of range (lon -180..180, lat -90..90)", field="q")
    wlon, wlat = crs.to_wgs84(lon, lat, system)
    return {
        "kind": "coordinates",
        "id": None,
        "name": f"{lon:.6f}, {lat:.6f}",
        "detail": system,
        "enterprise_id": None,
        "lon": round(wlon, 7),
        "lat": round(wlat, 7),
    }


def _centre(jurisdiction: Jurisdiction) -> tuple[float, float] | None:
    """The middle of the jurisdiction's boundary box (None without a boundary)."""
    if not jurisdiction.boundary:
        return None
    try:
        boundary = json.loads(jurisdiction.boundary)
    except ValueError:
        return None
    points: list[list[float]] = []

    def walk(node: Any) -> None:
        if isinstance(node, list) and node and isinstance(node[0], (int, float)):
            points.append(node)
        elif isinstance(node, list):
            for child in node:
                walk(child)

    walk(boundary.get("coordinates") if isinstance(boundary, dict) else None)
    if not points:
        return None
    lons, lats = [p[0] for p in points], [p[1] for p in points]
    return (min(lons) + max(lons)) / 2, (min(lats) + max(lats)) / 2
