"""Sign in through the form, browse the team list with its map, switch language."""

from __future__ import annotations

from typing import Any

import pytest

from tests.fixtures.browser import ARTIFACTS, PASSWORD

pytestmark = pytest.mark.browser
MARKERS = ".leaflet-marker-pane > .awesome-marker"


def sign_in(page: Any, path: str) -> None:
    page.goto(page.base + path)
    assert "/login" in page.url  # the list needs a login
    page.fill("input[name=username]", "admin")
    page.fill("input[name=password]", PASSWORD)
    page.click("form.login button[type=submit]")
    page.wait_for_url(f"{page.base}{path}*")


def map_frame(page: Any) -> Any:
    """The Leaflet map inside the list page's iframe, once its markers are drawn."""
    frame = page.frame_locator("iframe.map")
    frame.locator(".leaflet-container").wait_for()
    frame.locator(MARKERS).first.wait_for()
    return frame


def test_team_list_map_and_language(page: Any, registry_records: Any) -> None:
    sign_in(page, "/teams")

    rows = page.locator("table.records tbody tr")
    assert rows.count() == 3
    assert page.locator("h1").inner_text() == "救援队伍"
    assert page.get_by_role("link", name="西区消防救援大队").is_visible()
    # The never-verified and the 200-day-old teams are highlighted as stale, not the fresh one.
    stale = page.locator("td.verified.stale")
    assert stale.count() == 2
    row = "tr[data-id='{}']".format
    assert "从未核实" in page.locator(row(registry_records.hazchem_team.id)).inner_text()
    assert "200 天前核实" in page.locator(row(registry_records.stale_team.id)).inner_text()

    frame = map_frame(page)
    assert frame.locator(MARKERS).count() == 3
    assert frame.locator(".awesome-marker i.fa-fire").count() == 1
    assert frame.locator(".responder-legend").inner_text().count("\n") >= 2
    iframe = page.frame_locator("iframe.map").owner.element_handle().content_frame()
    assert iframe.evaluate("L.version") == "1.9.3"
    iframe.wait_for_function("() => document.fonts.check('900 14px \"Font Awesome 6 Free\"')")
    page.screenshot(path=str(ARTIFACTS / "teams_zh.png"), full_page=True)

    page.get_by_role("link", name="English").click()
    page.wait_for_url("**lang=en*")
    assert page.locator("h1").inner_text() == "Rescue teams"
    assert page.locator("table.records thead").inner_text().startswith("Name")
    assert "Fire" in page.locator(row(registry_records.fire_team.id)).inner_text()
    assert "verified 200 days ago" in page.locator(row(registry_records.stale_team.id)).inner_text()
    assert page.get_by_role("link", name="Teams", exact=True).is_visible()
    map_frame(page)
    page.screenshot(path=str(ARTIFACTS / "teams_en.png"), full_page=True)

    # The filter form narrows the list and the map together; the language sticks.
    page.select_option("select[name=specialty]", "water")
    page.click("form.filters button[type=submit]")
    page.wait_for_url("**specialty=water*")
    assert page.locator("table.records tbody tr").count() == 1
    assert map_frame(page).locator(MARKERS).count() == 1
    assert page.locator("h1").inner_text() == "Rescue teams"

    assert page.log.problems() == []
