"""A drill organizer's whole scenario in Chromium: two incidents placed on enterprises and a
road closure at +10 min, run; the report shows the closure lengthening a team's route; the
evaluation is filled in and the run recorded as a drill of the government hazchem plan;
the clerk's overdue-drill list no longer lists that plan.  Nothing live moves."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
import shapely
from flask import Flask
from sqlalchemy import func, select

from responder.models import Enterprise, Plan, RescueTeam, RoadClosure, db
from responder.services import accounts
from responder.services.actors import SYSTEM
from responder.services.dispatch import snap_point
from responder.services.workdays import today_in
from tests.fixtures.browser import ARTIFACTS, PASSWORD, click_map_at, sign_in
from tests.fixtures.dispatch import central_node

pytestmark = pytest.mark.browser


@pytest.fixture
def app(roads_app: Flask) -> Flask:
    return roads_app


def _enterprise(name: str, lon: float, lat: float, county: Any, code: str) -> Enterprise:
    enterprise = Enterprise(
        name=name,
        credit_code=code,
        industry="hazchem_storage",
        jurisdiction_id=county.id,
        lon=lon,
        lat=lat,
    )
    db.session.add(enterprise)
    db.session.flush()
    return enterprise


def _filed_plan(today: date, **fields: Any) -> Plan:
    """A filed plan published three years ago and never drilled (so its drill is overdue)."""
    published = today - timedelta(days=3 * 365)
    plan = Plan(
        status="filed",
        published_on=published,
        submitted_on=published + timedelta(days=5),
        filed_on=published + timedelta(days=8),
        **fields,
    )
    db.session.add(plan)
    db.session.flush()
    return plan


@pytest.fixture
def scenario(app: Flask, world: Any, times_to: Any) -> dict[str, Any]:
    """Two hazchem stores far apart, a hazchem team near each, the government hazchem plan
    of the city (drill overdue) and the point on the second team's road to store 2 that the
    organizer will close."""
    network = world.network
    second = central_node(network)
    to_second = times_to(second)
    near_second = min((n for n, t in to_second.items() if 150 < t < 260), key=to_second.get)
    first = min((n for n, t in to_second.items() if t > 700), key=to_second.get)
    to_first = times_to(first)
    near_first = min((n for n, t in to_first.items() if 30 < t < 120), key=to_first.get)
    city = world.west.parent
    lon1, lat1 = world.node_point(first)
    lon2, lat2 = world.node_point(second)
    store1 = _enterprise("北岸化工仓储", lon1, lat1, world.west, "91330100MA0000H131")
    store2 = _enterprise("港区危化储运", lon2, lat2, world.west, "91330100MA0000H132")
    team1 = world.add_team(near_first, ["hazchem"], name="北岸危化救援队")
    team2 = world.add_team(near_second, ["hazchem"], name="港区危化救援队")
    today = today_in(app.config["TIMEZONE"])
    government = _filed_plan(
        today,
        owner_kind="government",
        owner_body="滨海市人民政府",
        jurisdiction_id=city.id,
        title="滨海市危险化学品事故应急预案",
        plan_type="special",
        incident_types=["hazchem_leak"],
        filing_number="990100-2023-H13",
    )
    own = _filed_plan(
        today,
        owner_kind="enterprise",
        enterprise_id=store2.id,
        jurisdiction_id=world.west.id,
        title="港区危化储运综合应急预案",
        plan_type="comprehensive",
        filing_number="990102-2023-H13",
    )
    for username, role in (("organizer", "drill_organizer"), ("clerk", "clerk")):
        accounts.create_user(db.session, SYSTEM, username=username, password=PASSWORD, role=role)
    db.session.commit()
    # The closure: half-way along team 2's fastest road to store 2.
    snap_max = app.config["SNAP_MAX_M"]
    route = network.route(
        snap_point(network, *world.node_point(near_second), max_m=snap_max),
        snap_point(network, lon2, lat2, max_m=snap_max),
    )
    middle = shapely.LineString(route.coords).interpolate(0.5, normalized=True)
    return {
        "stores": (store1, store2),
        "teams": (team1, team2),
        "government": government,
        "own": own,
        "closure": (middle.x, middle.y),
    }


def _overdue_ids(page: Any) -> set[str]:
    page.goto(f"{page.base}/plans?due=drill_overdue")
    rows = page.locator("table tbody tr[data-id]")
    return {rows.nth(i).get_attribute("data-id") for i in range(rows.count())}


def _clerk_sees(browser: Any, base: str) -> set[str]:
    context = browser.new_context(viewport={"width": 1400, "height": 900}, locale="zh-CN")
    clerk = context.new_page()
    clerk.base = base
    try:
        sign_in(clerk, "clerk")
        return _overdue_ids(clerk)
    finally:
        context.close()


def _place_on(page: Any, enterprise: Enterprise) -> None:
    page.evaluate("() => window.scrollTo(0, 0)")
    click_map_at(page, enterprise.lon, enterprise.lat, zoom=17)
    page.wait_for_function(
        f"() => document.querySelector('#drill-incident-form input[name=enterprise_id]')"
        f".value === '{enterprise.id}'"
    )


def _screens(browser: Any, base: str, urls: dict[str, str]) -> None:
    """Editor and report at 1600 and 390 px, in Chinese, for people to look at (the English
    pages are the same templates; other browser tests switch the language)."""
    ARTIFACTS.mkdir(exist_ok=True)
    for width in (1600, 390):
        context = browser.new_context(viewport={"width": width, "height": 1000}, locale="zh-CN")
        tab = context.new_page()
        tab.base = base
        try:
            sign_in(tab, "organizer")
            for name, url in urls.items():
                tab.goto(f"{base}{url}")
                tab.wait_for_selector("body[data-map-ready=yes], iframe.map", timeout=20000)
                tab.screenshot(path=str(ARTIFACTS / f"drill_{name}_{width}.png"), full_page=True)
        finally:
            context.close()


def test_scenario_with_a_road_closure_evaluated_and_recorded(
    browser: Any, page: Any, live_server: str, app: Flask, scenario: dict[str, Any]
) -> None:
    store1, store2 = scenario["stores"]
    team1, team2 = scenario["teams"]
    government = scenario["government"]
    assert str(government.id) in _clerk_sees(browser, live_server)

    sign_in(page, "organizer")
    page.goto(f"{page.base}/drills")
    page.fill("form.filters input[name=name]", "港区危化泄漏桌面推演")
    page.fill("form.filters input[name=start_at]", "2026-11-23T10:00")
    page.click("form.filters button[type=submit]")
    page.wait_for_url("**/drills/*")
    page.wait_for_selector("body[data-map-ready=yes]", timeout=20000)
    drill_url = page.url.removeprefix(page.base)
    assert "10:00" in page.inner_text("main") and "UTC" not in page.inner_text("main")

    add = "#drill-incident-form button[type=submit]"
    assert page.is_disabled(add)  # nothing to add before a point is chosen
    for store, offset in ((store1, "0"), (store2, "15")):
        _place_on(page, store)
        assert store.name in page.inner_text("#chosen-text")
        page.select_option("#drill-incident-form select[name=type]", "hazchem_leak")
        page.fill("#drill-incident-form input[name=offset_min]", offset)
        page.click(add)
        page.wait_for_selector(f"tr[data-enterprise-id='{store.id}']", timeout=20000)
        assert "已添加模拟事故" in page.locator(".flash.success").inner_text()
        page.wait_for_selector("body[data-map-ready=yes]", timeout=20000)

    page.select_option("#drill-inject-form select[name=kind]", "road_closure")
    page.fill("#drill-inject-form input[name=at_min]", "10")
    lon, lat = scenario["closure"]
    page.evaluate("() => window.scrollTo(0, 0)")
    click_map_at(page, lon, lat, zoom=17)
    page.wait_for_function(
        "() => document.querySelector('#drill-inject-form input[name=lon]').value !== ''"
    )
    page.fill("#drill-inject-form input[name=note]", "桥梁检修封闭")
    page.click("#add-inject")
    page.wait_for_selector("tr[data-inject-id][data-kind=road_closure]", timeout=20000)
    assert "10:10" in page.inner_text("#inject-list")  # +10 min as a local clock time

    page.click("#run-drill")
    page.wait_for_url("**/drills/runs/*", timeout=60000)
    report_url = page.url.removeprefix(page.base)
    # Store 1 gets team 1; at +15 min team 2 sets off for store 2 after the closure came
    # in at +10 min and takes a longer road.
    assert page.locator(f"section[data-index='1'] tr[data-team-id='{team1.id}']").count() == 1
    detoured = page.locator(f"section[data-index='2'] tr[data-team-id='{team2.id}']")
    assert float(detoured.get_attribute("data-detour")) > 0
    closure_row = page.locator("#scenario tr[data-kind=road_closure]")
    assert team2.name in closure_row.inner_text() and "10:10" in closure_row.inner_text()
    assert "UTC" not in page.inner_text("main")

    page.fill("#evaluation-form textarea[name=went_well]", "封路后指挥部及时改派绕行路线")
    page.fill("#evaluation-form textarea[name=gaps]", "港区封路信息未同步到救援队")
    page.locator("#evaluation-form input[name=action]").first.fill("建立封路信息共享机制")
    page.locator("#evaluation-form input[name=owner]").first.fill("市应急局指挥中心")
    page.locator("#evaluation-form input[name=due_on]").first.fill("2027-01-31")
    page.click("#save-evaluation")
    assert "演练评估已保存" in page.locator(".flash.success").inner_text()
    assert page.input_value("#evaluation-form input[name=owner] >> nth=0") == "市应急局指挥中心"

    choices = page.locator("#plan-drill-form input[name=plan_id]")
    offered = {choices.nth(i).get_attribute("value") for i in range(choices.count())}
    assert offered == {str(government.id), str(scenario["own"].id)}
    page.check(f"#plan-drill-form input[data-plan-id='{government.id}']")
    page.click("#record-plan-drills")
    assert "已记录" in page.locator(".flash.success").inner_text()
    assert page.is_disabled(f"#plan-drill-form input[data-plan-id='{government.id}']")

    assert str(government.id) not in _clerk_sees(browser, live_server)
    db.session.rollback()  # end the test's read transaction: see what the server wrote
    assert db.session.get(Plan, government.id).last_drill_on is not None
    assert db.session.get(Plan, scenario["own"].id).last_drill_on is None  # not ticked
    # The drill touched nothing live: no road closed, every team still available.
    assert db.session.scalar(select(func.count()).select_from(RoadClosure)) == 0
    assert {db.session.get(RescueTeam, t.id).status for t in (team1, team2)} == {"available"}
    assert page.log.problems() == []
    _screens(browser, live_server, {"editor": drill_url, "report": report_url})
