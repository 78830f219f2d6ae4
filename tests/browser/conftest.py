"""Browser tests: the app served on a free localhost port from a background thread, and
Debian's Chromium driven by Playwright (never a downloaded browser).

Every request the page makes to anything but that server is blocked and recorded, so a map
that would need the internet fails the test instead of passing on a connected machine.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from werkzeug.serving import make_server

from responder.models import db
from responder.services import accounts
from responder.services.actors import SYSTEM

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--headless",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
PASSWORD = "browser-pass-1"


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        pytest.fail("Debian's chromium is required: bash scripts/install.sh --dev")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        yield instance
        instance.close()


@pytest.fixture
def live_server(app: Flask, registry_records: Any) -> Iterator[str]:
    """The app (with the registry records and an admin ``admin`` / PASSWORD) on a free
    port; yields its base URL."""
    accounts.create_user(
        db.session,
        SYSTEM,
        username="admin",
        password=PASSWORD,
        role="admin",
        display_name="值班管理员",
    )
    db.session.commit()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()  # returns once serve_forever has stopped
        server.server_close()  # and release the listening socket
        thread.join(timeout=30)
        assert not thread.is_alive(), "the live server thread did not stop"


@dataclass
class PageLog:
    """What went wrong while a page ran: console errors, failed or blocked requests."""

    console_errors: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    blocked: list[str] = field(default_factory=list)

    def problems(self) -> list[str]:
        return self.console_errors + self.failed + [f"external: {u}" for u in self.blocked]


@pytest.fixture
def page(browser: Any, live_server: str) -> Iterator[Any]:
    """A fresh browser page; ``page.log`` collects problems, ``page.base`` is the server."""
    context = browser.new_context(viewport={"width": 1400, "height": 900}, locale="zh-CN")
    tab = context.new_page()
    log = PageLog()

    def route(route: Any) -> None:
        if route.request.url.startswith(live_server):
            route.continue_()
        else:
            log.blocked.append(route.request.url)
            route.abort()

    tab.route("**/*", route)
    tab.on("console", lambda m: m.type == "error" and log.console_errors.append(m.text))
    tab.on("pageerror", lambda e: log.console_errors.append(f"page error: {e}"))
    tab.on("requestfailed", lambda r: log.failed.append(f"{r.url}: {r.failure}"))
    tab.on("response", lambda r: r.status >= 400 and log.failed.append(f"{r.url}: {r.status}"))
    tab.log = log
    tab.base = live_server
    ARTIFACTS.mkdir(exist_ok=True)
    yield tab
    context.close()


def sign_in(page: Any, username: str = "admin", password: str = PASSWORD) -> None:
    """Sign in through the login form, as a person would."""
    page.goto(f"{page.base}/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")


def click_map_at(page: Any, lon: float, lat: float, *, zoom: int = 16) -> None:
    """Centre the page's Folium map on (lon, lat) and click there with the mouse."""
    box = page.locator("iframe.map").bounding_box()
    point = page.evaluate(
        """([lat, lon, zoom]) => {
             const f = document.querySelector('iframe.map');
             const map = f.contentWindow[f.dataset.mapName];
             map.setView([lat, lon], zoom, {animate: false});  // no zoom animation mid-click
             const p = map.latLngToContainerPoint([lat, lon]);
             return {x: p.x, y: p.y};
           }""",
        [lat, lon, zoom],
    )
    page.mouse.click(box["x"] + point["x"], box["y"] + point["y"])
