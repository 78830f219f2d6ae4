"""An operator's night on pages, two operators in two browser contexts.

A finds an enterprise by name, places a hazmat leak there, sees its substances and plan in
the proposal and confirms; B's board shows the incident without a reload; B opens it, sets
a team on scene, raises the grade with a reason and reinforces; A closes it entering what
was used; the API then shows exactly those team states and stock levels."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np
import pytest
from flask import Flask

from responder.models import InventoryLine, Plan, RescueTeam, db
from responder.services import accounts, credit_codes, registry
from responder.services.actors import SYSTEM
from responder.services.resources import ENTERPRISES, HAZARD_SOURCES
from tests.fixtures.browser import ARTIFACTS, PASSWORD, sign_in
from tests.fixtures.dispatch import central_node, reference_graph, times_to, world  # noqa: F401

pytestmark = pytest.mark.browser


@pytest.fixture
def app(roads_app: Flask) -> Flask:
    return roads_app


def second_operator(browser, page):
    accounts.create_user(
        db.session,
        SYSTEM,
        username="b-operator",
        password=PASSWORD,
        role="operator",
        display_name="值班员乙",
    )
    db.session.commit()
    context = browser.new_context(viewport={"width": 1400, "height": 900}, locale="zh-CN")
    other = context.new_page()
    other.base = page.base
    sign_in(other, "b-operator")
    return context, other


def test_a_hazmat_night_with_two_operators(browser, page, world, registry_records):  # noqa: F811
    net = world.network
    centre = central_node(net)
    lon, lat = world.node_point(centre)
    enterprise = registry.create(
        db.session,
        SYSTEM,
        ENTERPRISES,
        {
            "name": "滨海化工储运有限公司",
            "credit_code": credit_codes.make("91330103MA2B3C9X8"),
            "industry": "hazchem_storage",
            "scale": "above",
            "lon": lon,
            "lat": lat,
        },
    )
    registry.create(
        db.session,
        SYSTEM,
        HAZARD_SOURCES,
        {
            "name": "液氯储罐区",
            "enterprise_id": enterprise.id,
            "grade": 1,
            "substances": [{"name": "液氯", "quantity_t": 50}],
            "monitored": True,
        },
    )
    near = np.argsort((net.node_lon - enterprise.lon) ** 2 + (net.node_lat - enterprise.lat) ** 2)
    teams = {
        "hazchem": world.add_team(int(near[40]), ["hazchem"], name="夜班危化救援队"),
        "fire": world.add_team(int(near[80]), ["fire"], name="夜班消防中队"),
        "medical": world.add_team(int(near[120]), ["medical"], name="夜班急救站"),
        # 30 min to get ready: whatever the roads, it ranks behind the others.
        "reserve": world.add_team(
            int(near[160]), ["hazchem", "fire"], name="夜班增援队", mobilization_min=30
        ),
    }
    depot = world.add_depot(int(near[60]), {"breathing_apparatus": 30, "absorbent_felt": 500})
    db.session.add(
        Plan(
            owner_kind="enterprise",
            enterprise_id=enterprise.id,
            jurisdiction_id=enterprise.jurisdiction_id,
            title="滨海化工储运泄漏专项预案",
            plan_type="special",
            incident_types=["hazchem_leak"],
            status="filed",
            filing_number="BA-2026-0099",
            filed_on=date.today(),
        )
    )
    db.session.commit()
    context_b, b = second_operator(browser, page)
    try:
        b.goto(f"{b.base}/board")
        b.wait_for_selector("#board tbody")

        # Operator A: board → console → search → choose → type → place → confirm.
        sign_in(page)
        page.goto(f"{page.base}/board")
        actions = 0
        page.click("a.button.primary")
        actions += 1  # 接报新事故
        page.wait_for_selector("body[data-map-ready=yes]", timeout=20000)
        page.fill("#place-q", "滨海化工")
        actions += 1
        # Not the default type, so the next assertion shows the choice set it.
        page.evaluate("document.querySelector('select[name=type]').value = 'collapse'")
        page.click(".place-hit[data-kind=enterprise]")
        actions += 1
        assert "滨海化工储运有限公司" in page.inner_text("#place-chosen")
        assert page.input_value("select[name=type]") == "hazchem_leak"  # from its industry
        page.click("#place-incident")
        actions += 1
        page.wait_for_selector("#proposal .team-options tbody tr", timeout=20000)
        panel = page.inner_text("#proposal")
        assert "液氯" in panel and "50 t" in panel
        assert "滨海化工储运泄漏专项预案" in panel
        rows = page.locator("#proposal .team-options tbody tr")
        names = [rows.nth(i).inner_text() for i in range(rows.count())]
        assert sum("夜班增援队" in n for n in names) == 1, "each team once"
        page.screenshot(path=str(Path(ARTIFACTS) / "night-proposal.png"), full_page=True)
        page.click("#confirm-dispatch")
        actions += 1
        page.wait_for_selector("#proposal .flash.success", timeout=20000)
        assert actions == 5
        db.session.rollback()
        sent = {k: db.session.get(RescueTeam, t.id).status for k, t in teams.items()}
        assert sent == {
            "hazchem": "dispatched",
            "fire": "dispatched",
            "medical": "dispatched",
            "reserve": "available",
        }

        # Operator B: the board shows it without a reload.
        b.wait_for_selector("#board tr[data-incident]", timeout=3000)
        b.screenshot(path=str(Path(ARTIFACTS) / "night-board.png"), full_page=True)
        b.click("#board tr[data-incident] a")
        b.wait_for_selector(".incident-page[data-ready=yes]", timeout=20000)
        b.wait_for_selector("#assignments button[data-advance]")
        row = b.locator("#assignments tr", has_text="夜班消防中队")
        row.locator("button[data-advance]").click()
        b.wait_for_function(
            "() => [...document.querySelectorAll('#assignments tr')].some("
            "r => r.textContent.includes('夜班消防中队') && r.textContent.includes('到场'))"
        )
        b.select_option("#record-form select[name=severity]", "major")
        b.fill("#record-form input[name=severity_reason]", "液氯持续泄漏，下风向有居民区")
        b.click("#record-form button[type=submit]")
        b.wait_for_selector("#page-status.success")
        b.click("#reinforce")
        b.wait_for_selector("#proposal .team-options tbody tr", timeout=20000)
        assert "夜班增援队" in b.inner_text("#proposal")
        b.click("#confirm-dispatch")
        b.wait_for_selector("#proposal .flash.success", timeout=20000)
        b.wait_for_function(
            "() => document.querySelector('#assignments').textContent.includes('夜班增援队')"
        )
        b.wait_for_function(
            "() => document.querySelectorAll('#close-form input[data-dispatch]').length > 2"
        )  # the reinforcement's stock joined the close form without a reload
        b.screenshot(path=str(Path(ARTIFACTS) / "night-incident.png"), full_page=True)

        # Operator A closes it, entering what was used of the breathing apparatus only.
        incident_id = b.locator(".incident-page").get_attribute("data-incident")
        page.goto(f"{page.base}/incidents/{incident_id}")
        used = page.locator("#close-form tr", has_text="空气呼吸器").locator("input").first
        used.fill("4")
        page.fill("#close-form input[name=reason]", "泄漏已封堵")
        page.click("#close-form button[type=submit]")
        page.wait_for_selector(".badge.status-closed", timeout=20000)

        final = page.request.get(f"{page.base}/api/v1/incidents/{incident_id}").json()
        assert final["status"] == "closed" and final["severity"] == "major"
        assert {a["status"] for a in final["assignments"]} == {"released"}
        on_scene = {a["team_name"] for a in final["assignments"] if a["on_scene_at"]}
        assert on_scene == {"夜班消防中队"}
        db.session.rollback()
        assert {db.session.get(RescueTeam, t.id).status for t in teams.values()} == {"available"}
        stock = {
            line.material.code: db.session.get(InventoryLine, line.id).quantity
            for line in depot.lines
        }
        assert stock == {"breathing_apparatus": 26, "absorbent_felt": 500}
        assert [p for p in page.log.problems() if "ERR_ABORTED" not in p] == []
    finally:
        context_b.close()
