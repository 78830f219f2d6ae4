"""The drill editor as an organizer uses it: click the map to place a simulated incident,
run the drill, read the report — and the live registry does not move."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select

from responder.models import RescueTeam, User, db
from responder.services import accounts, drills
from tests.fixtures.browser import ARTIFACTS, click_map_at, sign_in
from tests.fixtures.dispatch import central_node

pytestmark = pytest.mark.browser


@pytest.fixture
def app(roads_app: Flask) -> Flask:
    return roads_app


def test_click_to_place_run_and_report(page, world, times_to, app):
    target = central_node(world.network)
    reference = times_to(target)
    near = min((n for n, t in reference.items() if t > 120), key=lambda n: reference[n])
    team = world.add_team(near, ["fire"], name="演练消防队")
    admin = db.session.scalar(select(User).where(User.username == "admin"))
    drill = drills.create(
        db.session,
        accounts.actor_for(admin),
        {"name": "港区夜间火灾演练", "start_at": datetime(2026, 11, 23, 2, 0, tzinfo=UTC)},
        network=app.extensions["responder.roads"],
        snap_max_m=app.config["SNAP_MAX_M"],
    )
    db.session.commit()

    sign_in(page)
    page.goto(f"{page.base}/drills/{drill.id}")
    page.wait_for_selector("body[data-map-ready=yes]", timeout=20000)
    assert "【演练】" in page.content()

    add = "#drill-incident-form button[type=submit]"
    assert page.is_disabled(add)  # nothing to add before a point is chosen on the map
    lon, lat = world.node_point(target)
    click_map_at(page, lon, lat)
    assert page.is_enabled(add)
    assert abs(float(page.input_value("input[name=lon]")) - lon) < 1e-3
    page.select_option("#drill-incident-form select[name=type]", "fire_explosion")
    page.click("#drill-incident-form button[type=submit]")
    page.wait_for_selector("tr[data-incident-id]", timeout=20000)

    page.click("#run-drill")
    page.wait_for_url("**/drills/runs/*", timeout=30000)
    report = page.content()
    assert "【演练】" in report and "演练消防队" in report
    assert "危险化学品 需要 1 支，可派 0 支" in report  # unmet needs in the page language
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(Path(ARTIFACTS) / "drill_report.png"), full_page=True)
    assert "准备（分钟）" in report and "路程（分钟）" in report  # the columns carry their unit
    assert "UTC" not in page.inner_text("main")  # local clock times (Asia/Shanghai)
    db.session.rollback()
    assert db.session.get(RescueTeam, team.id).status == "available"
    assert page.log.problems() == []
