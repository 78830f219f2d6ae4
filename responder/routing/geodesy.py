"""The one earth model of the road engine: haversine distance and metres per degree.

The radius is the IUGG mean earth radius, the same as ``responder.services.geodesy``, so
a compiled road length, a snapping distance and a straight-line comparison in services
agree to the millimetre.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import NDArray

EARTH_RADIUS_M = 6_371_008.8
M_PER_DEG = EARTH_RADIUS_M * math.pi / 180.0  # one degree of latitude (or of lon at the equator)


def haversine_m(a: NDArray[np.float64], b: NDArray[np.float64]) -> NDArray[np.float64]:
    """Great-circle distance in metres between lon/lat rows ``a[i]`` and ``b[i]`` (broadcasts)."""
    lon1, lat1, lon2, lat2 = map(np.radians, (a[:, 0], a[:, 1], b[:, 0], b[:, 1]))
    h = (
        np.sin((lat2 - lat1) / 2) ** 2
        + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2
    )
    return np.asarray(2 * EARTH_RADIUS_M * np.arcsin(np.sqrt(np.clip(h, 0, 1))))
