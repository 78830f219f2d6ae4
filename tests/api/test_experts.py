"""Experts over HTTP: the roster of a jurisdiction, filters, bad input, scope."""

from __future__ import annotations

from responder.models import Expert
from tests.api.factories import count, expert


def test_create_list_filter_update(region, login_as):
    api = login_as("operator")
    created = api.post("/api/v1/experts", json=expert(region.west.id))
    assert created.status_code == 201, created.json
    assert created.json["updated_at"] and created.json["verified_at"] is None
    api.post(
        "/api/v1/experts", json=expert(region.east.id, name="李工", specialties=["mine", "medical"])
    )

    def names(query: str) -> list[str]:
        return [e["name"] for e in api.get(f"/api/v1/experts?{query}").json["items"]]

    assert names("specialty=mine") == ["李工"]
    assert names("specialty=hazchem,medical") == ["张工", "李工"]
    assert names(f"jurisdiction_id={region.west.id}") == ["张工"]
    assert names(f"jurisdiction_id={region.city.id}") == ["张工", "李工"]
    assert names("q=化工研究院") == ["张工", "李工"]
    patched = api.patch(f"/api/v1/experts/{created.json['id']}", json={"phone": "13900000000"})
    assert patched.status_code == 200 and patched.json["phone"] == "13900000000"


def test_bad_input_and_scope(region, login_as):
    api = login_as("operator")
    for payload, status, field in [
        (
            {k: v for k, v in expert(region.west.id).items() if k != "jurisdiction_id"},
            422,
            "jurisdiction_id",
        ),
        (expert(9999), 422, "jurisdiction_id"),
        (expert(region.west.id, specialties=["astrology"]), 422, "specialties.0"),
        (expert(region.west.id, specialties=[]), 422, "specialties"),
    ]:
        response = api.post("/api/v1/experts", json=payload)
        assert response.status_code == status, response.json
        assert response.json["error"]["field"] == field
    east = login_as("operator", "330103")
    outside = east.post("/api/v1/experts", json=expert(region.west.id))
    assert outside.status_code == 403 and outside.json["error"]["field"] == "jurisdiction"
    assert (
        login_as("viewer").post("/api/v1/experts", json=expert(region.west.id)).status_code == 403
    )
    assert count(Expert) == 0
