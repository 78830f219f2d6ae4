"""Road layer: our own road graph drawn as light polylines, so maps work without tiles.

One multi-polyline per highway class keeps the HTML small (the whole demo region is
well under 2 MB): geometries are simplified and coordinates rounded to 5 decimals
(about 1 m).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

import folium
import numpy as np
from branca.element import Template

from responder.routing import RoadNetwork

Bounds = tuple[float, float, float, float]

#: highway class -> (colour, weight in px, drawing order; higher draws on top)
ROAD_STYLE: dict[str, tuple[str, float, int]] = {
    "motorway": ("#e07b39", 4.0, 9),
    "motorway_link": ("#e07b39", 2.5, 8),
    "trunk": ("#e8a04c", 3.5, 8),
    "trunk_link": ("#e8a04c", 2.0, 7),
    "primary": ("#f0c05a", 3.0, 7),
    "primary_link": ("#f0c05a", 2.0, 6),
    "secondary": ("#c9c28a", 2.5, 6),
    "secondary_link": ("#c9c28a", 1.5, 5),
    "tertiary": ("#a9a9a9", 2.0, 5),
    "tertiary_link": ("#a9a9a9", 1.5, 4),
}
_MINOR = ("#bdbdbd", 1.2, 1)


def add_road_layer(
    fmap: folium.Map,
    network: RoadNetwork,
    *,
    bbox: Bounds | None = None,
    name: str = "Roads",
    classes: Iterable[str] | None = None,
    tolerance_m: float = 8.0,
    show: bool = True,
) -> folium.FeatureGroup:
    """Draw the road network on ``fmap`` as one feature group of polylines.

    Parameters
    ----------
    fmap : folium.Map
        Map to draw on.
    network : RoadNetwork
        Loaded road network.
    bbox : (min_lon, min_lat, max_lon, max_lat), optional
        Draw only roads reaching into this box; default the whole network.
    name : str
        Layer name shown in a layer control.
    classes : iterable of str, optional
        Highway classes to draw (e.g. only major roads for a large area).
    tolerance_m : float
        Simplification tolerance in metres.
    show : bool
        Whether the layer is visible initially.

    Returns
    -------
    folium.FeatureGroup
        The added layer.
    """
    if tolerance_m < 0:
        raise ValueError(f"tolerance_m must be >= 0, got {tolerance_m}")
    wanted = set(classes) if classes is not None else None
    layer = folium.FeatureGroup(name=name, show=show)
    lines = network.road_lines(bbox, tolerance_m=tolerance_m)
    order = sorted(lines, key=lambda cls: ROAD_STYLE.get(cls, _MINOR)[2])
    for cls in order:
        if wanted is not None and cls not in wanted:
            continue
        color, weight, _ = ROAD_STYLE.get(cls, _MINOR)
        _RoadLines(
            _latlon_lists(lines[cls]),
            color=color,
            weight=weight,
            opacity=0.9,
            interactive=False,
            smooth_factor=1.5,
        ).add_to(layer)
    layer.add_to(fmap)
    return layer


class _RoadLines(folium.PolyLine):
    """A multi-polyline of the compiled network's own coordinates.  Folium checks every
    coordinate pair in Python, about half a second per page for the demo region (the
    operator console draws all of it); ours are floats rounded in one numpy pass, so the
    lines are handed over as they are, and written as compact JSON (Folium's has a space
    after every comma: some 80 kB of the console's road layer)."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
            var {{ this.get_name() }} = L.polyline(
                {{ this.compact_locations }},
                {{ this.options|tojson }}
            ).addTo({{this._parent.get_name()}});
        {% endmacro %}
        """
    )

    def __init__(self, locations: list[list[list[float]]], **options: Any) -> None:
        super().__init__([[0.0, 0.0], [0.0, 0.0]], **options)
        self.locations = locations

    @property
    def compact_locations(self) -> str:
        return json.dumps(self.locations, separators=(",", ":"))  # numbers only: script-safe


def _latlon_lists(lines: list[np.ndarray]) -> list[list[list[float]]]:
    """(lon, lat) arrays -> nested [lat, lon] lists rounded to ~1 m, in one numpy pass."""
    if not lines:
        return []
    flat = np.round(np.concatenate(lines)[:, ::-1], 5).tolist()
    ends = np.cumsum([len(line) for line in lines]).tolist()
    return [flat[start:end] for start, end in zip([0, *ends[:-1]], ends, strict=True)]
