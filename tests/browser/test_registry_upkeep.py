"""Keeping the registry true from the pages, as an office does it: import teams from the
downloaded template (a bad row first, refused with nothing stored), then edit a team, verify
a stock line and take a team out for repair, and see a new proposal leave it out."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import openpyxl
import pytest
from flask import Flask
from sqlalchemy import select

from responder import crs
from responder.models import InventoryLine, RescueTeam, db
from responder.services import accounts
from responder.services.actors import SYSTEM
from tests.browser.test_registry_pages import MARKERS
from tests.dispatch.test_proposal import place_incident, propose
from tests.fixtures.browser import ARTIFACTS, PASSWORD, sign_in
from tests.fixtures.dispatch import central_node

pytestmark = pytest.mark.browser


@pytest.fixture
def app(roads_app: Flask) -> Flask:
    return roads_app


def _fill(template: Path, rows: list[dict[str, Any]], out: Path) -> Path:
    """The downloaded template with ``rows`` written under its headers, as a clerk would."""
    workbook = openpyxl.load_workbook(template)
    sheet = workbook.active
    headers = [cell.value for cell in sheet[1]]
    for row in rows:
        sheet.append([row.get(header, "") for header in headers])
    workbook.save(out)
    return out


def _import(page: Any, path: Path) -> str:
    page.set_input_files("#import-file", str(path))
    page.wait_for_selector("#preview:not([hidden]) #preview-table tbody tr", timeout=10000)
    page.evaluate("delete document.body.dataset.importState")
    page.click("#import-run")
    page.wait_for_selector("body[data-import-state]", timeout=30000)
    page.wait_for_load_state("networkidle")
    return page.evaluate("document.body.dataset.importState")


def test_import_edit_verify_and_repair_leaves_the_team_out(
    page: Any,
    world: Any,
    times_to: Any,
    login_as: Any,
    tmp_path: Path,
) -> None:
    network = world.network
    target = central_node(network)
    reference = times_to(target)
    near = sorted((n for n, t in reference.items() if 60 < t < 900), key=lambda n: reference[n])
    nodes = near[0], near[len(near) // 3], near[len(near) // 2]
    depot = world.add_depot(near[-1], {"foam_concentrate": 20})
    accounts.create_user(db.session, SYSTEM, username="ops", password=PASSWORD, role="operator")
    db.session.commit()

    # The clerk's file: three teams, the third in GCJ-02 as a Chinese web map gives it.
    points = [world.node_point(n) for n in nodes]
    gcj_lon, gcj_lat = crs.from_wgs84(*points[2], "gcj02")
    rows = [
        {"名称": "导入消防一队", "专业": "消防", "级别": "县级", "性质": "专职", "人数": 10,
         "经度": points[0][0], "纬度": points[0][1]},
        {"名称": "导入消防二队", "专业": "消防", "级别": "县级", "性质": "专职", "人数": "十二",
         "经度": points[1][0], "纬度": points[1][1]},
        {"名称": "导入消防三队", "专业": "消防", "级别": "县级", "性质": "专职", "人数": 8,
         "经度": gcj_lon, "纬度": gcj_lat, "坐标系": "GCJ-02"},
    ]  # fmt: skip

    sign_in(page, "ops")
    page.goto(f"{page.base}/teams")
    page.wait_for_load_state("networkidle")  # the map's images, before leaving the page
    page.click("text=批量导入")
    with page.expect_download() as download:
        page.click("#template-xlsx")
    template = tmp_path / "template.xlsx"
    download.value.save_as(template)

    state = _import(page, _fill(template, rows, tmp_path / "bad.xlsx"))
    assert state == "rejected"
    page.screenshot(path=str(ARTIFACTS / "registry-import-rejected.png"), full_page=True)
    problem = page.locator("#problems-table tbody tr").first.inner_text()
    assert "3" in problem and "人数" in problem and "不是有效的整数" in problem
    db.session.rollback()
    assert db.session.scalars(select(RescueTeam).where(RescueTeam.name.like("导入%"))).all() == []

    rows[1]["人数"] = 12
    assert _import(page, _fill(template, rows, tmp_path / "good.xlsx")) == "done"
    assert page.evaluate("document.getElementById('import-progress').value") == 3
    assert "3 行已保存" in page.inner_text("#import-message")
    page.screenshot(path=str(ARTIFACTS / "registry-import.png"), full_page=True)

    db.session.rollback()
    imported = {
        t.name: t
        for t in db.session.scalars(select(RescueTeam).where(RescueTeam.name.like("导入%")))
    }
    assert len(imported) == 3
    for name, node in zip(("导入消防一队", "导入消防二队", "导入消防三队"), nodes, strict=True):
        team = imported[name]
        assert (team.lon, team.lat) == pytest.approx(world.node_point(node), abs=1e-6)
        snap = network.snap(team.lon, team.lat)
        assert snap.distance_m < 5, f"{name} is {snap.distance_m:.0f} m from its road"
    page.goto(f"{page.base}/teams?q=导入")
    assert page.locator("table.records tbody tr").count() == 3
    frame = page.frame_locator("iframe.map")
    frame.locator(MARKERS).first.wait_for(timeout=20000)
    assert frame.locator(MARKERS).count() == 3
    page.wait_for_load_state("networkidle")

    # An operator edits one team's headcount.
    first = imported["导入消防一队"]
    page.goto(f"{page.base}/teams/{first.id}")
    page.wait_for_load_state("networkidle")
    page.click("text=编辑")
    page.fill("#field-headcount", "15")
    page.wait_for_load_state("networkidle")
    page.click("button.primary")
    page.wait_for_selector(".flash.success")
    page.wait_for_load_state("networkidle")
    db.session.rollback()
    assert db.session.get(RescueTeam, first.id).headcount == 15

    # ... marks a depot's stock line verified ...
    page.goto(f"{page.base}/depots/{depot.id}")
    page.wait_for_load_state("networkidle")
    page.click("button.verify-line")
    page.wait_for_selector(".flash.success")
    page.wait_for_load_state("networkidle")
    db.session.rollback()
    line = db.session.scalar(select(InventoryLine).where(InventoryLine.depot_id == depot.id))
    assert line.verified_at is not None

    # ... and takes the nearest team out for repair until tomorrow morning.
    nearest = imported["导入消防一队"]
    page.goto(f"{page.base}/teams/{nearest.id}")
    page.wait_for_load_state("networkidle")
    page.select_option("#status-unavailable_reason", "repair")
    page.fill("#status-unavailable_note", "水罐车送修")
    page.click("text=设为不可用")
    page.wait_for_selector(".flash.success")
    page.wait_for_load_state("networkidle")
    assert "维修" in page.inner_text("table.fields")
    db.session.rollback()
    assert db.session.get(RescueTeam, nearest.id).status == "unavailable"

    api = login_as("operator")
    incident = place_incident(api, world, target, severity="major")
    offered = {o["team_id"] for o in propose(api, incident["id"], alternatives=9)["teams"]["fire"]}
    assert nearest.id not in offered
    assert {imported["导入消防二队"].id, imported["导入消防三队"].id} <= offered
    assert page.log.problems() == []
