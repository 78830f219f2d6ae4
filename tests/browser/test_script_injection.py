"""A hostile record name on every page and map kind shows as text and runs nothing.

Each page is opened in Chromium twice: as served (with the Content-Security-Policy) and
with the policy header stripped, so escaping is shown to hold on its own and the policy
to hold without breaking the maps.  Every popup and tooltip of every map is opened, any
dialog fails the test, and the console must stay free of errors (a CSP violation is one).
"""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask

from responder.models import db
from responder.services import credit_codes, registry
from responder.services.actors import SYSTEM
from responder.services.resources import ENTERPRISES, HAZARD_SOURCES
from tests.fixtures.browser import ARTIFACTS, sign_in
from tests.fixtures.dispatch import central_node

#: A name that breaks out of HTML, attributes, JS strings and template literals if any
#: context is escaped wrongly; every ``alert`` would open a dialog.
HOSTILE = "队${alert(1)}`+alert(2)+`<img src=x onerror=alert(3)>\\'\"</script>&amp;"

pytestmark = pytest.mark.browser

#: In a map frame: open every popup and tooltip, and say what the map shows.
OPEN_EVERYTHING = """() => {
  const maps = Object.values(window).filter((v) => v instanceof L.Map);
  const texts = [];
  maps.forEach((map) => map.eachLayer((layer) => {
    if (layer.getPopup && layer.getPopup()) {
      layer.openPopup();
      texts.push(layer.getPopup().getElement().textContent);
    }
    if (layer.getTooltip && layer.getTooltip()) {
      layer.openTooltip();
      texts.push(layer.getTooltip().getElement().textContent);
    }
  }));
  return {maps: maps.length, texts, paths: document.querySelectorAll("path").length};
}"""


@pytest.fixture
def app(roads_app: Flask) -> Flask:
    return roads_app


@pytest.fixture
def hostile_world(world: Any, login_as: Any) -> dict[str, Any]:
    """Teams, a depot, an enterprise, a hazard source and a county named :data:`HOSTILE`
    around the demo region's centre, an incident with a proposal, and a drill run."""
    scene = central_node(world.network)
    teams = [
        world.add_team(scene + offset, [kind], name=f"{HOSTILE}{offset}")
        for offset, kind in ((1, "hazchem"), (2, "fire"), (3, "medical"))
    ]
    depot = world.add_depot(scene + 4, {"foam_concentrate": 20})
    depot.name = HOSTILE
    world.west.name = HOSTILE
    world.east.name = HOSTILE + "东"
    lon, lat = world.node_point(scene)
    enterprise = registry.create(
        db.session,
        SYSTEM,
        ENTERPRISES,
        {
            "name": HOSTILE,
            "credit_code": credit_codes.make("91330103000000001"),
            "industry": "hazchem_storage",
            "scale": "above",
            "lon": lon + 0.001,
            "lat": lat,
        },
    )
    source = registry.create(
        db.session,
        SYSTEM,
        HAZARD_SOURCES,
        {
            "name": HOSTILE,
            "enterprise_id": enterprise.id,
            "grade": 1,
            "substances": [],
            "monitored": True,
        },
    )
    db.session.commit()
    operator = login_as("operator")
    incident = operator.post(
        "/api/v1/incidents",
        json={
            "type": "hazchem_leak",
            "severity": "general",
            "lon": lon,
            "lat": lat,
            "description": HOSTILE,
        },
    ).json
    proposal = operator.post(f"/api/v1/incidents/{incident['id']}/proposal")
    assert proposal.status_code in (200, 201), proposal.json
    organizer = login_as("drill_organizer")
    drill = organizer.post(
        "/api/v1/drills",
        json={
            "name": HOSTILE,
            "start_at": "2026-03-01T09:00:00+08:00",
            "incidents": [
                {
                    "type": "hazchem_leak",
                    "severity": "general",
                    "lon": lon,
                    "lat": lat,
                    "offset_min": 0,
                    "note": HOSTILE,
                }
            ],
        },
    ).json
    run = organizer.post(f"/api/v1/drills/{drill['id']}/runs", json={}).json
    return {
        "scene": (lon, lat),
        "pages": [
            "/teams",
            f"/teams/{teams[0].id}",
            "/depots",
            f"/depots/{depot.id}",
            "/enterprises",
            f"/enterprises/{enterprise.id}",
            "/hazard-sources",
            f"/hazard-sources/{source.id}",
            f"/jurisdictions/{world.west.id}",
            f"/incidents/{incident['id']}",
            f"/incidents/{incident['id']}/map.html",
            f"/drills/{drill['id']}",
            f"/drills/runs/{run['id']}",
            f"/drills/runs/{run['id']}/map.html",
            "/coverage?specialty=hazchem",
        ],
    }


def _strip_csp(route: Any) -> None:
    response = route.fetch()
    headers = {k: v for k, v in response.headers.items() if k.lower() != "content-security-policy"}
    route.fulfill(response=response, headers=headers)


def _map_frames(page: Any) -> list[Any]:
    """Every frame (the page itself for a standalone map) that holds a Leaflet map."""
    page.wait_for_load_state("load")
    frames = []
    for frame in page.frames:
        if frame.evaluate("typeof L !== 'undefined'"):
            frame.wait_for_function("() => Object.values(window).some((v) => v instanceof L.Map)")
            frames.append(frame)
    return frames


def _check_page(page: Any, dialogs: list[str], path: str) -> list[str]:
    """Open ``path``, open every popup and tooltip, return the texts the maps show."""
    page.goto(page.base + path)
    texts = []
    frames = _map_frames(page)
    assert frames, f"{path}: no map"
    for frame in frames:
        shown = frame.evaluate(OPEN_EVERYTHING)
        assert shown["maps"] >= 1 and shown["paths"] > 0, f"{path}: map drew nothing"
        texts += shown["texts"]
    page.wait_for_timeout(200)  # let an <img onerror> fire if one got through
    assert dialogs == [], f"{path}: script ran: {dialogs}"
    return texts


@pytest.mark.parametrize("csp", ["with CSP", "escaping alone"])
def test_hostile_names_show_as_text_everywhere(page: Any, hostile_world: Any, csp: str) -> None:
    dialogs: list[str] = []

    def on_dialog(dialog: Any) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", on_dialog)
    sign_in(page)
    if csp == "escaping alone":
        page.route(f"{page.base}/**", _strip_csp)
    for path in hostile_world["pages"]:
        texts = _check_page(page, dialogs, path)
        if not path.startswith("/coverage"):
            assert any(HOSTILE in text for text in texts), f"{path}: name not shown as text"
        if not path.endswith("map.html"):
            assert HOSTILE in page.locator("main").inner_text(), path

    # The console draws the proposal's routes itself (console.js), tooltips included.
    page.goto(page.base + "/console")
    page.wait_for_selector("body[data-map-ready=yes]", timeout=20000)
    lon, lat = hostile_world["scene"]
    page.fill("input[name=lon]", str(lon))
    page.fill("input[name=lat]", str(lat))
    page.select_option("select[name=type]", "hazchem_leak")
    page.click("#place-incident")
    page.wait_for_selector("#proposal .team-options tbody tr", timeout=20000)
    assert HOSTILE in page.locator("#proposal .team-options").inner_text()
    (frame,) = _map_frames(page)
    texts = frame.evaluate(OPEN_EVERYTHING)["texts"]
    # "{team}: {minutes} 分钟" (the page language's unit)
    assert any(text.startswith(HOSTILE) and text.endswith(" 分钟") for text in texts), texts
    page.wait_for_timeout(200)
    assert dialogs == []
    if csp == "with CSP":
        page.screenshot(path=str(ARTIFACTS / "console-hostile.png"), full_page=True)
    assert page.log.problems() == []
