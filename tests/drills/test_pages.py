"""Drill and coverage pages: editor, report, exports, comparison; the DRILL watermark."""

from __future__ import annotations

import csv
import io

from responder.models import db
from responder.services import credit_codes, registry
from responder.services.actors import SYSTEM
from responder.services.resources import ENTERPRISES, HAZARD_SOURCES
from tests.fixtures.dispatch import central_node

WATERMARK = "【演练】 DRILL"


def make_drill(api, world, node):
    lon, lat = world.node_point(node)
    response = api.post(
        "/api/v1/drills",
        json={
            "name": "港区危化演练",
            "start_at": "2026-03-01T09:00:00+08:00",
            "incidents": [
                {
                    "type": "hazchem_leak",
                    "severity": "general",
                    "lon": lon,
                    "lat": lat,
                    "offset_min": 0,
                    "note": "储罐泄漏",
                }
            ],
        },
    )
    assert response.status_code == 201, response.json
    return response.json


def test_drill_pages_carry_the_watermark_and_exports_work(world, login_as, sign_in):
    scene = central_node(world.network)
    hazchem = world.add_team(scene, ["hazchem"])
    world.add_team(scene + 1, ["fire"])
    world.add_team(scene + 2, ["medical"])
    api = login_as("drill_organizer")
    drill = make_drill(api, world, scene)
    first = api.post(f"/api/v1/drills/{drill['id']}/runs", json={}).json
    # Between the runs the hazchem team goes out of service: the comparison must say so.
    hazchem.status = "unavailable"
    db.session.commit()
    second = api.post(f"/api/v1/drills/{drill['id']}/runs", json={}).json

    client = sign_in("drill_organizer")
    pages = [
        "/drills",
        f"/drills/{drill['id']}",
        f"/drills/runs/{first['id']}",
        f"/drills/runs/{first['id']}/compare?other={second['id']}",
    ]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        assert WATERMARK in response.get_data(as_text=True), url
    report = client.get(f"/drills/runs/{first['id']}").get_data(as_text=True)
    assert hazchem.name in report and "window.print()" in report
    assert "&#12304;&#28436;&#32451;&#12305;" in report or "【演练】" in report  # map watermark

    compare = client.get(f"/drills/runs/{first['id']}/compare?other={second['id']}")
    text = compare.get_data(as_text=True)
    assert "available → unavailable" in text
    assert "no available" in text  # the hazchem need is unmet in the second run

    exported = client.get(f"/drills/runs/{first['id']}/map.html?download=1")
    assert exported.status_code == 200
    assert "attachment" in exported.headers["Content-Disposition"]
    assert WATERMARK in exported.get_data(as_text=True)

    response = client.get(f"/api/v1/drill-runs/{first['id']}/timeline.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    teams = [r for r in rows if r["team_id"]]
    assert {int(r["team_id"]) for r in teams} >= {hazchem.id}
    assert all(r["drill_id"] == str(drill["id"]) for r in rows)
    assert all(r["met"] in {"met", "MISSED", "not judged"} for r in teams)


def test_comparison_refuses_runs_of_different_drills(world, login_as):
    scene = central_node(world.network)
    world.add_team(scene, ["hazchem"])
    api = login_as("drill_organizer")
    runs = [
        api.post(f"/api/v1/drills/{make_drill(api, world, scene)['id']}/runs", json={}).json
        for _ in range(2)
    ]
    response = api.get(f"/api/v1/drill-runs/{runs[0]['id']}/compare/{runs[1]['id']}")
    assert response.status_code == 422 and response.json["error"]["field"] == "other"


def test_only_organizers_write_and_only_owners_edit(world, login_as):
    scene = central_node(world.network)
    lon, lat = world.node_point(scene)
    body = {"name": "x", "start_at": "2026-03-01T09:00:00Z", "incidents": []}
    assert login_as("operator").post("/api/v1/drills", json=body).status_code == 403
    owner = login_as("drill_organizer")
    drill = owner.post("/api/v1/drills", json=body).json
    other = login_as("drill_organizer")
    incident = {"type": "collapse", "severity": "general", "lon": lon, "lat": lat}
    assert other.post(f"/api/v1/drills/{drill['id']}/incidents", json=incident).status_code == 403
    assert owner.post(f"/api/v1/drills/{drill['id']}/incidents", json=incident).status_code == 201
    bad = owner.post(f"/api/v1/drills/{drill['id']}/incidents", json={**incident, "offset_min": -5})
    assert bad.status_code == 422 and bad.json["error"]["field"] == "offset_min"
    far = owner.post(f"/api/v1/drills/{drill['id']}/incidents", json={**incident, "lon": lon + 1.0})
    assert far.status_code == 422 and far.json["error"]["field"] == "lon"
    assert len(owner.get(f"/api/v1/drills/{drill['id']}").json["incidents"]) == 1
    empty = owner.post("/api/v1/drills", json=body).json
    response = owner.post(f"/api/v1/drills/{empty['id']}/runs", json={})
    assert response.status_code == 422 and response.json["error"]["field"] == "incidents"


def test_coverage_page_and_what_if_watermark(world, sign_in, login_as):
    scene = central_node(world.network)
    team = world.add_team(scene, ["hazchem"])
    lon, lat = world.node_point(scene + 3)
    enterprise = registry.create(
        db.session,
        SYSTEM,
        ENTERPRISES,
        {
            "name": "化工厂",
            "credit_code": credit_codes.make("91330103000000001"),
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
            "name": "液氨罐区",
            "enterprise_id": enterprise.id,
            "grade": 1,
            "substances": [],
            "monitored": True,
        },
    )
    db.session.commit()
    client = sign_in("viewer")
    page = client.get("/coverage?specialty=hazchem")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "液氨罐区" in text and WATERMARK not in text
    what_if = client.get(f"/coverage?specialty=hazchem&away={team.id}&k=2")
    text = what_if.get_data(as_text=True)
    assert what_if.status_code == 200 and WATERMARK in text
    # Every team picked in the multi-select counts (an unknown second one is refused).
    both = client.get(f"/coverage?specialty=hazchem&away={team.id}&away=999999")
    assert both.status_code == 422
    api = login_as("viewer")
    figures = api.get(
        "/api/v1/coverage", query_string={"specialty": "hazchem", "away": str(team.id)}
    ).json
    figures = figures["specialties"][0]
    assert figures["hazard_sources"] == {"covered": 0, "total": 1, "share": 0.0}
    assert figures["what_if"]["baseline"]["hazard_sources"]["covered"] == 1
    assert [h["name"] for h in figures["what_if"]["newly_uncovered_hazard_sources"]] == ["液氨罐区"]
    sites = api.get(
        "/api/v1/coverage/sites",
        query_string={"specialty": "hazchem", "away": str(team.id), "candidates": "nodes", "k": 2},
    ).json
    assert sites["picks"][0]["gain"] == 1 and len(sites["picks"]) == 1
