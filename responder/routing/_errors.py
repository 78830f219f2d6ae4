"""Exceptions raised by the routing engine.

Tiny classes subclassing built-ins so callers can catch either the precise error or the
built-in family (``ValueError`` for bad input, ``RuntimeError`` for a bad cache).
"""

from __future__ import annotations


class InvalidCoordinates(ValueError):
    """A longitude or latitude is out of range or not finite."""


class PointTooFarFromRoad(ValueError):
    """A point lies farther from every road than the allowed snapping distance."""

    def __init__(self, lon: float, lat: float, distance_m: float, max_distance_m: float) -> None:
        self.lon = lon
        self.lat = lat
        self.distance_m = distance_m
        self.max_distance_m = max_distance_m
        where = (
            f"the nearest road is {distance_m:.0f} m away, the limit is {max_distance_m:.0f} m"
            if distance_m != float("inf")
            else f"there is no road within {max_distance_m:.0f} m"
        )
        super().__init__(
            f"point (lon={lon:.6f}, lat={lat:.6f}) is too far from the road network: {where}"
        )


class UnknownEdge(ValueError):
    """An edge id does not exist in this network version."""


class NoRoute(ValueError):
    """No route exists between two points (one-way streets or closures cut it)."""


class UnsupportedSource(ValueError):
    """A road-network source file has an unknown format or holds no drivable roads."""


class CacheError(RuntimeError):
    """A compiled network cache is missing, incomplete or of an unknown format."""


class DownloadError(RuntimeError):
    """Downloading OpenStreetMap data failed (no internet, unknown place, server error)."""
