"""The operator console as a person uses it: sign in, click the map to place an incident,
see the ranked proposal, confirm it, and follow the team's status."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask

from responder.models import RescueTeam, db
from tests.fixtures.browser import ARTIFACTS, click_map_at, sign_in
from tests.fixtures.dispatch import central_node

pytestmark = pytest.mark.browser


@pytest.fixture
def app(roads_app: Flask) -> Flask:
    return roads_app


def test_place_propose_confirm_and_follow(page, world, times_to):
    target = central_node(world.network)
    reference = times_to(target)
    near = min((n for n, t in reference.items() if t > 120), key=lambda n: reference[n])
    team = world.add_team(near, ["fire"], name="滨海消防一中队")
    world.add_team(near, ["medical"], name="滨海急救站")
    world.add_depot(near, {"foam_concentrate": 20, "breathing_apparatus": 30})

    sign_in(page)
    page.goto(f"{page.base}/console")
    page.wait_for_selector("body[data-map-ready=yes]", timeout=20000)

    lon, lat = world.node_point(target)
    click_map_at(page, lon, lat)
    assert abs(float(page.input_value("input[name=lon]")) - lon) < 1e-3
    assert abs(float(page.input_value("input[name=lat]")) - lat) < 1e-3

    page.select_option("select[name=type]", "fire_explosion")
    page.select_option("select[name=severity]", "general")
    page.click("#place-incident")
    page.wait_for_selector("#proposal .team-options tbody tr", timeout=20000)
    first_row = page.locator("#proposal .team-options tbody tr").first
    assert "滨海消防一中队" in first_row.inner_text()
    assert first_row.locator("input").is_checked()
    assert page.locator("#proposal .material-options tbody tr").count() >= 1

    page.click("#confirm-dispatch")
    page.wait_for_selector("#proposal .flash.success", timeout=20000)
    db.session.rollback()
    assert db.session.get(RescueTeam, team.id).status == "dispatched"

    page.click("#open-incidents a")
    page.wait_for_selector(".incident-page[data-ready=yes]", timeout=20000)
    row = page.locator("#assignments tr", has_text="滨海消防一中队")
    assert "途中" in row.inner_text()
    row.locator("[data-advance]").click()
    page.wait_for_selector("#assignments td.state-on_scene", timeout=20000)
    assert page.inner_text("#assignments td.state-on_scene") == "到场"
    db.session.rollback()
    assert db.session.get(RescueTeam, team.id).status == "on_scene"
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(Path(ARTIFACTS) / "console.png"), full_page=True)
    # A poll in flight when the page navigates away is aborted by the browser, harmlessly.
    assert [p for p in page.log.problems() if "ERR_ABORTED" not in p] == []


def test_another_operators_dispatch_shows_up_within_seconds(page, world, times_to, login_as):
    target = central_node(world.network)
    reference = times_to(target)
    near = min((n for n, t in reference.items() if t > 120), key=lambda n: reference[n])
    world.add_team(near, ["fire"], name="滨海消防一中队")
    medic = world.add_team(near, ["medical"], name="滨海急救站")
    other_operator = login_as("operator")

    sign_in(page)
    page.goto(f"{page.base}/console")
    page.wait_for_selector("body[data-map-ready=yes]", timeout=20000)
    lon, lat = world.node_point(target)
    page.fill("input[name=lon]", str(lon))
    page.fill("input[name=lat]", str(lat))
    page.click("#place-incident")
    page.wait_for_selector(f'[data-team-row="{medic.id}"]', timeout=20000)
    assert page.locator("#stale").is_hidden()

    # Another operator, elsewhere, sends the medical team to their own incident.
    theirs = other_operator.post(
        "/api/v1/incidents",
        json={"type": "collapse", "severity": "general", "lon": lon, "lat": lat},
    )
    assert theirs.status_code == 201, theirs.json
    taken = other_operator.post(
        f"/api/v1/incidents/{theirs.json['id']}/dispatch",
        json={"teams": [{"team_id": medic.id}], "deviation_reason": "就近调派"},
    )
    assert taken.status_code == 201

    page.wait_for_selector(f'[data-team-row="{medic.id}"].taken', timeout=10000)
    assert page.locator("#stale").is_visible()
    page.click("#confirm-dispatch")
    page.wait_for_function(
        "() => (document.querySelector('#proposal .flash.error') || {}).textContent?"
        ".includes('no longer available')",
        timeout=10000,
    )
    db.session.rollback()
    assert db.session.get(RescueTeam, medic.id).status == "dispatched"
    # The refused confirmation (409) is the point of this test, not a problem.
    problems = [p for p in page.log.problems() if "409" not in p]
    assert problems == []


def test_registry_markers_come_from_json_and_show_names_as_text(page, world, times_to):
    """The console's registry layers are drawn by map_points.js from the page's JSON: each
    record is a marker named after it, with its name as popup text (a hostile name runs
    nothing); clicking a marker places no incident; the layer switch hides a layer."""
    target = central_node(world.network)
    reference = times_to(target)
    near = min((n for n, t in reference.items() if t > 120), key=lambda n: reference[n])
    hostile = '<script>alert("x")</script><img src=x onerror=alert(2)>消防队'
    world.add_team(near, ["fire"], name=hostile)
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))

    sign_in(page)
    page.goto(f"{page.base}/console")
    page.wait_for_selector("body[data-map-ready=yes]", timeout=20000)
    frame = page.frame_locator("iframe.map")
    team = frame.get_by_role("button", name=hostile, exact=True)
    team.wait_for(timeout=10000)
    shown = page.evaluate(  # the points of the layers switched on (企业 starts off)
        """() => {
             const frame = document.querySelector('iframe.map'), win = frame.contentWindow;
             const map = win[frame.dataset.mapName];
             return [...win.document.querySelectorAll('script.responder-points')]
               .map((block) => JSON.parse(block.textContent))
               .filter((data) => map.hasLayer(win[data.group]))
               .reduce((n, data) => n + data.points.length, 0);
           }"""
    )
    icons = frame.locator(".leaflet-marker-pane .awesome-marker")
    assert shown >= 5 and icons.count() == shown
    assert "awesome-marker-icon-red" in team.get_attribute("class")  # the specialty's colour
    assert team.locator("i.fa-fire").count() == 1  # and icon
    team.click()
    popup = frame.locator(".leaflet-popup-content .responder-popup")
    popup.wait_for(timeout=5000)
    assert popup.locator("strong").inner_text() == hostile
    assert popup.locator("th").inner_text() == "专业" and popup.locator("td").inner_text() == "消防"
    assert popup.locator("script, img").count() == 0
    assert page.input_value("input[name=lon]") == ""  # a marker click chooses no place

    frame.locator(".leaflet-control-layers").hover()
    frame.locator(".leaflet-control-layers label", has_text="队伍 · 待命").locator(
        "input"
    ).uncheck()
    team.wait_for(state="detached", timeout=5000)
    assert 0 < icons.count() < shown
    page.wait_for_timeout(200)  # an <img onerror> would have fired by now
    assert dialogs == []
    assert page.log.problems() == []
