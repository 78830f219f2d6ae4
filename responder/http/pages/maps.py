"""Maps for pages: the Folium base with this app's settings, our road layer when the
routing engine has loaded one, and embedding in a template.

This is the seam every page map goes through (registry lists, incident pages, the operator
console), so tiles, offline assets and the road layer are decided in one place.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import folium
from flask import current_app, request, url_for
from flask_babel import gettext as _
from markupsafe import Markup

from responder import mapping
from responder.http.context import loaded_road_network
from responder.http.security import csp_nonce
from responder.mapping import Bounds, MapPoint, MarkerStyle
from responder.models import Jurisdiction


def new_map(
    bounds: Bounds | None = None,
    center: tuple[float, float] | None = None,
    *,
    road_margin_deg: float = 0.02,
) -> folium.Map:
    """A base map honouring TILE_URL (unset: no internet tiles), with the road layer drawn
    over ``bounds`` grown by ``road_margin_deg``."""
    config = current_app.config
    fmap = mapping.base_map(
        bounds,
        center,
        tile_url=config.get("TILE_URL"),
        attribution=config.get("TILE_ATTRIBUTION", ""),
    )
    network = loaded_road_network()
    if network is not None:
        from responder.mapping import roads  # written with the routing engine

        bbox = _padded(bounds, road_margin_deg) if bounds else None
        roads.add_road_layer(fmap, network, bbox=bbox, name=_("路网"))
    return fmap


def _padded(bounds: Bounds, margin_deg: float = 0.02) -> Bounds:
    """The bbox grown by ``margin_deg`` so roads continue past the outermost records."""
    min_lon, min_lat, max_lon, max_lat = bounds
    return (min_lon - margin_deg, min_lat - margin_deg, max_lon + margin_deg, max_lat + margin_deg)


def embed(fmap: folium.Map, *, height: str = "460px", title: str = "") -> Markup:
    """The map as an ``<iframe srcdoc>`` whose scripts come from our static folder."""
    assets = url_for("static", filename="vendor/")
    return Markup(
        mapping.embed(fmap, assets_url=assets, height=height, title=title, nonce=csp_nonce())
    )


def boundary_areas(nodes: Iterable[Jurisdiction]) -> list[tuple[str, Mapping[str, Any]]]:
    """(name, geometry) of the jurisdictions that have a boundary."""
    return [(node.name, json.loads(node.boundary)) for node in nodes if node.boundary]


def area_bounds(nodes: Iterable[Jurisdiction]) -> Bounds | None:
    """The bbox around the given jurisdictions' boundaries (None if none has one)."""
    boxes = [(n.min_lon, n.min_lat, n.max_lon, n.max_lat) for n in nodes if n.min_lon is not None]
    if not boxes:
        return None
    return (
        min(b[0] for b in boxes),
        min(b[1] for b in boxes),
        max(b[2] for b in boxes),
        max(b[3] for b in boxes),
    )


def records_map(
    points: list[MapPoint],
    *,
    areas: Iterable[Jurisdiction] = (),
    legend: Iterable[tuple[str, MarkerStyle]] = (),
    legend_title: str = "",
    layer: str = "records",
    title: str = "",
    height: str = "460px",
) -> Markup:
    """A framed map of ``points`` over the outlines of ``areas``, with a legend."""
    areas = list(areas)
    bounds = mapping.points_bounds([(p.lon, p.lat) for p in points]) or area_bounds(areas)
    fmap = new_map(bounds)
    mapping.add_boundaries(fmap, boundary_areas(areas))
    mapping.add_markers(fmap, points, layer=layer)
    legend = list(legend)
    if legend:
        mapping.add_legend(fmap, legend, title=legend_title)
    return embed(fmap, height=height, title=title)


_ASSET = re.compile(
    r'<script(?: nonce="[^"]*")? src="/static/([^"]+)"></script>|'
    r'<link rel="stylesheet" href="/static/vendor/([^"]+)"\s*/?>'
)
_CSS_URL = re.compile(r"url\((['\"]?)(?!data:)([^)'\"]+)\1\)")


def standalone_html(fmap: Any) -> str:
    """The map as one HTML file: the vendored scripts and styles and our own map scripts
    are inlined, so it opens offline; only fonts and marker images referenced by the styles
    point to this server."""
    nonce = csp_nonce()
    document = mapping.render_html(fmap, assets_url="/static/vendor/", nonce=nonce)
    static = Path(current_app.static_folder or "").resolve()
    host = request.host_url.rstrip("/")

    def inline(match: re.Match[str]) -> str:
        script, style = match.group(1), match.group(2)
        path = (static / script if script else static / "vendor" / style).resolve()
        if static not in path.parents or not path.is_file():
            return match.group(0)
        body = path.read_text(encoding="utf-8")
        if script:
            code = body.replace("</script", "<\\/script")
            return f'<script nonce="{nonce}">{code}</script>'
        base = f"{host}/static/vendor/{Path(style).parent.as_posix()}/"
        body = _CSS_URL.sub(lambda m: f"url({m.group(1)}{base}{m.group(2)}{m.group(1)})", body)
        return "<style>" + body + "</style>"

    return _ASSET.sub(inline, document)
