"""One search box for placing an incident: enterprises by name or credit code, hazard
sources, jurisdictions, and typed coordinates converted from GCJ-02 / BD-09."""

from __future__ import annotations

import pytest

from responder import crs
from responder.models import db
from responder.services import credit_codes, registry
from responder.services.actors import SYSTEM
from responder.services.resources import ENTERPRISES, HAZARD_SOURCES


@pytest.fixture
def enterprise(world):
    lon, lat = world.node_point(100)
    company = registry.create(
        db.session,
        SYSTEM,
        ENTERPRISES,
        {
            "name": "滨海测试化工有限公司",
            "credit_code": credit_codes.make("91330103MA2B3C7Y6"),
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
            "name": "苯罐区",
            "enterprise_id": company.id,
            "grade": 2,
            "substances": [{"name": "苯", "quantity_t": 466}],
        },
    )
    db.session.commit()
    return company


def test_enterprise_by_name_and_credit_code(login_as, enterprise):
    api = login_as("operator")
    by_name = api.get("/api/v1/dispatch/places", query_string={"q": "测试化工"}).json["items"]
    hit = next(h for h in by_name if h["kind"] == "enterprise")
    assert (hit["enterprise_id"], hit["lon"], hit["lat"]) == (
        enterprise.id,
        enterprise.lon,
        enterprise.lat,
    )
    assert hit["likely_type"] == "hazchem_leak"
    by_code = api.get(
        "/api/v1/dispatch/places", query_string={"q": enterprise.credit_code.lower()}
    ).json["items"]
    assert [h["enterprise_id"] for h in by_code if h["kind"] == "enterprise"] == [enterprise.id]
    source = api.get("/api/v1/dispatch/places", query_string={"q": "苯罐"}).json["items"]
    assert source[0]["kind"] == "hazard_source" and source[0]["enterprise_id"] == enterprise.id


@pytest.mark.parametrize("system", ["gcj02", "bd09"])
def test_coordinates_are_converted_to_wgs84(login_as, world, system):
    lon, lat = 120.15, 30.28
    shown = crs.from_wgs84(lon, lat, system)
    found = (
        login_as("operator")
        .get(
            "/api/v1/dispatch/places",
            query_string={"q": f"{shown[0]:.7f}, {shown[1]:.7f}", "crs": system},
        )
        .json["items"]
    )
    assert found[0]["kind"] == "coordinates"
    assert found[0]["lon"] == pytest.approx(lon, abs=1e-6)
    assert found[0]["lat"] == pytest.approx(lat, abs=1e-6)


def test_swapped_pair_and_bad_system(login_as, world):
    api = login_as("operator")
    swapped = api.get("/api/v1/dispatch/places", query_string={"q": "30.28，120.15"}).json
    assert (swapped["items"][0]["lon"], swapped["items"][0]["lat"]) == (120.15, 30.28)
    bad = api.get("/api/v1/dispatch/places", query_string={"q": "1,2", "crs": "utm"})
    assert bad.status_code == 422 and bad.json["error"]["field"] == "crs"


def test_a_street_name_finds_a_point_on_that_street(login_as, world):
    api = login_as("operator")
    registry.create(
        db.session,
        SYSTEM,
        ENTERPRISES,
        {
            "name": "莫干山路仓储有限公司",
            "credit_code": credit_codes.make("91330105MA2B3C7Y6"),
            "industry": "hazchem_storage",
            "scale": "above",
            "lon": 120.12,
            "lat": 30.30,
        },
    )
    db.session.commit()
    items = api.get("/api/v1/dispatch/places", query_string={"q": "莫干山路"}).json["items"]
    # The exact name first, then the enterprise whose name only starts with it.
    assert [(h["kind"], h["name"]) for h in items[:2]] == [
        ("street", "莫干山路"),
        ("enterprise", "莫干山路仓储有限公司"),
    ]
    street = items[0]
    snap = world.network.snap(street["lon"], street["lat"])
    assert snap.distance_m < 0.5
    assert street["enterprise_id"] is None and street["detail"].endswith(" km")
    partial = api.get("/api/v1/dispatch/places", query_string={"q": "莫干"}).json["items"]
    assert "莫干山路" in [h["name"] for h in partial if h["kind"] == "street"]
