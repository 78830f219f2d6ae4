"""Injects, the evaluation and recording a run as a plan drill, over the API and the pages:
validation naming the field (one service path for both), role checks, CSRF, audit, and a
drill with injects leaving every live table as it was."""

from __future__ import annotations

import hashlib
import html as html_lib
import re
from datetime import date, timedelta

from sqlalchemy import select

from responder.models import AuditEntry, Base, Enterprise, Plan, db
from tests.fixtures.dispatch import central_node

START = "2026-03-01T09:00:00+08:00"
DRILL_TABLES = {"drills", "drill_incidents", "drill_injects", "drill_runs", "audit_log"}


def new_drill(api, world, node, **incident):
    lon, lat = world.node_point(node)
    body = {
        "name": "注入演练",
        "start_at": START,
        "incidents": [
            {"type": "hazchem_leak", "severity": "general", "lon": lon, "lat": lat, **incident}
        ],
    }
    response = api.post("/api/v1/drills", json=body)
    assert response.status_code == 201, response.json
    return response.json


def add_inject(api, drill_id, **body):
    return api.post(f"/api/v1/drills/{drill_id}/injects", json=body)


def test_bad_injects_are_refused_naming_the_field(world, login_as, sign_in):
    scene = central_node(world.network)
    lon, lat = world.node_point(scene)
    team = world.add_team(scene, ["hazchem"])
    api = login_as("drill_organizer")
    drill = new_drill(api, world, scene)
    incident_id = drill["incidents"][0]["id"]
    cases = [
        ({"kind": "meteor", "at_min": 5}, "kind"),
        ({"kind": "team_unavailable", "at_min": -1, "team_id": team.id}, "at_min"),
        ({"kind": "team_unavailable", "at_min": "soon", "team_id": team.id}, "at_min"),
        ({"kind": "team_unavailable", "at_min": 5, "team_id": 999_999}, "team_id"),
        ({"kind": "team_unavailable", "at_min": 5}, "team_id"),
        ({"kind": "road_closure", "at_min": 5, "lon": lon + 1.0, "lat": lat}, "lon"),
        ({"kind": "road_closure", "at_min": 5}, "lon"),
        ({"kind": "road_closure", "at_min": 5, "line": [[lon, lat]]}, "line"),
        ({"kind": "road_closure", "at_min": 5, "lon": lon, "lat": lat, "radius_m": 0}, "radius_m"),
        (
            {"kind": "severity_raised", "at_min": 5, "incident_id": 999, "severity": "major"},
            "incident_id",
        ),
        (
            {
                "kind": "severity_raised",
                "at_min": 5,
                "incident_id": incident_id,
                "severity": "general",
            },
            "severity",
        ),
        ({"kind": "second_incident", "at_min": 5, "severity": "general"}, "type"),
        (
            {"kind": "second_incident", "at_min": 5, "type": "collapse", "enterprise_id": 999},
            "enterprise_id",
        ),
    ]
    for body, field in cases:
        response = add_inject(api, drill["id"], **body)
        assert response.status_code in (400, 422), (body, response.status_code)
        assert response.json["error"]["field"] == field, (body, response.json)
    assert api.get(f"/api/v1/drills/{drill['id']}").json["injects"] == []

    # The page form goes through the same service: the message sits beside the field.
    client = sign_in("drill_organizer")
    token = re.search(
        r'name="csrf_token" value="([^"]+)"', client.get("/drills").get_data(as_text=True)
    ).group(1)
    # Only the drill's owner edits it: another organizer's form is refused.
    refused = client.post(
        f"/drills/{drill['id']}/injects",
        data={"csrf_token": token, "kind": "team_unavailable", "at_min": "5", "team_id": "1"},
    )
    assert refused.status_code == 403
    assert api.get(f"/api/v1/drills/{drill['id']}").json["injects"] == []


def test_the_editor_form_shows_the_error_beside_the_field(world, login_as, sign_in, app):
    scene = central_node(world.network)
    client = sign_in("drill_organizer")
    token = re.search(
        r'name="csrf_token" value="([^"]+)"', client.get("/drills").get_data(as_text=True)
    ).group(1)
    created = client.post(
        "/drills",
        data={"csrf_token": token, "name": "表单演练", "start_at": "2026-03-01T09:00"},
    )
    drill_id = int(created.headers["Location"].rsplit("/", 1)[1])
    page = client.get(f"/drills/{drill_id}").get_data(as_text=True)
    assert "2026-03-01 09:00" in page  # the form's local time, shown as local time
    response = client.post(
        f"/drills/{drill_id}/injects",
        data={"csrf_token": token, "kind": "team_unavailable", "at_min": "5", "team_id": "424242"},
    )
    assert response.status_code == 422
    text = response.get_data(as_text=True)
    assert 'data-field="team_id"' in text and "所选记录不存在" in text
    lon, lat = world.node_point(scene)
    ok = client.post(
        f"/drills/{drill_id}/injects",
        data={"csrf_token": token, "kind": "road_closure", "at_min": "10", "lon": lon, "lat": lat},
    )
    assert ok.status_code == 302
    page = client.get(f"/drills/{drill_id}").get_data(as_text=True)
    assert 'data-kind="road_closure"' in page and "09:10" in page and "UTC" not in page
    without_token = client.post(
        f"/drills/{drill_id}/injects",
        data={"kind": "road_closure", "at_min": "10", "lon": lon, "lat": lat},
    )
    assert without_token.status_code == 400
    assert len(client.get(f"/api/v1/drills/{drill_id}").json["injects"]) == 1


def table_digests():
    digests = {}
    for table in Base.metadata.sorted_tables:
        if table.name in DRILL_TABLES:
            continue
        rows = db.session.execute(select(table).order_by(*table.primary_key.columns)).all()
        digests[table.name] = hashlib.sha256(repr(rows).encode()).hexdigest()
    return digests


def test_a_drill_with_every_kind_of_inject_changes_nothing_live(world, login_as, times_to):
    scene = central_node(world.network)
    to_scene = times_to(scene)
    near = sorted((n for n, t in to_scene.items() if 60 < t < 600), key=to_scene.get)
    hazchem = [world.add_team(near[i * 5], ["hazchem"]) for i in range(3)]
    world.add_depot(near[0], {"protective_suit": 20})
    api = login_as("drill_organizer")
    drill = new_drill(api, world, scene)
    incident_id = drill["incidents"][0]["id"]
    lon, lat = world.node_point(near[10])
    closed_lon, closed_lat = world.node_point(near[20])
    for body in (
        {"kind": "road_closure", "at_min": 2, "lon": closed_lon, "lat": closed_lat},
        {"kind": "team_unavailable", "at_min": 3, "team_id": hazchem[2].id},
        {
            "kind": "second_incident",
            "at_min": 4,
            "type": "hazchem_leak",
            "severity": "general",
            "lon": lon,
            "lat": lat,
        },
        {"kind": "severity_raised", "at_min": 6, "incident_id": incident_id, "severity": "larger"},
    ):
        response = add_inject(api, drill["id"], **body)
        assert response.status_code == 201, response.json
    db.session.commit()
    before = table_digests()
    audit_before = db.session.scalar(select(db.func.max(AuditEntry.id)))
    db.session.expire_all()

    result = api.post(f"/api/v1/drills/{drill['id']}/runs", json={}).json
    incidents = result["results"]["incidents"]
    assert [e["incident"].get("inject_id") is not None for e in incidents] == [False, True]
    first, second = incidents
    sent_first = [t["team_id"] for t in first["teams"] if t["specialty"] == "hazchem"]
    # The nearest hazchem team goes at +0; at +4 the second incident gets the second team
    # (the third went out of service at +3); at +6 the raise to "larger" (2 hazchem teams)
    # finds no free one left.
    assert sent_first[0] == hazchem[0].id
    assert [t["team_id"] for t in second["teams"] if t["specialty"] == "hazchem"] == [hazchem[1].id]
    assert first["raised"]["severity"] == "larger"
    assert any(u.get("reinforcement") and u["kind"] == "team" for u in first["unmet"])
    kinds = [i["kind"] for i in result["results"]["injects"]]
    assert kinds == ["road_closure", "team_unavailable", "second_incident", "severity_raised"]
    assert result["results"]["injects"][0]["at"] == "2026-03-01T01:02:00+00:00"  # 09:02 local

    csv_text = api.get(f"/api/v1/drill-runs/{result['id']}/timeline.csv").get_data(as_text=True)
    assert "inject: team_unavailable" in csv_text and hazchem[2].name in csv_text

    db.session.expire_all()
    assert table_digests() == before  # no live closure, team status or stock moved
    new_entries = db.session.scalars(select(AuditEntry).where(AuditEntry.id > audit_before)).all()
    assert [(e.entity, e.action) for e in new_entries] == [("drill", "run")]


def _filed(**fields):
    published = date.today() - timedelta(days=3 * 365)
    plan = Plan(status="filed", published_on=published, filed_on=published, **fields)
    db.session.add(plan)
    db.session.flush()
    return plan


def test_evaluation_and_recording_as_plan_drills(world, login_as, app):
    scene = central_node(world.network)
    lon, lat = world.node_point(scene)
    world.add_team(scene, ["hazchem"])
    store = Enterprise(
        name="储罐企业",
        credit_code="91330100MA0000E131",
        industry="hazchem_storage",
        jurisdiction_id=world.west.id,
        lon=lon,
        lat=lat,
    )
    db.session.add(store)
    db.session.flush()
    own = _filed(
        owner_kind="enterprise",
        enterprise_id=store.id,
        jurisdiction_id=world.west.id,
        title="储罐企业综合预案",
        plan_type="comprehensive",
        filing_number="E-131",
    )
    government = _filed(
        owner_kind="government",
        jurisdiction_id=world.west.parent_id,
        owner_body="滨海市人民政府",
        title="危化事故专项预案",
        plan_type="special",
        incident_types=["hazchem_leak"],
        filing_number="G-131",
    )
    _filed(  # another type's plan: not offered
        owner_kind="government",
        jurisdiction_id=world.west.parent_id,
        title="矿山事故专项预案",
        plan_type="special",
        incident_types=["mine_accident"],
        filing_number="G-132",
    )
    db.session.commit()
    owner = login_as("drill_organizer")
    response = owner.post(
        "/api/v1/drills",
        json={
            "name": "评估演练",
            "start_at": START,
            "incidents": [
                {"type": "hazchem_leak", "severity": "general", "enterprise_id": store.id}
            ],
        },
    )
    assert response.status_code == 201, response.json
    assert response.json["incidents"][0]["lon"] == lon  # placed where the enterprise is
    run = owner.post(f"/api/v1/drills/{response.json['id']}/runs", json={}).json
    plans = owner.get(f"/api/v1/drill-runs/{run['id']}/plans").json
    assert [(p["id"], p["role"]) for p in plans] == [
        (own.id, "enterprise"),
        (government.id, "government"),
    ]

    url = f"/api/v1/drill-runs/{run['id']}/evaluation"
    body = {
        "went_well": "响应迅速",
        "gaps": "防化服不足",
        "actions": [{"action": "补充防化服", "owner": "物资科", "due_on": "2026-12-31"}],
    }
    assert login_as("viewer").put(url, json=body).status_code == 403
    assert login_as("drill_organizer").put(url, json=body).status_code == 403  # not the owner
    record_url = f"/api/v1/drill-runs/{run['id']}/plans"
    early = owner.post(record_url, json={"plan_ids": [government.id]})
    assert early.status_code == 422 and early.json["error"]["field"] == "evaluation"
    bad = owner.put(url, json={**body, "actions": [{"action": "补充", "due_on": "2026-12-31"}]})
    assert bad.status_code == 422 and bad.json["error"]["field"] == "actions.0.owner"
    saved = owner.put(url, json=body)
    assert saved.status_code == 200 and saved.json["actions"][0]["owner"] == "物资科"

    stranger = owner.post(record_url, json={"plan_ids": [999]})
    assert stranger.status_code == 422 and stranger.json["error"]["field"] == "plan_ids"
    recorded = owner.post(record_url, json={"plan_ids": [government.id, own.id]})
    assert recorded.status_code == 201, recorded.json
    assert len(recorded.json["record_ids"]) == 2  # one record per plan owner
    again = owner.post(record_url, json={"plan_ids": [government.id]})
    assert again.status_code == 409
    db.session.expire_all()
    local_day = db.session.get(Plan, government.id).last_drill_on
    assert local_day is not None and db.session.get(Plan, own.id).last_drill_on == local_day
    actions = [
        (e.entity, e.action)
        for e in db.session.scalars(select(AuditEntry).order_by(AuditEntry.id))
        if e.entity in {"drill_run", "drill_record"}
    ]
    assert actions == [
        ("drill_run", "evaluate"),
        ("drill_record", "record_drill"),
        ("drill_record", "record_drill"),
        ("drill_run", "record_plan_drill"),
    ]
    evaluation = owner.get(f"/api/v1/drill-runs/{run['id']}").json["evaluation"]
    assert [sorted(r["plan_ids"]) for r in evaluation["records"]] == [[own.id], [government.id]]


def map_document(html: str) -> str:
    """The map's own document out of a page (its iframe's ``srcdoc``)."""
    found = re.search(r'<iframe class="map"[^>]* srcdoc="([^"]*)"', html)
    assert found, "no map on the page"
    return html_lib.unescape(found.group(1))


def unavailable_markers(document: str) -> list[str]:
    """The ``[lat, lon]`` of every team-unavailable badge on the map."""
    return re.findall(
        r"L\.marker\(\s*(\[[^\]]+\])[^;]*;\s*var \w+ = L\.divIcon\(\{\s*"
        r'"html": "(?:[^"\\]|\\.)*fa-user-slash(?:[^"\\]|\\.)*",[^}]*'
        r'"className": "responder-team-out"',
        document,
    )


def test_a_team_taken_out_by_an_inject_is_drawn_where_it_stands(world, login_as, sign_in):
    scene = central_node(world.network)
    world.add_team(scene, ["hazchem"])
    out = world.add_team(scene + 7, ["fire"], name="东区消防站`${x}`")
    api = login_as("drill_organizer")
    drill = new_drill(api, world, scene)
    response = add_inject(
        api, drill["id"], kind="team_unavailable", at_min=10, team_id=out.id, note="<b>维修</b>"
    )
    assert response.status_code == 201, response.json
    where = f"[{out.lat}, {out.lon}]"

    client = sign_in("drill_organizer")
    editor = map_document(client.get(f"/drills/{drill['id']}").get_data(as_text=True))
    assert unavailable_markers(editor) == [where]
    assert "队伍不可用 +10 分钟 (09:10) 东区消防站&#96;&#36;{x}&#96;" in editor
    assert "&lt;b&gt;维修&lt;/b&gt;" in editor and "<b>维修" not in editor  # popups escaped
    assert 'fa-user-slash"></i></span>队伍不可用</div>' in editor  # the legend line

    run = api.post(f"/api/v1/drills/{drill['id']}/runs", json={}).json
    (inject,) = run["results"]["injects"]
    assert (inject["team_lon"], inject["team_lat"]) == (out.lon, out.lat)
    report = client.get(f"/drills/runs/{run['id']}/map.html").get_data(as_text=True)
    assert unavailable_markers(report) == [where]
    assert 'fa-user-slash"></i></span>队伍不可用</div>' in report
    page = map_document(client.get(f"/drills/runs/{run['id']}").get_data(as_text=True))
    assert unavailable_markers(page) == [where]
    # The page's language, English here, words the legend (the choice sticks).
    english = map_document(client.get(f"/drills/{drill['id']}?lang=en").get_data(as_text=True))
    assert 'fa-user-slash"></i></span>Team unavailable</div>' in english
    assert "队伍不可用" not in english
