"""The filing dashboard in Chromium: rates against the target, the choropleth, the charts,
the lists and an export, all without a byte from the internet."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from flask import Flask

from responder.models import Enterprise, Plan, db
from responder.services.workdays import today_in
from tests.fixtures.browser import ARTIFACTS, PASSWORD

pytestmark = pytest.mark.browser


@pytest.fixture
def filed_west(app: Flask, region: Any) -> Enterprise:
    """A west coal mine with a plan filed a month ago (so the west county is at 100%)."""
    day = today_in(app.config["TIMEZONE"])
    mine = Enterprise(
        name="西区矿业有限公司",
        credit_code="91330102MA00000001",
        industry="coal_mine",
        jurisdiction_id=region.west.id,
        lon=120.05,
        lat=30.05,
    )
    db.session.add(mine)
    db.session.flush()
    db.session.add(
        Plan(
            owner_kind="enterprise",
            enterprise_id=mine.id,
            jurisdiction_id=region.west.id,
            title="综合应急预案",
            plan_type="comprehensive",
            status="filed",
            published_on=day - timedelta(days=40),
            filed_on=day - timedelta(days=30),
            filing_number="330102-2025-0001",
        )
    )
    db.session.commit()
    return mine


def test_dashboard(page: Any, region: Any, registry_records: Any, filed_west: Any) -> None:
    path = f"/filing?jurisdiction_id={region.city.id}"
    page.goto(page.base + path)
    page.fill("input[name=username]", "admin")
    page.fill("input[name=password]", PASSWORD)
    page.click("form.login button[type=submit]")
    page.wait_for_url(f"{page.base}/filing*")

    # One of two required enterprises (the east hazchem store has no plan): 50% vs 100%.
    total = page.locator("#filing-total")
    assert total.locator(".rate").inner_text() == "50.0%"
    assert total.locator(".target").inner_text() == "100.0%"
    rows = page.locator("#filing-by-jurisdiction tbody tr")
    assert rows.count() == 3
    west = page.locator(f"#filing-by-jurisdiction tr[data-key='{region.west.id}']")
    assert west.locator(".rate").inner_text() == "100.0%"
    assert "meets" in west.get_attribute("class")

    frame = page.frame_locator("#filing-by-jurisdiction iframe.map")
    frame.locator(".leaflet-container").wait_for()
    areas = frame.locator("path.leaflet-interactive")
    areas.first.wait_for()
    assert areas.count() == 2
    fills = {areas.nth(i).get_attribute("fill") for i in range(2)}
    assert fills == {"#1a7f37", "#c62828"}  # west meets the target, east is below 80%
    assert "备案率" in frame.locator(".responder-legend").inner_text()

    bars = page.locator("#filing-by-industry svg.bars g.bar")
    assert bars.count() == 2
    assert page.locator("#filing-by-industry svg.bars line.target").count() == 1
    assert page.locator("#filing-trend svg.line circle.point").count() >= 1

    page.screenshot(path=str(ARTIFACTS / "filing_dashboard.png"), full_page=True)
    # The missing count clicks through to the list behind it.
    page.click("#filing-total a.missing-link")
    page.wait_for_url("**/filing/lists/missing*")
    missing = page.locator("#filing-list")
    assert "东区化工储运有限公司" in missing.inner_text()
    assert "西区矿业有限公司" not in missing.inner_text()
    link = page.get_by_role("link", name="CSV")
    export = page.request.get(page.base + link.get_attribute("href"))
    assert export.status == 200
    assert "东区化工储运有限公司" in export.body().decode("utf-8-sig")
    page.go_back()

    # Switching to the east county through the form narrows everything.
    page.select_option("select[name=jurisdiction_id]", str(region.east.id))
    page.click("#filing-filters button[type=submit]")
    page.wait_for_url(f"**jurisdiction_id={region.east.id}*")
    assert page.locator("#filing-total .rate").inner_text() == "0.0%"
    assert page.log.problems() == []
