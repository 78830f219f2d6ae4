"""The console's search box finds a street by name and places the incident on it; our own
base map writes the names of the major roads once zoomed in, as text, in a layer the
switch turns off."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from tests.fixtures.browser import ARTIFACTS, sign_in

pytestmark = pytest.mark.browser

FRAME = "iframe.map"


@pytest.fixture
def app(roads_app: Flask) -> Flask:
    return roads_app


def _visible_labels(page: Any) -> list[str]:
    """The road names shown inside the map's frame (not hidden, not scrolled off)."""
    names: list[str] = page.evaluate(
        """() => {
             const doc = document.querySelector('iframe.map').contentDocument;
             const box = doc.querySelector('.leaflet-container').getBoundingClientRect();
             return [...doc.querySelectorAll('.road-label')].filter((e) => {
               const r = e.getBoundingClientRect();
               return getComputedStyle(e).display !== 'none' && r.width > 0 &&
                 r.right > box.left && r.left < box.right && r.bottom > box.top &&
                 r.top < box.bottom;
             }).map((e) => e.textContent);
           }"""
    )
    return names


def _search_street(page: Any, name: str, shot: Path | None = None) -> None:
    """Type ``name``, (screenshot the hits to ``shot``,) choose the street hit."""
    page.fill("#place-q", name)
    hit = page.locator(".place-hit[data-kind=street]", has_text=name).first
    hit.wait_for(timeout=10000)
    if shot is not None:
        page.screenshot(path=str(shot), full_page=True)
    hit.click()
    page.wait_for_function("() => document.querySelector('input[name=lon]').value !== ''")


def test_a_street_is_found_placed_on_the_road_and_major_roads_are_named(page, app):
    network = app.extensions["responder.roads"]
    sign_in(page)
    page.set_viewport_size({"width": 1600, "height": 1000})
    page.goto(f"{page.base}/console")
    page.wait_for_selector("body[data-map-ready=yes]", timeout=20000)
    # Far out (the whole region) no name is written; the map stays readable.
    assert _visible_labels(page) == []

    _search_street(page, "莫干山路")
    lon = float(page.input_value("input[name=lon]"))
    lat = float(page.input_value("input[name=lat]"))
    assert network.snap(lon, lat).distance_m < 1.0
    assert "道路 · 莫干山路" in page.inner_text("#place-chosen")

    # Placing zoomed in on the street: its name is on the map, among other major roads.
    page.frame_locator(FRAME).locator(".road-label:visible").first.wait_for(timeout=10000)
    shown = _visible_labels(page)
    assert "莫干山路" in shown and len(shown) >= 2
    assert page.frame_locator(FRAME).locator(".road-label img, .road-label script").count() == 0
    # The layer switch turns the names off like any other layer.
    frame = page.frame_locator(FRAME)
    frame.locator(".leaflet-control-layers").hover()
    frame.locator(".leaflet-control-layers label", has_text="道路名称").locator("input").uncheck()
    page.wait_for_function(  # Leaflet fades the names out before removing them
        "() => !document.querySelector('iframe.map').contentDocument.querySelector('.road-label')"
    )
    assert _visible_labels(page) == []
    assert page.log.problems() == []


@pytest.mark.parametrize(("lang", "width"), [("zh", 1600), ("en", 1600), ("zh", 390), ("en", 390)])
def test_console_street_search_screenshots(page, app, lang: str, width: int) -> None:
    """The same search in the other language and at phone width, kept as artifacts."""
    sign_in(page)
    page.set_viewport_size({"width": width, "height": 1000 if width > 500 else 844})
    page.goto(f"{page.base}/console?lang={lang}")
    page.wait_for_selector("body[data-map-ready=yes]", timeout=20000)
    _search_street(page, "莫干山", ARTIFACTS / f"console-streets-{width}-{lang}-hits.png")
    page.frame_locator(FRAME).locator(".road-label:visible").first.wait_for(timeout=10000)
    chosen = page.inner_text("#place-chosen")
    assert chosen.startswith("Street · " if lang == "en" else "道路 · ")
    page.screenshot(path=str(ARTIFACTS / f"console-streets-{width}-{lang}.png"), full_page=True)
    assert page.log.problems() == []
