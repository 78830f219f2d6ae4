"""Folium map rendering: a leaf package that only ``responder.http`` imports.

It takes plain values (points, bounds, GeoJSON) and returns HTML; it never touches the
database or the request.  The road layer lives in ``roads.py`` (written with the routing
engine).  JavaScript/CSS are served locally (see :mod:`responder.mapping.assets`).
"""

from __future__ import annotations

from responder.mapping._errors import UnknownAsset
from responder.mapping.basemap import (
    Bounds,
    base_map,
    embed,
    points_bounds,
    render_html,
)
from responder.mapping.legend import add_legend
from responder.mapping.markers import MapPoint, add_boundaries, add_markers
from responder.mapping.styles import HAZARD_GRADE, HEX, KIND, SPECIALTY, MarkerStyle, for_team
from responder.mapping.text import map_text

__all__ = [
    "HAZARD_GRADE",
    "HEX",
    "KIND",
    "SPECIALTY",
    "Bounds",
    "MapPoint",
    "MarkerStyle",
    "UnknownAsset",
    "add_boundaries",
    "add_legend",
    "add_markers",
    "base_map",
    "embed",
    "for_team",
    "map_text",
    "points_bounds",
    "render_html",
]
