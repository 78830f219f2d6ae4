"""Plan feasibility with a straight-line travel fake (1 km = 1 minute) and over HTTP with a
fake road network."""

from __future__ import annotations

import math
from dataclasses import replace
from datetime import date, timedelta

import pytest

from responder.models import (
    Depot,
    InventoryLine,
    Material,
    PlanMaterialNeed,
    PlanTeamNeed,
    RescueTeam,
    db,
    utcnow,
)
from responder.routing import PointTooFarFromRoad
from responder.services import feasibility
from tests.plans.conftest import actor

TODAY = date(2024, 6, 30)
KM_LAT = 1 / 111.2  # degrees of latitude per km
SITE = (120.05, 30.05)  # the west enterprise (see make_enterprise)
one_km_a_minute = feasibility.straight_line(60.0)


def north(km: float) -> tuple[float, float]:
    return SITE[0], SITE[1] + km * KM_LAT


@pytest.fixture
def setting(region, make_enterprise, make_plan):
    """A hazchem store whose plan counts on teams and materials, with a registry that
    meets some needs and not others."""
    west = region.west.id

    def team(name, specialty, km, **extra):
        lon, lat = north(km)
        row = RescueTeam(
            name=name,
            level="county",
            kind="professional",
            lon=lon,
            lat=lat,
            jurisdiction_id=west,
            **extra,
        )
        row.specialties = [specialty]
        db.session.add(row)
        return row

    team("危化队", "hazchem", 10)  # 5 + 10 = 15 min <= 30
    team("消防队", "fire", 10)  # 1 min turnout + 10 = 11 min > 5 (mobilization not counted)
    team("远处危化队", "hazchem", 40)  # 45 min > 30
    team("退役危化队", "hazchem", 1, retired_at=utcnow())
    team("维修危化队", "hazchem", 1, status="unavailable")
    materials = {
        code: Material(code=code, name_zh=code, unit=unit)
        for code, unit in (("foam", "t"), ("suit", "set"), ("boom", "m"))
    }
    db.session.add_all(materials.values())
    near = Depot(name="近库", jurisdiction_id=west, lon=north(20)[0], lat=north(20)[1])
    far = Depot(name="远库", jurisdiction_id=west, lon=north(100)[0], lat=north(100)[1])
    db.session.add_all([near, far])
    db.session.flush()
    db.session.add_all(
        [
            InventoryLine(depot_id=near.id, material_id=materials["foam"].id, quantity=10),
            InventoryLine(
                depot_id=near.id,
                material_id=materials["suit"].id,
                quantity=30,
                expiry_date=TODAY - timedelta(days=1),
            ),  # expired: does not count
            InventoryLine(depot_id=far.id, material_id=materials["boom"].id, quantity=100),
        ]
    )
    store = make_enterprise("hazchem_storage")
    plan = make_plan(store, filed_on=date(2024, 1, 5))
    plan.team_needs = [PlanTeamNeed(specialty=s, count=1) for s in ("hazchem", "fire", "mine")]
    plan.material_needs = [
        PlanMaterialNeed(material_id=materials["foam"].id, quantity=5),
        PlanMaterialNeed(material_id=materials["suit"].id, quantity=10),
        PlanMaterialNeed(material_id=materials["boom"].id, quantity=50),
    ]
    two = make_plan(store, filed_on=date(2024, 1, 5), plan_type="special")
    two.team_needs = [PlanTeamNeed(specialty="hazchem", count=2)]
    fine = make_plan(store, filed_on=date(2024, 1, 5), plan_type="on_site")
    fine.team_needs = [PlanTeamNeed(specialty="hazchem", count=1)]
    pending = make_plan(store, status="submitted", published_on=date(2024, 1, 5))
    pending.team_needs = [PlanTeamNeed(specialty="mine", count=1)]
    make_plan(store, filed_on=date(2024, 1, 5), plan_type="special")  # names nothing
    db.session.commit()
    return plan, two, fine


def test_the_fire_standard_is_not_judged_off_urban_land(setting, rules):
    plan, _two, _fine = setting
    rules = replace(rules, urban_jurisdiction_codes=frozenset())  # no urban land known
    [check] = feasibility.check_plans(
        db.session,
        actor("clerk"),
        travel_minutes=one_km_a_minute,
        rules=rules,
        today=TODAY,
        plan_ids=[plan.id],
    )
    needs = {(s.kind, s.need) for s in check.shortfalls}
    assert ("team", "fire") not in needs and ("team", "mine") in needs


def test_shortfalls_say_why(setting, rules):
    plan, two, fine = setting
    rules = replace(rules, urban_jurisdiction_codes=frozenset({"330102"}))  # the site's county
    checks = feasibility.check_plans(
        db.session, actor("clerk"), travel_minutes=one_km_a_minute, rules=rules, today=TODAY
    )
    by_plan = {check.plan_id: check for check in checks}
    assert set(by_plan) == {plan.id, two.id, fine.id}  # in force and naming resources
    assert by_plan[fine.id].feasible
    found = {(s.kind, s.need): s for s in by_plan[plan.id].shortfalls}
    assert set(found) == {
        ("team", "fire"),
        ("team", "mine"),
        ("material", "suit"),
        ("material", "boom"),
    }
    fire = found["team", "fire"]
    assert (fire.reason, fire.in_time, fire.standard_min) == ("too_far", 0, 5.0)
    assert fire.nearest_min == pytest.approx(11.0, abs=0.1)
    assert found["team", "mine"].reason == "no_team"
    suit = found["material", "suit"]
    assert (suit.reason, suit.in_time, suit.unit) == ("not_enough_stock", 0, "set")
    boom = found["material", "boom"]
    assert (boom.reason, boom.in_time) == ("too_far", 0)
    assert boom.nearest_min == pytest.approx(100.0, abs=0.2)
    [hazchem] = by_plan[two.id].shortfalls  # one of two hazchem teams arrives in time
    assert (hazchem.reason, hazchem.required, hazchem.in_time) == ("too_far", 2, 1)


def test_faster_roads_make_the_plan_feasible(setting, rules):
    plan, _two, _fine = setting
    fast = feasibility.straight_line(1000.0)
    rules = replace(rules, urban_jurisdiction_codes=frozenset({"330102"}))
    [check] = feasibility.check_plans(
        db.session,
        actor("clerk"),
        travel_minutes=fast,
        rules=rules,
        today=TODAY,
        plan_ids=[plan.id],
    )
    # The far boom depot is in reach now, and the fire team too: the fire standard counts
    # 1 min turnout + its drive, not its 5 min mobilization; missing teams and stock stay.
    assert {(s.need, s.reason) for s in check.shortfalls} == {
        ("mine", "no_team"),
        ("suit", "not_enough_stock"),
    }


def test_scope_limits_the_plans_checked(setting, rules, region):
    east = actor("clerk", region.east.path)
    assert (
        feasibility.check_plans(
            db.session, east, travel_minutes=one_km_a_minute, rules=rules, today=TODAY
        )
        == []
    )


class FakeRoads:
    """Snaps anything west of 121°E; travel at 60 km/h in straight lines."""

    def snap(self, lon, lat, *, max_distance_m):
        if lon > 121:
            raise PointTooFarFromRoad(lon, lat, 1e6, max_distance_m)
        return (lon, lat)

    def times_to(self, goal, snaps):
        return [m * 60 for m in one_km_a_minute(snaps, goal)]


def test_road_adapter_marks_off_road_points_unreachable():
    travel = feasibility.road_travel(FakeRoads(), max_snap_m=2000)
    minutes = travel([north(10), (130.0, 30.0)], SITE)
    assert minutes[0] == pytest.approx(10.0, abs=0.05) and math.isinf(minutes[1])
    assert all(math.isinf(m) for m in travel([north(1)], (130.0, 30.0)))


def test_feasibility_over_http(setting, login_as, app):
    clerk = login_as("clerk", "330102")
    missing = clerk.get("/api/v1/plans/feasibility")
    assert missing.status_code == 422
    assert missing.json["error"]["code"] == "roads_not_loaded"
    assert "road network not loaded" in missing.json["error"]["message"]
    app.extensions["responder.roads"] = FakeRoads()
    body = clerk.get("/api/v1/plans/feasibility").json
    assert body["checked"] == 3 and len(body["items"]) == 2
    reasons = {s["reason"] for item in body["items"] for s in item["shortfalls"]}
    assert reasons == {"too_far", "no_team", "not_enough_stock"}
    everything = clerk.get("/api/v1/plans/feasibility?only_problems=false").json
    assert len(everything["items"]) == 3
