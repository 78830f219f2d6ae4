"""Proposals on the real demo road network, checked against networkx."""

from __future__ import annotations

import math
import random
from datetime import date, timedelta

import pytest

from responder.models import db
from tests.dispatch.conftest import central_node


def place_incident(api, world, node, incident_type="fire_explosion", severity="general"):
    lon, lat = world.node_point(node)
    response = api.post(
        "/api/v1/incidents",
        json={
            "type": incident_type,
            "severity": severity,
            "severity_reason": "" if severity == "general" else "早期估计偏高",
            "lon": lon,
            "lat": lat,
        },
    )
    assert response.status_code == 201, response.json
    return response.json


def propose(api, incident_id, **query):
    response = api.post(f"/api/v1/incidents/{incident_id}/proposal", query_string=query)
    assert response.status_code == 200, response.json
    return response.json


def test_ranking_matches_networkx(world, login_as, times_to):
    api = login_as("operator")
    target = central_node(world.network)
    reference = times_to(target)
    rng = random.Random(7)
    nodes = rng.sample(sorted(n for n, t in reference.items() if 0 < t < 1800), 12)
    kinds = ["professional", "quasi_professional", "part_time", "volunteer"]
    teams = {world.add_team(n, ["fire"], kind=kinds[i % 4]).id: n for i, n in enumerate(nodes)}
    incident = place_incident(api, world, target, severity="major")  # 3 fire teams
    body = propose(api, incident["id"], alternatives=9)
    options = body["teams"]["fire"]
    assert len(options) == len(teams)
    mobilization = {
        "professional": 300,
        "quasi_professional": 600,
        "part_time": 1200,
        "volunteer": 1200,
    }
    for option in options:
        expected_travel = reference[teams[option["team_id"]]]
        assert option["travel_s"] == pytest.approx(expected_travel, abs=1e-6)
        assert option["arrival_s"] == pytest.approx(
            expected_travel + mobilization[option["kind"]], abs=1e-6
        )
        assert option["route"], "each option carries its route geometry"
        assert option["road_m"] >= option["straight_m"] - 1.0
    arrivals = [o["arrival_s"] for o in options]
    assert arrivals == sorted(arrivals)
    assert [o["recommended"] for o in options] == [True] * 3 + [False] * (len(options) - 3)
    assert sorted(body["recommended"]["teams"]) == sorted(o["team_id"] for o in options[:3])
    assert body["basis"]["network_version"] == world.network.version
    assert body["basis"]["incident_snap_m"] < 1.0


def test_mobilization_changes_the_order(world, login_as, times_to):
    api = login_as("operator")
    target = central_node(world.network)
    reference = times_to(target)
    near = min((n for n, t in reference.items() if 60 < t < 200), key=lambda n: reference[n])
    far = min((n for n, t in reference.items() if 400 < t < 700), key=lambda n: reference[n])
    slow_near = world.add_team(near, ["fire"], kind="volunteer")  # 20 min to mobilize
    quick_far = world.add_team(far, ["fire"], kind="professional")  # 5 min
    incident = place_incident(api, world, target)
    ranked = [o["team_id"] for o in propose(api, incident["id"])["teams"]["fire"]]
    assert ranked == [quick_far.id, slow_near.id]
    assert reference[near] < reference[far]


def test_one_way_street_is_travelled_the_right_way(world, login_as, reference_graph, times_to):
    """A team at one end of a one-way street reaches the other end directly; the reverse
    trip has to go round.  The proposal must use travel TO the incident."""
    api = login_as("operator")
    graph = reference_graph
    pair = None
    for u, v, data in sorted(graph.edges(data=True)):
        if graph.has_edge(v, u) or data["t"] < 5:
            continue
        back = times_to(u).get(v, math.inf)
        if data["t"] + 60 < back < 1200:
            pair = (u, v, data["t"], back)
            break
    assert pair is not None, "the demo region has one-way streets"
    u, v, forward, backward = pair
    team = world.add_team(u, ["fire"])
    incident = place_incident(api, world, v)
    option = propose(api, incident["id"])["teams"]["fire"][0]
    assert option["team_id"] == team.id
    assert option["travel_s"] == pytest.approx(forward, abs=1e-6)
    db.session.close()
    # The same team placed at the far end must go round to reach the near end.
    api.patch(
        f"/api/v1/teams/{team.id}",
        json={"lon": world.node_point(v)[0], "lat": world.node_point(v)[1]},
    )
    incident2 = place_incident(api, world, u)
    option2 = propose(api, incident2["id"])["teams"]["fire"][0]
    assert option2["travel_s"] == pytest.approx(backward, abs=1e-6)


def test_unmet_needs_and_material_shortfall_are_stated(world, login_as, times_to):
    api = login_as("operator")
    target = central_node(world.network)
    reference = times_to(target)
    node = min((n for n, t in reference.items() if t > 100), key=lambda n: reference[n])
    world.add_team(node, ["medical"])
    world.add_depot(node, {"life_jacket": 12, "assault_boat": 5})
    incident = place_incident(api, world, target, incident_type="water_accident")
    body = propose(api, incident["id"])
    unmet = {(u["kind"], u.get("specialty") or u.get("material")): u for u in body["unmet"]}
    assert ("team", "water") in unmet
    assert "no available Water team" in unmet[("team", "water")]["message"]
    assert ("team", "medical") not in unmet
    jackets = next(m for m in body["materials"] if m["code"] == "life_jacket")
    assert jackets["needed"] == 30 and jackets["shortfall"] == 18
    assert unmet[("material", "life_jacket")]["shortfall"] == 18
    boats = next(m for m in body["materials"] if m["code"] == "assault_boat")
    assert boats["shortfall"] == 0 and boats["sources"][0]["quantity"] == 2


def test_materials_split_across_depots_nearest_first_and_skip_expired(world, login_as, times_to):
    api = login_as("operator")
    target = central_node(world.network)
    reference = times_to(target)
    by_time = sorted((t, n) for n, t in reference.items() if t > 30)
    near, middle, far = by_time[10][1], by_time[len(by_time) // 4][1], by_time[len(by_time) // 2][1]
    expired = world.add_depot(
        near, {"foam_concentrate": 100}, expiry=date.today() - timedelta(days=1)
    )
    first = world.add_depot(middle, {"foam_concentrate": 2})
    second = world.add_depot(far, {"foam_concentrate": 10})
    incident = place_incident(api, world, target)  # general fire: 5 t foam
    foam = next(
        m for m in propose(api, incident["id"])["materials"] if m["code"] == "foam_concentrate"
    )
    assert [(s["depot_id"], s["quantity"]) for s in foam["sources"]] == [
        (first.id, 2),
        (second.id, 3),
    ]
    assert expired.id not in {s["depot_id"] for s in foam["sources"]}
    assert foam["shortfall"] == 0


def test_a_closed_road_changes_the_proposal(world, login_as, times_to):
    api = login_as("operator")
    target = central_node(world.network)
    reference = times_to(target)
    near = min((n for n, t in reference.items() if t > 120), key=lambda n: reference[n])
    team = world.add_team(near, ["fire"])
    incident = place_incident(api, world, target)
    before = propose(api, incident["id"])["teams"]["fire"][0]
    lon, lat = world.node_point(near)
    closure = api.post(
        "/api/v1/roads/closures",
        json={"lon": lon, "lat": lat, "radius_m": 150, "reason": "桥梁垮塌 bridge collapsed"},
    )
    assert closure.status_code == 201, closure.json
    after = propose(api, incident["id"])
    assert after["basis"]["closures_in_force"] == [closure.json["id"]]
    unmet = [u for u in after["unmet"] if u.get("specialty") == "fire"]
    options = after["teams"]["fire"]
    assert (not options and unmet and "none can reach" in unmet[0]["message"]) or (
        options[0]["travel_s"] > before["travel_s"] and options[0]["team_id"] == team.id
    )
    api.post(f"/api/v1/roads/closures/{closure.json['id']}/lift")
    lifted = propose(api, incident["id"])["teams"]["fire"][0]
    assert lifted["travel_s"] == pytest.approx(before["travel_s"], abs=1e-6)


def test_incident_far_from_roads_is_refused(world, login_as):
    api = login_as("operator")
    min_lon, min_lat, _, _ = world.network.bounds
    far_lon, far_lat = min_lon - 0.05, min_lat - 0.05  # about 7 km from the nearest road
    response = api.post(
        "/api/v1/incidents",
        json={"type": "collapse", "severity": "general", "lon": far_lon, "lat": far_lat},
    )
    assert response.status_code == 422, response.json
    assert response.json["error"]["field"] == "lon"
    assert response.json["error"]["code"] == "too_far_from_road"
    assert api.get("/api/v1/incidents").json["total"] == 0


def test_proposal_shows_nearby_hazards_and_the_plans_that_dovetail(world, login_as):
    from responder.models import Plan
    from responder.services import credit_codes, registry
    from responder.services.actors import SYSTEM
    from responder.services.resources import ENTERPRISES, HAZARD_SOURCES

    api = login_as("operator")
    target = central_node(world.network)
    lon, lat = world.node_point(target)
    plant = registry.create(
        db.session,
        SYSTEM,
        ENTERPRISES,
        {
            "name": "滨海化工",
            "credit_code": credit_codes.make("91330100MA2B00001"),
            "industry": "hazchem_production",
            "scale": "above",
            "lon": lon + 0.002,
            "lat": lat,
        },
    )
    registry.create(
        db.session,
        SYSTEM,
        HAZARD_SOURCES,
        {
            "enterprise_id": plant.id,
            "name": "液氯储罐区",
            "grade": 1,
            "substances": [{"name": "液氯", "quantity_t": 40}],
            "monitored": True,
        },
    )
    far = registry.create(
        db.session,
        SYSTEM,
        ENTERPRISES,
        {
            "name": "远处化工",
            "credit_code": credit_codes.make("91330100MA2B00002"),
            "industry": "hazchem_storage",
            "scale": "above",
            "lon": lon + 0.06,
            "lat": lat,
        },
    )
    registry.create(
        db.session,
        SYSTEM,
        HAZARD_SOURCES,
        {
            "enterprise_id": far.id,
            "name": "远处罐区",
            "grade": 2,
            "substances": [],
            "monitored": False,
        },
    )
    county = (
        world.west
        if lon + 0.002 < (world.network.bounds[0] + world.network.bounds[2]) / 2
        else world.east
    )
    own = Plan(
        owner_kind="enterprise",
        enterprise_id=plant.id,
        jurisdiction_id=county.id,
        title="滨海化工综合应急预案",
        plan_type="comprehensive",
        status="filed",
        incident_types=["hazchem_leak"],
        filing_number="990102-2025-0001",
    )
    special = Plan(
        owner_kind="government",
        owner_body="滨海市应急管理局",
        jurisdiction_id=world.west.parent_id,
        title="滨海市危险化学品事故专项应急预案",
        plan_type="special",
        status="filed",
        incident_types=["hazchem_leak"],
        filing_number="990100-2025-0001",
    )
    other = Plan(
        owner_kind="government",
        owner_body="滨海市应急管理局",
        jurisdiction_id=world.west.parent_id,
        title="滨海市矿山事故专项应急预案",
        plan_type="special",
        status="filed",
        incident_types=["mine_accident"],
        filing_number="990100-2025-0002",
    )
    db.session.add_all([own, special, other])
    db.session.commit()
    response = api.post(
        "/api/v1/incidents",
        json={
            "type": "hazchem_leak",
            "severity": "general",
            "lon": lon,
            "lat": lat,
            "enterprise_id": plant.id,
        },
    )
    body = propose(api, response.json["id"])
    assert [h["name"] for h in body["hazard_sources"]] == ["液氯储罐区"]
    assert 150 < body["hazard_sources"][0]["distance_m"] < 250
    assert [(p["role"], p["title"]) for p in body["plans"]] == [
        ("enterprise", "滨海化工综合应急预案"),
        ("government", "滨海市危险化学品事故专项应急预案"),
    ]


def test_a_closure_from_another_network_version_is_reported_not_applied(world, login_as):
    from responder.models import RoadClosure

    api = login_as("operator")
    target = central_node(world.network)
    db.session.add(
        RoadClosure(
            network_version="v0-old", edge_ids=[1, 2, 3], factor=None, reason="旧路网上的封闭"
        )
    )
    db.session.commit()
    incident = place_incident(api, world, target)
    basis = propose(api, incident["id"])["basis"]
    assert basis["closures_in_force"] == []
    assert [c["reason"] for c in basis["closures_not_applied"]] == ["旧路网上的封闭"]
