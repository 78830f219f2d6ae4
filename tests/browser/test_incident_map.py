"""The incident page's map starts in a closed section: opening it shows the incident's
neighbourhood, not the whole world Leaflet framed while the map had no size."""

from __future__ import annotations

from contextlib import suppress
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from tests.fixtures.browser import ARTIFACTS, sign_in
from tests.fixtures.dispatch import central_node, place_incident

pytestmark = pytest.mark.browser

#: The closed section's map has been made by Folium's script.
LOADED = """() => {
  const frame = document.querySelector('details iframe.map'), win = frame.contentWindow;
  return Boolean(win.L) && win[frame.dataset.mapName] instanceof win.L.Map;
}"""

#: The page's map as the user sees it: zoom, centre and the pixel size Leaflet knows.
VIEW = """() => {
  const frame = document.querySelector('details iframe.map');
  const map = frame.contentWindow[frame.dataset.mapName];
  const c = map.getCenter(), size = map.getSize();
  return {zoom: map.getZoom(), lat: c.lat, lon: c.lng, width: size.x, height: size.y};
}"""


@pytest.fixture
def app(roads_app: Flask) -> Flask:
    return roads_app


def open_map(page: Any, shows: str) -> dict[str, Any]:
    """Open the map section and wait (5 s at most) until the map ``shows`` (an arrow
    function of the view); the view it came to."""
    page.click("details:has(iframe.map) > summary")
    with suppress(PlaywrightTimeout):  # the caller's assertions say what the map shows
        page.wait_for_function(f"() => ({shows})(({VIEW})())", timeout=5000)
    return page.evaluate(VIEW)


@pytest.mark.parametrize("width", [1600, 390])
def test_opening_the_map_section_frames_the_incident(page, world, login_as, width):
    node = central_node(world.network)
    lon, lat = world.node_point(node)
    incident = place_incident(login_as("operator"), world, node)
    page.set_viewport_size({"width": width, "height": 900})

    sign_in(page)
    page.goto(f"{page.base}/incidents/{incident['id']}")
    page.wait_for_selector(".incident-page[data-ready=yes]", timeout=20000)
    assert page.locator("details iframe.map").is_hidden()
    page.wait_for_function(LOADED, timeout=10000)

    view = open_map(page, "(v) => v.width > 300 && v.zoom >= 11")
    page.locator("details:has(iframe.map)").scroll_into_view_if_needed()
    page.screenshot(path=str(Path(ARTIFACTS) / f"incident-map-{width}.png"))
    assert view["width"] > 300 and view["height"] > 300
    assert view["zoom"] >= 11  # a city, not the world
    assert abs(view["lon"] - lon) < 0.02 and abs(view["lat"] - lat) < 0.02

    # A view the user chose stays when the section is closed and opened again.
    page.evaluate(
        """([lat, lon]) => {
             const frame = document.querySelector('details iframe.map');
             frame.contentWindow[frame.dataset.mapName].setView([lat, lon], 16, {animate: false});
           }""",
        [lat + 0.01, lon + 0.01],
    )
    page.click("details:has(iframe.map) > summary")
    page.wait_for_function("() => !document.querySelector('details:has(iframe.map)').open")
    again = open_map(page, "(v) => v.width > 300")
    assert again["zoom"] == 16
    assert abs(again["lon"] - (lon + 0.01)) < 1e-4 and abs(again["lat"] - (lat + 0.01)) < 1e-4
    assert page.log.problems() == []
