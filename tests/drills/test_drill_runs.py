"""Running drills: teams busy until they could have returned, stock used up, nothing live
changes, drill records stay out of live lists."""

from __future__ import annotations

import hashlib
import math

import networkx as nx
import pytest
from sqlalchemy import select, text

from responder.models import AuditEntry, Base, Incident, db
from tests.fixtures.dispatch import central_node

START = "2026-03-01T09:00:00+00:00"
DRILL_TABLES = {"drills", "drill_incidents", "drill_runs", "audit_log"}


def new_drill(api, incidents, **extra):
    response = api.post(
        "/api/v1/drills",
        json={"name": "夜间危化演练", "start_at": START, "incidents": incidents, **extra},
    )
    assert response.status_code == 201, response.json
    return response.json


def run(api, drill_id, **body):
    response = api.post(f"/api/v1/drills/{drill_id}/runs", json=body)
    assert response.status_code == 201, response.json
    return response.json


def at(world, node, offset, incident_type="power_outage", severity="general"):
    lon, lat = world.node_point(node)
    return {
        "type": incident_type,
        "severity": severity,
        "lon": lon,
        "lat": lat,
        "offset_min": offset,
    }


def live_incident(operator, world, node, incident_type="power_outage"):
    lon, lat = world.node_point(node)
    response = operator.post(
        "/api/v1/incidents",
        json={"type": incident_type, "severity": "general", "lon": lon, "lat": lat},
    )
    assert response.status_code == 201, response.json
    return response.json


def nodes_by_time(reference, low, high):
    return sorted((n for n, t in reference.items() if low < t < high), key=reference.get)


def test_team_is_busy_until_it_could_have_returned(world, login_as, times_to, reference_graph):
    api = login_as("drill_organizer")
    scene = central_node(world.network)
    to_scene = times_to(scene)
    near = nodes_by_time(to_scene, 60, 300)[0]
    far = nodes_by_time(to_scene, 600, 900)[0]
    first = world.add_team(near, ["power"], kind="professional")  # 5 min mobilization
    second = world.add_team(far, ["power"], kind="professional")
    back = nx.single_source_dijkstra_path_length(reference_graph, scene, weight="t")[near]
    on_scene = 30
    free_again = 300 + to_scene[near] + on_scene * 60 + back  # seconds after the start
    just_before = math.floor(free_again / 60) - 1
    just_after = math.ceil(free_again / 60) + 1
    drill = new_drill(
        api,
        [
            at(world, scene, 0),
            at(world, scene, 10),
            at(world, scene, just_before),
            at(world, scene, just_after),
        ],
    )
    timeline = run(api, drill["id"], on_scene_min=on_scene)["results"]["incidents"]

    sent = [[t["team_id"] for t in entry["teams"]] for entry in timeline]
    assert sent[0] == [first.id]
    assert sent[1] == [second.id], "the nearest team is still busy with the first incident"
    assert sent[2] == [], "both teams are busy"
    assert any(u["kind"] == "team" and u["specialty"] == "power" for u in timeline[2]["unmet"])
    assert {b["team_id"] for b in timeline[2]["busy"]} == {first.id, second.id}
    assert sent[3] == [first.id], "back home, the first team is available again"

    team = timeline[0]["teams"][0]
    assert team["response_s"] == pytest.approx(300 + to_scene[near], abs=1e-6)
    assert team["return_s"] == pytest.approx(back, abs=1e-6)
    assert team["free_at_s"] == pytest.approx(free_again, abs=1e-6)
    assert team["standard_min"] == 60 and team["met"] is True
    assert team["arrival_at"].startswith("2026-03-01T09:")
    assert timeline[1]["teams"][0]["dispatched_s"] == 600


def test_stock_taken_by_an_earlier_incident_is_gone(world, login_as):
    api = login_as("drill_organizer")
    scene = central_node(world.network)
    world.add_team(scene, ["power"])
    world.add_depot(scene, {"generator": 3})  # power_outage general needs generators
    drill = new_drill(api, [at(world, scene, 0), at(world, scene, 1)])
    timeline = run(api, drill["id"])["results"]["incidents"]
    needed = timeline[0]["materials"][0]["needed"]
    first = sum(s["quantity"] for s in timeline[0]["materials"][0]["sources"])
    second = sum(s["quantity"] for s in timeline[1]["materials"][0]["sources"])
    assert first == min(needed, 3)
    assert second == pytest.approx(max(0.0, 3 - first))
    assert timeline[1]["materials"][0]["shortfall"] == pytest.approx(needed - second)


def table_digests():
    digests = {}
    for table in Base.metadata.sorted_tables:
        if table.name in DRILL_TABLES:
            continue
        rows = db.session.execute(select(table).order_by(*table.primary_key.columns)).all()
        digests[table.name] = hashlib.sha256(repr(rows).encode()).hexdigest()
    return digests


def test_a_drill_leaves_every_live_table_unchanged(world, login_as):
    api = login_as("drill_organizer")
    scene = central_node(world.network)
    for node in range(scene, scene + 6):
        world.add_team(node, ["fire", "hazchem", "medical"])
    world.add_depot(scene, {"foam_concentrate": 5, "breathing_apparatus": 10})
    operator = login_as("operator")
    live = live_incident(operator, world, scene, "fire_explosion")
    proposal = operator.post(f"/api/v1/incidents/{live['id']}/proposal").json
    taken = proposal["recommended"]["teams"]
    confirmed = operator.post(
        f"/api/v1/incidents/{live['id']}/dispatch",
        json={
            "proposal_id": proposal["proposal_id"],
            "teams": [{"team_id": t} for t in taken],
            "materials": [
                {"inventory_line_id": line, "quantity": q}
                for line, q in proposal["recommended"]["materials"]
            ],
        },
    )
    assert confirmed.status_code == 201, confirmed.json
    drill = new_drill(api, [at(world, scene, m, "fire_explosion", "major") for m in (0, 5, 9)])
    db.session.commit()
    before = table_digests()
    audit_before = db.session.scalar(select(db.func.max(AuditEntry.id)))
    db.session.expire_all()

    result = run(api, drill["id"])
    assert result["summary"]["teams_dispatched"] > 0
    sent = {t["team_id"] for e in result["results"]["incidents"] for t in e["teams"]}
    assert sent and not sent & set(taken), "teams dispatched live are not available to drills"

    db.session.expire_all()
    assert table_digests() == before
    new_entries = db.session.scalars(select(AuditEntry).where(AuditEntry.id > audit_before)).all()
    assert [(e.entity, e.action, e.entity_id) for e in new_entries] == [
        ("drill", "run", drill["id"])
    ]
    assert operator.get(f"/api/v1/incidents/{live['id']}").status_code == 200


def test_drill_records_never_appear_in_live_lists(world, login_as):
    api = login_as("drill_organizer")
    operator = login_as("operator")
    scene = central_node(world.network)
    world.add_team(scene, ["power"])
    live = live_incident(operator, world, scene)
    drill = new_drill(api, [at(world, scene, 0)])
    run(api, drill["id"])
    # A simulated incident recorded with its drill id (the incidents table allows it).
    db.session.execute(
        text(
            "INSERT INTO incidents (type, severity, lon, lat, reported_at, description, status, "
            "drill_id, close_reason) VALUES ('power_outage', 'general', :lon, :lat, "
            "'2026-03-01 09:00:00', '', 'open', :drill, '')"
        ),
        {"lon": live["lon"], "lat": live["lat"], "drill": drill["id"]},
    )
    db.session.commit()
    drill_incident = db.session.scalar(select(Incident.id).where(Incident.drill_id.is_not(None)))

    listed = operator.get("/api/v1/incidents").json
    assert [i["id"] for i in listed["items"]] == [live["id"]] and listed["total"] == 1
    assert operator.get(f"/api/v1/incidents/{drill_incident}").status_code == 404
    assert operator.post(f"/api/v1/incidents/{drill_incident}/proposal").status_code == 404
    availability = operator.get("/api/v1/dispatch/availability").json
    assert {t["status"] for t in availability["teams"]} == {"available"}
    assert operator.get("/api/v1/incidents", query_string={"status": "open"}).json["total"] == 1


def test_the_report_lists_the_experts_on_call_for_the_needed_specialties(
    app, world, login_as, sign_in
):
    from datetime import datetime, timedelta
    from zoneinfo import ZoneInfo

    from responder.services import experts, registry
    from responder.services.actors import SYSTEM
    from responder.services.resources import EXPERTS

    today = datetime.now(ZoneInfo(app.config["TIMEZONE"])).date()
    group = experts.create_group(
        db.session, SYSTEM, name="电力专家组", specialty="power", jurisdiction_id=world.west.id
    )
    names = {}
    for name, days in (("孙电力", (-1, 1)), ("周轮休", (5, 9))):
        expert = registry.create(
            db.session,
            SYSTEM,
            EXPERTS,
            {
                "name": name,
                "specialties": ["power"],
                "organization": "市电力公司",
                "phone": "13900000000",
                "jurisdiction_id": world.west.id,
            },
        )
        experts.add_member(db.session, SYSTEM, group_id=group.id, expert_id=expert.id)
        experts.set_on_call(
            db.session,
            SYSTEM,
            expert_id=expert.id,
            starts_on=today + timedelta(days=days[0]),
            ends_on=today + timedelta(days=days[1]),
        )
        names[name] = expert.id
    db.session.commit()
    api = login_as("drill_organizer")
    drill = new_drill(api, [at(world, central_node(world.network), 0)])  # a power outage
    result = run(api, drill["id"])
    assert [e["name"] for e in result["results"]["experts"]] == ["孙电力"]  # 周轮休 is off
    page = sign_in("viewer").get(f"/drills/runs/{result['id']}").get_data(as_text=True)
    assert "孙电力" in page and "市电力公司" in page and "周轮休" not in page
