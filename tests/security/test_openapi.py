"""The OpenAPI document matches the API: the real error body, nullable fields, the
statuses each operation answers; PATCH /drills is partial; PUT /response-matrix takes
what GET gives."""

from __future__ import annotations

from typing import Any

import pytest

from responder.models import db
from responder.services import matrix
from responder.services.materials import seed_catalog


@pytest.fixture
def document(client) -> dict[str, Any]:
    return client.get("/api/v1/openapi.json").get_json()


def _operations(document: dict[str, Any]):
    for path, item in document["paths"].items():
        for method in ("get", "post", "put", "patch", "delete"):
            if method in item:
                yield path, method, item[method]


def test_the_error_body_is_documented_as_sent(document, login_as):
    schemas = document["components"]["schemas"]
    assert schemas["Error"]["required"] == ["error"]
    detail = schemas["ErrorDetail"]
    assert set(detail["required"]) == {"code", "message", "field"}
    assert detail["properties"]["field"]["nullable"] is True
    body = login_as("viewer").get("/api/v1/teams/999").get_json()
    assert set(body) == {"error"} and set(body["error"]) >= {"code", "message", "field"}


def test_operations_list_their_statuses_instead_of_a_default(document):
    for path, method, operation in _operations(document):
        responses = operation["responses"]
        assert "default" not in responses, (method, path)
        if path.endswith("openapi.json"):
            continue
        assert {"401", "503"} <= set(responses), (method, path)
        if method != "get":
            assert {"400", "403", "409", "422"} <= set(responses), (method, path)
    busy = document["components"]["responses"]["SERVICE_UNAVAILABLE"]
    assert "Retry-After" in busy["headers"]


@pytest.mark.parametrize(
    ("schema", "field"),
    [
        ("Team", "retired_at"),
        ("Team", "verified_at"),
        ("Team", "status_changed_at"),
        ("Incident", "closed_at"),
        ("Closure", "lifted_at"),
        ("User", "jurisdiction_id"),
    ],
)
def test_nullable_fields_are_marked(document, schema: str, field: str):
    assert document["components"]["schemas"][schema]["properties"][field]["nullable"] is True


def test_required_fields_are_not_marked_nullable(document):
    team = document["components"]["schemas"]["Team"]["properties"]
    assert "nullable" not in team["name"] and "nullable" not in team["id"]


def test_patch_drill_changes_only_what_it_is_given(region, login_as):
    api = login_as("drill_organizer")
    lon, lat = region.west_point
    incident = {"type": "fire_explosion", "severity": "general", "lon": lon, "lat": lat}
    created = api.post(
        "/api/v1/drills",
        json={
            "name": "夏季演练",
            "description": "化工园区",
            "start_at": "2026-06-01T09:00:00+08:00",
            "incidents": [incident],
        },
    )
    assert created.status_code == 201, created.get_json()
    drill = created.get_json()
    patched = api.patch(f"/api/v1/drills/{drill['id']}", json={"name": "秋季演练"})
    assert patched.status_code == 200, patched.get_json()
    after = patched.get_json()
    assert after["name"] == "秋季演练"
    assert after["description"] == "化工园区"
    assert len(after["incidents"]) == 1
    assert after["start_at"] == drill["start_at"]


def test_put_response_matrix_accepts_what_get_returns(app, login_as):
    seed_catalog(db.session)
    matrix.seed(db.session, app.extensions["responder.rules"])
    db.session.commit()
    admin = login_as("admin")
    table = admin.get("/api/v1/response-matrix").get_json()
    incident_type, rows = next((t, r) for t, r in table.items() if r["materials"])
    response = admin.put(f"/api/v1/response-matrix/{incident_type}", json=rows)
    assert response.status_code == 200, response.get_json()
    assert response.get_json() == rows
    assert admin.get("/api/v1/response-matrix").get_json() == table
