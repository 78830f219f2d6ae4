"""The folium road layer stays small and draws every class."""

from __future__ import annotations

import json
import re

import folium

from responder.mapping.roads import ROAD_STYLE, add_road_layer
from responder.routing import RoadNetwork


def test_layer_groups_by_class(tiny_net: RoadNetwork) -> None:
    fmap = folium.Map(tiles=None)
    layer = add_road_layer(fmap, tiny_net, name="Roads")
    assert len(layer._children) == 2  # residential and primary
    html = fmap.get_root().render()
    assert "Roads" in html or "feature_group" in html


def test_whole_demo_region_is_under_2_mb(demo_net: RoadNetwork) -> None:
    fmap = folium.Map(tiles=None)
    add_road_layer(fmap, demo_net)
    size = len(fmap.get_root().render().encode())
    assert 200_000 < size < 2_000_000


def test_bbox_and_classes_filter(demo_net: RoadNetwork) -> None:
    minx, miny, maxx, maxy = demo_net.bounds
    box = (minx, miny, minx + (maxx - minx) / 10, miny + (maxy - miny) / 10)
    small, big = folium.Map(tiles=None), folium.Map(tiles=None)
    add_road_layer(small, demo_net, bbox=box)
    add_road_layer(big, demo_net, classes=["primary", "trunk", "motorway"])
    assert len(small.get_root().render()) < 300_000
    assert len(big.get_root().render()) < 500_000


def test_lines_are_the_networks_own_coordinates_as_compact_json(tiny_net: RoadNetwork) -> None:
    fmap = folium.Map(tiles=None)
    add_road_layer(fmap, tiny_net, tolerance_m=0)
    html = fmap.get_root().render()
    drawn = [json.loads(m) for m in re.findall(r"L\.polyline\(\s*(\[\S*\]\]\]),", html)]
    lines = tiny_net.road_lines(tolerance_m=0)
    expected = [
        [[round(lat, 5), round(lon, 5)] for lon, lat in line]
        for cls in sorted(lines, key=lambda c: ROAD_STYLE.get(c, ("", 0, 1))[2])
        for line in lines[cls]
    ]
    assert [line for layer in drawn for line in layer] == expected
