"""Placing points on the road network (snapping), with one cache for every service.

Registry locations (teams, depots, enterprises) rarely move and are snapped on every
proposal, coverage figure, drill step and feasibility check, so their snaps are remembered
here, once per process and per network: the key includes the network, so a reloaded
network never answers with an old snap.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import Protocol, TypeVar

from responder.errors import InvalidInput, Unprocessable
from responder.routing import InvalidCoordinates, PointTooFarFromRoad, RoadNetwork, Snap

#: How many snaps are remembered (a region's registry is a few thousand points).
SNAP_CACHE_SIZE = 100_000


class Located(Protocol):
    """Anything with a WGS-84 location."""

    @property
    def lon(self) -> float: ...

    @property
    def lat(self) -> float: ...


Item = TypeVar("Item", bound=Located)


def snap_point(
    network: RoadNetwork, lon: float, lat: float, *, max_m: float, field: str = "lon"
) -> Snap:
    """Place a point on the road network, as a domain error when it cannot be."""
    try:
        return cached_snap(network, lon, lat, max_m)
    except PointTooFarFromRoad as error:
        raise Unprocessable(str(error), field=field, code="too_far_from_road") from error
    except InvalidCoordinates as error:
        raise InvalidInput(str(error), field=field) from error


def cached_snap(network: RoadNetwork, lon: float, lat: float, max_m: float) -> Snap:
    """``network.snap`` through the one snap cache (raises the routing errors)."""
    return _snap(network, float(lon), float(lat), float(max_m))


@lru_cache(maxsize=SNAP_CACHE_SIZE)
def _snap(network: RoadNetwork, lon: float, lat: float, max_m: float) -> Snap:
    return network.snap(lon, lat, max_distance_m=max_m)


def snap_all(
    network: RoadNetwork, items: Sequence[Item], max_m: float
) -> tuple[list[Snap], list[Item], list[tuple[Item, str]]]:
    """Snap every item: the snaps, the items kept (same order), and the items that could
    not be placed with the reason (too far from any road, or bad coordinates)."""
    snaps: list[Snap] = []
    kept: list[Item] = []
    refused: list[tuple[Item, str]] = []
    for item in items:
        try:
            snaps.append(cached_snap(network, item.lon, item.lat, max_m))
            kept.append(item)
        except (PointTooFarFromRoad, InvalidCoordinates) as error:
            refused.append((item, str(error)))
    return snaps, kept, refused
