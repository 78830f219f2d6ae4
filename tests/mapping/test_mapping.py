"""The Folium base: local assets only, tiles only when configured, escaped popups."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

import folium
import pytest
from folium.plugins import MarkerCluster

from responder import mapping
from responder.mapping import MapPoint, assets

VENDOR = Path(mapping.__file__).resolve().parent.parent / "static" / "vendor"
ASSET_URLS = re.compile(r'<(?:script|link)[^>]*(?:src|href)="([^"]+)"')
POINTS_BLOCK = re.compile(
    r'<script type="application/json" class="responder-points">(.*?)</script>', re.S
)


def test_every_vendored_file_is_present() -> None:
    missing = [f for f in assets.vendored_files() if not (VENDOR / f).is_file()]
    assert missing == []
    for path in (*assets.LOCAL_JS.values(), *assets.LOCAL_CSS.values()):
        assert path in set(assets.vendored_files())


def test_rendered_map_links_only_local_assets() -> None:
    fmap = mapping.base_map((120.0, 30.0, 120.2, 30.1))
    mapping.add_markers(fmap, [MapPoint(120.05, 30.05, "队", mapping.SPECIALTY["fire"])])
    html = mapping.render_html(fmap, assets_url="/static/vendor/")
    urls = set(ASSET_URLS.findall(html))
    own = {f"/static/{name}" for name in assets.OWN_JS.values()}
    assert "/static/map_points.js" in own & urls
    vendored = urls - own
    assert vendored and all(url.startswith("/static/vendor/") for url in vendored)
    assert {url.removeprefix("/static/vendor/") for url in vendored} <= set(assets.vendored_files())
    assert all((VENDOR.parent / name).is_file() for name in assets.OWN_JS.values())


def test_unknown_cdn_asset_is_refused() -> None:
    fmap = mapping.base_map(center=(120.0, 30.0))
    MarkerCluster().add_to(fmap)
    with pytest.raises(mapping.UnknownAsset, match="markercluster"):
        mapping.render_html(fmap, assets_url="/static/vendor/")


def test_no_tiles_without_a_tile_url() -> None:
    offline = mapping.render_html(mapping.base_map(center=(120.0, 30.0)), assets_url="/v/")
    assert "L.tileLayer" not in offline and "background: #eef1ec" in offline
    online = mapping.render_html(
        mapping.base_map(
            center=(120.0, 30.0), tile_url="/tiles/{z}/{x}/{y}.png", attribution="our tiles"
        ),
        assets_url="/v/",
    )
    assert "L.tileLayer" in online and "/tiles/{z}/{x}/{y}.png" in online


def test_bounds_frame_the_map_and_a_single_point_is_padded() -> None:
    fmap = mapping.base_map((120.05, 30.05, 120.05, 30.05))
    html = mapping.render_html(fmap, assets_url="/v/")
    fit = re.search(r"fitBounds\(\s*(\[\[.*?\]\])", html, re.S).group(1)
    (south, west), (north, east) = json.loads(fit)
    assert (south, west) == pytest.approx((30.045, 120.045))
    assert (north, east) == pytest.approx((30.055, 120.055))
    with pytest.raises(ValueError):
        mapping.base_map((120.2, 30.0, 120.0, 30.1))


def _points_blocks(html: str) -> list[dict]:
    return [json.loads(block) for block in POINTS_BLOCK.findall(html)]


def test_markers_are_one_json_block_per_layer_with_record_text_inert() -> None:
    fmap = mapping.base_map((120.0, 30.0, 120.2, 30.1))
    hostile = "</script><img src=x onerror=alert(1)>${x}`"
    teams = mapping.add_markers(
        fmap,
        [
            MapPoint(120.05, 30.05, hostile, mapping.SPECIALTY["fire"], rows=[("名称", "<b>")]),
            MapPoint(120.06, 30.06, "队二", mapping.SPECIALTY["fire"], muted=True),
            MapPoint(120.07, 30.07, "库", mapping.KIND["depot"], url="/depots/1"),
        ],
        layer="teams",
    )
    mapping.add_markers(fmap, [MapPoint(120.1, 30.1, "企", mapping.KIND["enterprise"])])
    html = mapping.render_html(fmap, assets_url="/static/vendor/")

    first, second = _points_blocks(html)
    assert first["group"] == teams.get_name() and f"var {teams.get_name()} = " in html
    assert first["styles"] == [["red", "fire"], ["darkpurple", "warehouse"]]
    assert first["points"] == [
        [120.05, 30.05, hostile, 0, [["名称", "<b>"]], "", 0],
        [120.06, 30.06, "队二", 0, [], "", 1],
        [120.07, 30.07, "库", 1, [], "/depots/1", 0],
    ]
    assert len(second["points"]) == 1
    # No record text reaches the document as markup or code, and Folium drew no markers.
    assert "<img" not in html and "</script><" not in html and "L.marker(" not in html


def test_legend_and_embed() -> None:
    fmap = folium.Map(tiles=None)
    mapping.add_legend(fmap, [("消防", mapping.SPECIALTY["fire"])], title="图例")
    frame = mapping.embed(fmap, assets_url="/static/vendor/", title="t")
    assert frame.startswith('<iframe class="map"') and f'data-map-name="{fmap.get_name()}"' in frame
    assert "responder-legend" in frame and "fa-fire" in frame and "<script" not in frame
    assert "data-map-bounds" not in frame  # not framed on a bbox: nothing to frame again


def test_embed_carries_the_frame_for_maps_that_start_hidden() -> None:
    fmap = mapping.base_map((120.1, 30.2, 120.3, 30.4))
    frame = mapping.embed(fmap, assets_url="/static/vendor/")
    bounds = re.search(r'data-map-bounds="([^"]*)"', frame)
    assert bounds is not None
    assert json.loads(html.unescape(bounds.group(1))) == [[30.2, 120.1], [30.4, 120.3]]
