"""Exports in GCJ-02 for Chinese web maps (``?crs=gcj02``), and back through the import."""

from __future__ import annotations

import io
import json
from typing import Any

from sqlalchemy import delete, select

from responder import crs
from responder.models import RescueTeam, TeamSpecialty, db
from tests.api.test_exports import rows_of


def test_teams_export_in_gcj02_and_import_back(login_as: Any, registry_records: Any) -> None:
    admin = login_as("admin")
    stored = {t.name: (t.lon, t.lat) for t in db.session.scalars(select(RescueTeam))}
    rows = rows_of(admin.get("/api/v1/exports/teams.csv?crs=gcj02"))
    for row in rows:
        lon, lat = stored[row["name"]]
        expected = crs.from_wgs84(lon, lat, "gcj02")
        assert abs(float(row["lon"]) - expected[0]) < 1e-7
        assert abs(float(row["lat"]) - expected[1]) < 1e-7
        assert abs(float(row["lon"]) - lon) > 1e-3  # hundreds of metres in Zhejiang
    geo = json.loads(admin.get("/api/v1/exports/teams.geojson?crs=gcj02").data)
    first = geo["features"][0]
    assert first["geometry"]["coordinates"][0] == float(
        next(r["lon"] for r in rows if r["name"] == first["properties"]["name"])
    )
    body = admin.get("/api/v1/exports/teams.csv?crs=gcj02").data
    db.session.execute(delete(TeamSpecialty))
    db.session.execute(delete(RescueTeam))
    db.session.commit()
    back = admin.post(
        "/api/v1/imports/teams?crs=gcj02",
        data={"file": (io.BytesIO(body), "teams.csv")},
        content_type="multipart/form-data",
    )
    assert back.status_code == 201, back.get_json()
    for team in db.session.scalars(select(RescueTeam)):
        lon, lat = stored[team.name]
        assert abs(team.lon - lon) < 1e-7 and abs(team.lat - lat) < 1e-7


def test_unknown_export_crs_is_refused(login_as: Any, registry_records: Any) -> None:
    response = login_as("admin").get("/api/v1/exports/teams.csv?crs=mercator")
    assert response.status_code == 422
    assert "crs" in json.dumps(response.get_json())


def test_a_team_posted_in_gcj02_is_stored_in_wgs84(login_as: Any, region: Any) -> None:
    operator = login_as("operator")
    lon, lat = region.west_point
    gcj = crs.from_wgs84(lon, lat, "gcj02")
    body = {
        "name": "高德坐标队",
        "specialties": ["fire"],
        "level": "county",
        "kind": "professional",
        "headcount": 10,
        "lon": gcj[0],
        "lat": gcj[1],
        "crs": "gcj02",
    }
    created = operator.post("/api/v1/teams", json=body)
    assert created.status_code == 201, created.get_json()
    assert abs(created.get_json()["lon"] - lon) < 1e-7 and "crs" not in created.get_json()
    assert created.get_json()["jurisdiction_id"] == region.west.id
    half = operator.patch(
        f"/api/v1/teams/{created.get_json()['id']}", json={"lon": gcj[0], "crs": "gcj02"}
    )
    assert half.status_code == 422 and half.get_json()["error"]["field"] == "lon"
    bad = operator.post("/api/v1/teams", json=body | {"crs": "utm"})
    assert bad.status_code == 422 and bad.get_json()["error"]["field"] == "crs"
