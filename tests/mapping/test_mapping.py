"""The Folium base: local assets only, tiles only when configured, escaped popups."""

from __future__ import annotations

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


def test_every_vendored_file_is_present() -> None:
    missing = [f for f in assets.vendored_files() if not (VENDOR / f).is_file()]
    assert missing == []
    for path in (*assets.LOCAL_JS.values(), *assets.LOCAL_CSS.values()):
        assert path in set(assets.vendored_files())


def test_rendered_map_links_only_local_assets() -> None:
    fmap = mapping.base_map((120.0, 30.0, 120.2, 30.1))
    mapping.add_markers(fmap, [MapPoint(120.05, 30.05, "队", mapping.SPECIALTY["fire"])])
    html = mapping.render_html(fmap, assets_url="/static/vendor/")
    urls = ASSET_URLS.findall(html)
    assert urls and all(url.startswith("/static/vendor/") for url in urls)
    assert {url.removeprefix("/static/vendor/") for url in urls} <= set(assets.vendored_files())


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


def test_popups_escape_record_text() -> None:
    point = MapPoint(
        120.0,
        30.0,
        "<script>x</script>",
        mapping.KIND["depot"],
        rows=[("名称", "<b>")],
        url="/depots/1",
    )
    html = mapping.markers.popup_html(point)
    assert "<script>" not in html and "&lt;script&gt;" in html and "&lt;b&gt;" in html
    assert 'href="/depots/1" target="_top"' in html


def test_legend_and_embed() -> None:
    fmap = folium.Map(tiles=None)
    mapping.add_legend(fmap, [("消防", mapping.SPECIALTY["fire"])], title="图例")
    frame = mapping.embed(fmap, assets_url="/static/vendor/", title="t")
    assert frame.startswith('<iframe class="map"') and f'data-map-name="{fmap.get_name()}"' in frame
    assert "responder-legend" in frame and "fa-fire" in frame and "<script" not in frame
