"""Page maps draw our road layer when the routing engine has loaded a network."""

from __future__ import annotations

from typing import Any

import numpy as np
from flask import Flask

from responder.http.pages import maps


def test_page_map_draws_roads_around_the_records(roads_app: Flask) -> None:
    network = roads_app.extensions["responder.roads"]
    first_class = next(iter(network.road_lines(tolerance_m=0)))
    lon, lat = np.asarray(network.road_lines(tolerance_m=0)[first_class][0])[0]
    with roads_app.test_request_context("/teams"):
        near = maps.new_map((lon, lat, lon, lat))
        html = str(maps.embed(near))
        assert "L.polyline" in html
        assert "https://" not in html.split("srcdoc=", 1)[1].split("&lt;body&gt;", 1)[0]
        far = str(maps.embed(maps.new_map((0.0, 0.0, 0.001, 0.001))))
        assert "L.polyline" not in far  # no roads near the equator in the demo region


def test_page_map_without_a_network_has_no_road_layer(app: Flask) -> None:
    assert app.extensions.get("responder.roads") is None
    with app.test_request_context("/teams"):
        html = str(maps.embed(maps.new_map((120.0, 30.0, 120.1, 30.1))))
    assert "L.polyline" not in html and "L.tileLayer" not in html


def test_tile_url_setting_adds_tiles(app_config: dict[str, Any]) -> None:
    from responder import create_app

    app = create_app({**app_config, "TILE_URL": "/tiles/{z}/{x}/{y}.png"})
    with app.test_request_context("/teams"):
        html = str(maps.embed(maps.new_map(center=(120.0, 30.0))))
    assert "L.tileLayer" in html and "/tiles/{z}/{x}/{y}.png" in html
