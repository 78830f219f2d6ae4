"""Rescue teams over HTTP: the happy path and every kind of bad input."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select

from responder.models import AuditEntry, RescueTeam, db


def team(**overrides: Any) -> dict[str, Any]:
    body = {
        "name": "西区危化救援队",
        "specialties": ["hazchem", "fire"],
        "level": "county",
        "kind": "professional",
        "headcount": 24,
        "lon": 120.05,
        "lat": 30.05,
    }
    body.update(overrides)
    return body


def count_teams() -> int:
    return db.session.scalar(select(func.count(RescueTeam.id))) or 0


def test_create_read_list_update_retire(region, login_as):
    api = login_as("operator")
    created = api.post("/api/v1/teams", json=team())
    assert created.status_code == 201, created.json
    body = created.json
    assert body["jurisdiction_id"] == region.west.id  # derived from the point
    assert body["specialties"] == ["fire", "hazchem"]
    assert body["status"] == "available"
    assert created.headers["Location"].endswith(f"/api/v1/teams/{body['id']}")

    api.post("/api/v1/teams", json=team(name="东区医疗队", specialties=["medical"], lon=120.15))
    hazchem = api.get("/api/v1/teams?specialty=hazchem").json
    assert [t["name"] for t in hazchem["items"]] == ["西区危化救援队"]
    east = api.get(f"/api/v1/teams?jurisdiction_id={region.east.id}").json
    assert [t["name"] for t in east["items"]] == ["东区医疗队"]
    city = api.get(f"/api/v1/teams?jurisdiction_id={region.city.id}&per_page=1").json
    assert city["total"] == 2 and len(city["items"]) == 1
    boxed = api.get("/api/v1/teams?bbox=120.1,30,120.2,30.1").json
    assert [t["name"] for t in boxed["items"]] == ["东区医疗队"]

    patched = api.patch(f"/api/v1/teams/{body['id']}", json={"status": "unavailable"})
    assert patched.status_code == 200 and patched.json["status"] == "unavailable"
    assert api.post(f"/api/v1/teams/{body['id']}/verify").json["verified_at"]
    assert api.delete(f"/api/v1/teams/{body['id']}").json["retired_at"]
    assert api.get("/api/v1/teams").json["total"] == 1
    actions = db.session.scalars(
        select(AuditEntry.action).where(AuditEntry.entity == "team").order_by(AuditEntry.id)
    ).all()
    assert actions == ["create", "create", "update", "verify", "retire"]


@pytest.mark.parametrize(
    ("payload", "status", "field"),
    [
        (team(lon=181), 422, "lon"),
        (team(lat=-91), 422, "lat"),
        (team(specialties=["dragon"]), 422, "specialties.0"),
        (team(level="galactic"), 422, "level"),
        (team(headcount=-1), 422, "headcount"),
        (team(base_id=999), 422, "base_id"),
        (team(colour="red"), 422, "colour"),
        (team(lon=100.0, lat=20.0), 422, "lon"),  # outside every jurisdiction
        ({k: v for k, v in team().items() if k != "name"}, 422, "name"),
    ],
)
def test_bad_input_names_the_field_and_stores_nothing(region, login_as, payload, status, field):
    api = login_as("operator")
    response = api.post("/api/v1/teams", json=payload)
    assert response.status_code == status, response.json
    assert response.json["error"]["field"] == field
    assert count_teams() == 0


def test_malformed_json_is_400(region, login_as):
    api = login_as("operator")
    response = api.post("/api/v1/teams", data="{not json", content_type="application/json")
    assert response.status_code == 400
    assert "error" in response.json
    assert count_teams() == 0


def test_duplicate_name_in_jurisdiction_is_409(region, login_as):
    api = login_as("operator")
    assert api.post("/api/v1/teams", json=team()).status_code == 201
    again = api.post("/api/v1/teams", json=team())
    assert again.status_code == 409 and again.json["error"]["field"] == "name"
    # The same name in another county is fine.
    assert api.post("/api/v1/teams", json=team(lon=120.15)).status_code == 201
    assert count_teams() == 2


def test_auth_role_and_scope(region, client, login_as):
    assert client.get("/api/v1/teams").status_code == 401
    bad = client.get("/api/v1/teams", headers={"Authorization": "Bearer nope"})
    assert bad.status_code == 401 and bad.json["error"]["field"] == "Authorization"
    viewer = login_as("viewer")
    assert viewer.get("/api/v1/teams").status_code == 200
    assert viewer.post("/api/v1/teams", json=team()).status_code == 403
    clerk = login_as("clerk")
    assert clerk.post("/api/v1/teams", json=team()).status_code == 403
    east_operator = login_as("operator", "330103")
    outside = east_operator.post("/api/v1/teams", json=team())
    assert outside.status_code == 403 and outside.json["error"]["field"] == "jurisdiction"
    assert east_operator.post("/api/v1/teams", json=team(lon=120.15)).status_code == 201
    assert count_teams() == 1


def test_oversize_body_is_413(region, login_as, app):
    app.config["MAX_CONTENT_LENGTH"] = 1024
    api = login_as("operator")
    response = api.post("/api/v1/teams", json=team(equipment="x" * 4000))
    assert response.status_code == 413
    assert response.json["error"]["code"]
    assert count_teams() == 0


def test_unknown_route_and_method_answer_json(login_as):
    api = login_as("viewer")
    missing = api.get("/api/v1/nothing-here")
    assert missing.status_code == 404 and missing.json["error"]["code"] == "not_found"
    wrong = api.put("/api/v1/teams")
    assert wrong.status_code == 405 and "error" in wrong.json


def test_a_number_too_large_for_the_database_is_a_4xx(region, login_as):
    api = login_as("operator")
    response = api.post("/api/v1/teams", json=team(base_id=10**30))
    assert response.status_code == 422
    assert response.json["error"]["code"] in {"out_of_range", "invalid"}
    assert count_teams() == 0
