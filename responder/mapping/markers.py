"""Putting records on a map: markers with icons and popups, and boundary polygons.

Markers are data, not code: each layer's points are one JSON block that our small
``static/map_points.js`` draws in the browser (text set with ``textContent``).

Callers pass plain values (:class:`MapPoint`, GeoJSON mappings), never models, so this
package stays a leaf that knows nothing of the database.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import folium
from branca.element import Template
from folium.elements import JSCSSMixin

from responder.mapping.assets import OWN_JS, POINTS_SCRIPT
from responder.mapping.styles import MarkerStyle
from responder.mapping.text import map_text, script_json


@dataclass(frozen=True)
class MapPoint:
    """One record to draw: where, how, and what its popup says.

    ``rows`` are (label, value) pairs shown in the popup; ``url`` links the title to the
    record's page (opened in the parent page, not inside the map frame).
    """

    lon: float
    lat: float
    title: str
    style: MarkerStyle
    rows: Sequence[tuple[str, str]] = field(default_factory=tuple)
    url: str | None = None
    muted: bool = False


class _PointsData(JSCSSMixin):
    """One layer's points as a JSON data block (``<script type="application/json"
    class="responder-points">``), drawn by our ``map_points.js``: one small template per
    layer instead of a Marker, Icon, Tooltip and Popup template per point, which made a
    map of a few hundred records megabytes of code and seconds of rendering.  The script
    builds every tooltip and popup with ``textContent``, so no record text is parsed as
    HTML or code.  The JSON names the Leaflet feature group the points join (``group``)."""

    _template = Template(
        """
{% macro html(this, kwargs) %}
<script type="application/json" class="responder-points">{{ this.data }}</script>
{% endmacro %}
"""
    )

    def __init__(self, points: Sequence[MapPoint]) -> None:
        super().__init__()
        self._name = "PointsData"
        self.default_js = [(POINTS_SCRIPT, OWN_JS[POINTS_SCRIPT])]  # linked by localize()
        self.points = points

    @property
    def data(self) -> str:
        """The block's JSON: the group's variable, the distinct [colour, icon] styles, and
        per point [lon, lat, title, style index, [[label, value]...], url, muted]."""
        styles: list[tuple[str, str]] = []
        index: dict[tuple[str, str], int] = {}
        rows = []
        for point in self.points:
            key = (point.style.color, point.style.icon)
            if key not in index:
                index[key] = len(styles)
                styles.append(key)
            rows.append(
                [
                    round(point.lon, 6),
                    round(point.lat, 6),
                    point.title,
                    index[key],
                    [[str(label), str(value)] for label, value in point.rows],
                    point.url or "",
                    1 if point.muted else 0,
                ]
            )
        if self._parent is None:
            raise ValueError("points data must be added to a feature group")
        return script_json({"group": self._parent.get_name(), "styles": styles, "points": rows})


def add_markers(
    fmap: folium.Map, points: Iterable[MapPoint], *, layer: str | None = None
) -> folium.FeatureGroup:
    """Add one awesome-marker per point, with the title as tooltip and a popup of the title
    (linked when ``url`` is set) and ``rows``, in a feature group named ``layer``.

    The points travel as one JSON block that ``static/map_points.js`` draws in the browser
    (see :class:`_PointsData`); the group is a normal Folium layer for the layer switch."""
    group = folium.FeatureGroup(name=layer or "markers")
    group.add_child(_PointsData(list(points)))
    group.add_to(fmap)
    return group


def add_boundaries(
    fmap: folium.Map,
    areas: Iterable[tuple[str, Mapping[str, Any]]],
    *,
    layer: str = "boundaries",
    color: str = "#7a869a",
) -> folium.FeatureGroup:
    """Draw (name, GeoJSON geometry) areas as light outlines with their name as tooltip."""
    group = folium.FeatureGroup(name=layer)
    for name, geometry in areas:
        folium.GeoJson(
            {"type": "Feature", "properties": {"name": name}, "geometry": dict(geometry)},
            style_function=lambda _f: {
                "color": color,
                "weight": 1.5,
                "fillColor": color,
                "fillOpacity": 0.05,
            },
            tooltip=map_text(name),
        ).add_to(group)
    group.add_to(fmap)
    return group
