"""The base of every map: framing, optional tiles, and rendering with local assets.

Without a tile URL the map has no internet tiles at all (``tiles=None``) and a light
background; our own layers (jurisdiction boundaries, the road layer) give the context.
Maps are rendered as full HTML documents and embedded with ``<iframe srcdoc>``, which keeps
Folium's Bootstrap styles away from our pages while staying same-origin (the operator
console can reach the Leaflet map as ``iframe.contentWindow[<data-map-name>]``).
"""

from __future__ import annotations

import html
import json
import re

import folium
from branca.element import Element
from folium.map import FitBounds

from responder.mapping._errors import UnknownAsset
from responder.mapping.assets import localize

Bounds = tuple[float, float, float, float]
"""(min_lon, min_lat, max_lon, max_lat), the project's bbox order."""

BACKGROUND = "#eef1ec"
DEFAULT_CENTER = (120.15, 30.25)  # (lon, lat): used only when nothing else frames the map
_REMOTE_ASSET = re.compile(r"<(?:script|link)\b[^>]*\b(?:src|href)=[\"']?(?:https?:)?//", re.I)
_SCRIPT_TAG = re.compile(r"<script\b", re.I)
_NONCE = re.compile(r"[A-Za-z0-9+/_=-]+")


def base_map(
    bounds: Bounds | None = None,
    center: tuple[float, float] | None = None,
    *,
    tile_url: str | None = None,
    attribution: str = "",
    zoom_start: int = 12,
    padding_deg: float = 0.005,
) -> folium.Map:
    """A map framed on ``bounds`` (or centred on ``center`` as (lon, lat)).

    ``tile_url`` is an XYZ template (the TILE_URL setting); None means no tiles at all, so
    the map never touches the internet.  A degenerate bbox (one point) is padded by
    ``padding_deg`` so Leaflet does not zoom in to the maximum.
    """
    if bounds is not None:
        min_lon, min_lat, max_lon, max_lat = bounds
        if min_lon > max_lon or min_lat > max_lat:
            raise ValueError(f"bounds must be (min_lon, min_lat, max_lon, max_lat): {bounds}")
        lon, lat = (min_lon + max_lon) / 2, (min_lat + max_lat) / 2
    else:
        lon, lat = center or DEFAULT_CENTER
    fmap = folium.Map(
        location=[lat, lon],
        zoom_start=zoom_start,
        tiles=tile_url,
        attr=(attribution or "tiles") if tile_url else None,
        control_scale=True,
        prefer_canvas=False,
    )
    if not tile_url:
        style = f"<style>.leaflet-container {{ background: {BACKGROUND}; }}</style>"
        fmap.get_root().header.add_child(Element(style), name="responder_background")
    if bounds is not None:
        small = (max_lon - min_lon) < padding_deg or (max_lat - min_lat) < padding_deg
        pad = padding_deg if small else 0.0
        # Framed at once, not by a zoom animation: an animation still running when a page
        # script sets the view (a view kept across reloads, a search result) would end on
        # this frame and undo it.
        frame = FitBounds([[min_lat - pad, min_lon - pad], [max_lat + pad, max_lon + pad]])
        frame.options["animate"] = False
        fmap.add_child(frame)
    return fmap


def points_bounds(points: list[tuple[float, float]]) -> Bounds | None:
    """The bbox of (lon, lat) points, or None for no points."""
    if not points:
        return None
    lons = [p[0] for p in points]
    lats = [p[1] for p in points]
    return (min(lons), min(lats), max(lons), max(lats))


def render_html(fmap: folium.Map, *, assets_url: str, nonce: str | None = None) -> str:
    """The map as a complete HTML document whose scripts and styles come from ``assets_url``
    (e.g. ``/static/vendor/``).  Raises :class:`UnknownAsset` if anything would still be
    fetched from the internet.

    Folium writes the map's code as inline scripts; with ``nonce`` (the page's
    Content-Security-Policy nonce) every ``<script>`` carries it, so the policy lets the
    map run and nothing else inline.  Only Folium's own templates can produce a script
    tag here: all user text is escaped by :func:`responder.mapping.text.map_text`.
    """
    root = fmap.get_root()
    localize(root, assets_url)
    document = root.render()
    remote = _REMOTE_ASSET.search(document)
    if remote:
        raise UnknownAsset(f"map would load a remote asset: {remote.group(0)}")
    if nonce is not None:
        document = with_nonce(document, nonce)
    return document


def with_nonce(document: str, nonce: str) -> str:
    """``document`` with ``nonce`` on every ``<script>`` tag."""
    if not _NONCE.fullmatch(nonce):
        raise ValueError(f"not a CSP nonce: {nonce!r}")
    return _SCRIPT_TAG.sub(f'<script nonce="{nonce}"', document)


def embed(
    fmap: folium.Map,
    *,
    assets_url: str,
    height: str = "460px",
    title: str = "",
    nonce: str | None = None,
) -> str:
    """An ``<iframe srcdoc>`` holding the rendered map (mark it safe in templates).

    A ``srcdoc`` frame inherits the embedding page's Content-Security-Policy, so the
    map's scripts need that page's ``nonce``.  A map framed on a bbox carries it as
    ``data-map-bounds`` (``[[south, west], [north, east]]``), so a page script can frame it
    again: Leaflet fits a map that starts hidden (a closed ``<details>``) at 0×0, i.e. on
    the whole world."""
    document = render_html(fmap, assets_url=assets_url, nonce=nonce)
    frames = [child.bounds for child in fmap._children.values() if isinstance(child, FitBounds)]
    framed = f' data-map-bounds="{html.escape(json.dumps(frames[-1]))}"' if frames else ""
    return (
        f'<iframe class="map" title="{html.escape(title)}" data-map-name="{fmap.get_name()}"'
        f'{framed} style="width:100%;height:{html.escape(height)};border:0" '
        f'srcdoc="{html.escape(document, quote=True)}"></iframe>'
    )
