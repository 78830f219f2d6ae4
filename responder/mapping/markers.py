"""Putting records on a map: markers with icons and popups, and boundary polygons.

Callers pass plain values (:class:`MapPoint`, GeoJSON mappings), never models, so this
package stays a leaf that knows nothing of the database.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import folium

from responder.mapping.styles import MarkerStyle
from responder.mapping.text import map_text


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


def popup_html(point: MapPoint) -> str:
    """The popup body: an escaped title (linked when ``url`` is set) and a table of rows."""
    title = map_text(point.title)
    if point.url:
        title = f'<a href="{map_text(point.url)}" target="_top">{title}</a>'
    rows = "".join(
        f"<tr><th>{map_text(label)}</th><td>{map_text(value)}</td></tr>"
        for label, value in point.rows
    )
    return f'<div class="responder-popup"><strong>{title}</strong><table>{rows}</table></div>'


def add_markers(
    fmap: folium.Map, points: Iterable[MapPoint], *, layer: str | None = None
) -> folium.FeatureGroup:
    """Add one awesome-marker per point, in a feature group named ``layer``."""
    group = folium.FeatureGroup(name=layer or "markers")
    for point in points:
        icon = folium.Icon(
            color=point.style.color,
            icon=point.style.icon,
            prefix="fa",
            icon_color="#dddddd" if point.muted else "white",
        )
        folium.Marker(
            location=[point.lat, point.lon],
            icon=icon,
            tooltip=map_text(point.title),
            popup=folium.Popup(popup_html(point), max_width=320),
        ).add_to(group)
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
