"""The Hangzhou demo in Chromium: the filing dashboard names the real districts and the
console map is drawn over central Hangzhou."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select
from werkzeug.serving import make_server

from responder import demo
from responder.models import Jurisdiction, db
from tests.fixtures.browser import ARTIFACTS, PASSWORD, sign_in

pytestmark = pytest.mark.browser
#: Central Hangzhou, WGS-84 (the bundled roads: 120.025–120.235 E, 30.234–30.375 N).
HANGZHOU = (120.0, 30.2, 120.27, 30.41)


@pytest.fixture
def app(roads_app: Flask) -> Flask:
    return roads_app


@pytest.fixture
def live_server(app: Flask) -> Iterator[str]:
    """The app with the whole demo loaded (every demo user's password is PASSWORD)."""
    demo.load(db.session, today=date.today(), password=PASSWORD)
    db.session.commit()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=5)


def _shots(page: Any, name: str) -> None:
    for width in (1600, 390):
        page.set_viewport_size({"width": width, "height": 1000})
        page.wait_for_timeout(300)
        page.screenshot(path=str(ARTIFACTS / f"hangzhou-{name}-{width}.png"), full_page=False)


def test_filing_dashboard_names_the_hangzhou_districts(page: Any) -> None:
    city = db.session.scalar(select(Jurisdiction).where(Jurisdiction.code == "330100"))
    assert city is not None
    sign_in(page)
    page.goto(f"{page.base}/filing?jurisdiction_id={city.id}")
    page.wait_for_selector("#filing-total")
    text = page.locator("main").inner_text()
    for name in ("杭州市", "拱墅区", "西湖区", "上城区"):
        assert name in text, name
    assert "滨海" not in text
    _shots(page, "filing")
    assert page.log.problems() == []


def test_console_map_is_drawn_over_hangzhou(page: Any) -> None:
    sign_in(page)
    page.goto(f"{page.base}/console")
    page.wait_for_selector("body[data-map-ready=yes]", timeout=20000)
    bounds = page.evaluate(
        """() => {
             const f = document.querySelector('iframe.map');
             const b = f.contentWindow[f.dataset.mapName].getBounds();
             return [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()];
           }"""
    )
    west, south, east, north = bounds
    centre = ((west + east) / 2, (south + north) / 2)
    assert HANGZHOU[0] < centre[0] < HANGZHOU[2] and HANGZHOU[1] < centre[1] < HANGZHOU[3]
    assert east - west < 1.0  # a city view, not the world
    _shots(page, "console")
    page.goto(f"{page.base}/coverage")
    page.wait_for_load_state("networkidle")
    _shots(page, "coverage")
    assert page.log.problems() == []
