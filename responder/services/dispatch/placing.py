"""Placing points on the road network (snapping), as domain errors when they cannot be."""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import Any

from responder.errors import InvalidInput, Unprocessable
from responder.routing import (
    InvalidCoordinates,
    PointTooFarFromRoad,
    RoadNetwork,
    Snap,
)


def snap_point(
    network: RoadNetwork, lon: float, lat: float, *, max_m: float, field: str = "lon"
) -> Snap:
    """Place a point on the road network, as a domain error when it cannot be."""
    try:
        return _snap_cached(network, float(lon), float(lat), float(max_m))
    except PointTooFarFromRoad as error:
        raise Unprocessable(str(error), field=field, code="too_far_from_road") from error
    except InvalidCoordinates as error:
        raise InvalidInput(str(error), field=field) from error


@lru_cache(maxsize=50_000)
def _snap_cached(network: RoadNetwork, lon: float, lat: float, max_m: float) -> Snap:
    """Registry locations rarely move, so their snaps are remembered (per network)."""
    return network.snap(lon, lat, max_distance_m=max_m)


def snap_all(
    network: RoadNetwork,
    items: Sequence[Any],
    snap_max_m: float,
    excluded: list[dict[str, Any]],
    what: str,
) -> tuple[list[Snap], list[Any]]:
    snaps, kept = [], []
    for item in items:
        try:
            snaps.append(_snap_cached(network, item.lon, item.lat, snap_max_m))
            kept.append(item)
        except (PointTooFarFromRoad, InvalidCoordinates) as error:
            ident = getattr(item, "id", None) or getattr(item, "depot_id", None)
            name = getattr(item, "name", None) or getattr(item, "depot_name", "")
            excluded.append({"kind": what, "id": ident, "name": name, "message": str(error)})
    return snaps, kept
