"""The jurisdiction tree over the API: listing with and without boundaries."""

from __future__ import annotations

from typing import Any


def test_list_leaves_boundaries_out_unless_asked(region: Any, login_as: Any) -> None:
    api = login_as("viewer")
    plain = api.get("/api/v1/jurisdictions")
    assert plain.status_code == 200
    assert plain.json["total"] == 4
    assert {item["code"] for item in plain.json["items"]} == {
        "330000",
        "330100",
        "330102",
        "330103",
    }
    assert all(item["boundary"] is None for item in plain.json["items"])
    full = api.get("/api/v1/jurisdictions?with_boundary=true&level=county")
    assert full.status_code == 200
    assert [item["boundary"]["type"] for item in full.json["items"]] == ["Polygon", "Polygon"]
