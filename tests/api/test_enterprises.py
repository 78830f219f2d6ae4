"""Enterprises and major hazard sources over HTTP."""

from __future__ import annotations

from responder.models import Enterprise, HazardSource
from tests.api.factories import bad_check_character, count, credit_code, enterprise


def hazard(enterprise_id: int, **overrides):
    body = {
        "enterprise_id": enterprise_id,
        "name": "液氯储罐区",
        "grade": 2,
        "substances": [{"name": "氯气", "quantity_t": 50}],
        "monitored": True,
    }
    body.update(overrides)
    return body


def test_enterprises_create_list_filter_update(region, login_as):
    api = login_as("clerk")
    created = api.post(
        "/api/v1/enterprises", json=enterprise(1, credit_code=credit_code(1).lower())
    )
    assert created.status_code == 201, created.json
    assert created.json["credit_code"] == credit_code(1)  # normalised to upper case
    assert created.json["jurisdiction_id"] == region.west.id
    assert "updated_at" in created.json and "verified_at" in created.json
    api.post(
        "/api/v1/enterprises",
        json=enterprise(2, name="东区商场", industry="crowded_place", scale="below", lon=120.15),
    )
    api.post("/api/v1/hazard-sources", json=hazard(created.json["id"]))

    def names(query: str) -> list[str]:
        return [e["name"] for e in api.get(f"/api/v1/enterprises?{query}").json["items"]]

    assert names("industry=crowded_place") == ["东区商场"]
    assert names("scale=above") == ["西区化工1厂"]
    assert names("has_hazard_source=true") == ["西区化工1厂"]
    assert names("has_hazard_source=false") == ["东区商场"]
    assert names(f"jurisdiction_id={region.east.id}") == ["东区商场"]
    assert names("bbox=120,30,120.1,30.1") == ["西区化工1厂"]
    assert names(f"q={credit_code(2)}") == ["东区商场"]
    patched = api.patch(f"/api/v1/enterprises/{created.json['id']}", json={"scale": "below"})
    assert patched.status_code == 200 and patched.json["scale"] == "below"


def test_hazard_sources_filters_and_enterprise_subresource(region, login_as):
    api = login_as("clerk")
    west = api.post("/api/v1/enterprises", json=enterprise(1)).json
    east = api.post("/api/v1/enterprises", json=enterprise(2, lon=120.15)).json
    made = api.post("/api/v1/hazard-sources", json=hazard(west["id"]))
    assert made.status_code == 201, made.json
    assert made.json["substances"] == [{"name": "氯气", "quantity_t": 50.0}]
    assert made.json["jurisdiction_id"] == region.west.id
    api.post(
        "/api/v1/hazard-sources", json=hazard(west["id"], name="液氨罐区", grade=4, monitored=False)
    )
    api.post("/api/v1/hazard-sources", json=hazard(east["id"], name="东区罐区", grade=1))

    def names(url: str) -> list[str]:
        return [h["name"] for h in api.get(url).json["items"]]

    assert names("/api/v1/hazard-sources?grade=1,2") == ["液氯储罐区", "东区罐区"]
    assert names("/api/v1/hazard-sources?monitored=false") == ["液氨罐区"]
    assert names(f"/api/v1/hazard-sources?enterprise_id={east['id']}") == ["东区罐区"]
    assert names(f"/api/v1/hazard-sources?jurisdiction_id={region.west.id}") == [
        "液氯储罐区",
        "液氨罐区",
    ]
    assert names("/api/v1/hazard-sources?bbox=120.1,30,120.2,30.1") == ["东区罐区"]
    assert names(f"/api/v1/enterprises/{west['id']}/hazard-sources?grade=4") == ["液氨罐区"]
    assert api.get("/api/v1/enterprises/999/hazard-sources").status_code == 404
    patched = api.patch(f"/api/v1/hazard-sources/{made.json['id']}", json={"grade": 3})
    assert patched.status_code == 200 and patched.json["grade"] == 3


def test_bad_enterprises_name_the_field_and_store_nothing(region, login_as):
    api = login_as("clerk")
    cases = [
        (enterprise(1, credit_code=bad_check_character(1)), 422, "credit_code"),
        (enterprise(1, credit_code="91330100ABC"), 422, "credit_code"),
        (enterprise(1, credit_code="91330100000000001I"), 422, "credit_code"),  # I not allowed
        (enterprise(1, industry="alchemy"), 422, "industry"),
        (enterprise(1, lon=-181), 422, "lon"),
        (enterprise(1, lat=91), 422, "lat"),
        (enterprise(1, scale="huge"), 422, "scale"),
    ]
    for payload, status, field in cases:
        response = api.post("/api/v1/enterprises", json=payload)
        assert response.status_code == status, (payload, response.json)
        assert response.json["error"]["field"] == field
    assert count(Enterprise) == 0
    assert api.post("/api/v1/enterprises", json=enterprise(1)).status_code == 201
    duplicate = api.post("/api/v1/enterprises", json=enterprise(1, name="别名"))
    assert duplicate.status_code == 409 and duplicate.json["error"]["field"] == "credit_code"
    malformed = api.post("/api/v1/enterprises", data="{", content_type="application/json")
    assert malformed.status_code == 400
    assert count(Enterprise) == 1


def test_bad_hazard_sources(region, login_as):
    api = login_as("clerk")
    owner = api.post("/api/v1/enterprises", json=enterprise(1)).json
    for payload, field in [
        (hazard(999), "enterprise_id"),
        (hazard(owner["id"], grade=5), "grade"),
        (hazard(owner["id"], grade=0), "grade"),
        (hazard(owner["id"], substances=[{"quantity_t": 3}]), "substances.0.name"),
        (
            hazard(owner["id"], substances=[{"name": "氯", "quantity_t": -3}]),
            "substances.0.quantity_t",
        ),
    ]:
        response = api.post("/api/v1/hazard-sources", json=payload)
        assert response.status_code == 422, response.json
        assert response.json["error"]["field"] == field
    assert count(HazardSource) == 0


def test_roles_and_scope(region, login_as, client):
    assert client.post("/api/v1/enterprises", json=enterprise(1)).status_code == 401
    assert login_as("operator").post("/api/v1/enterprises", json=enterprise(1)).status_code == 403
    assert login_as("viewer").get("/api/v1/enterprises").status_code == 200
    east_clerk = login_as("clerk", "330103")
    outside = east_clerk.post("/api/v1/enterprises", json=enterprise(1))
    assert outside.status_code == 403 and outside.json["error"]["field"] == "jurisdiction"
    west = login_as("clerk", "330102").post("/api/v1/enterprises", json=enterprise(1)).json
    refused = east_clerk.post("/api/v1/hazard-sources", json=hazard(west["id"]))
    assert refused.status_code == 403
    assert count(Enterprise) == 1 and count(HazardSource) == 0
