"""Exports: CSV/XLSX/GeoJSON with the list filters, and CSV that imports again unchanged."""

from __future__ import annotations

import csv
import io
from typing import Any

import openpyxl
from sqlalchemy import delete, select

from responder.models import (
    Depot,
    Enterprise,
    Expert,
    HazardSource,
    InventoryLine,
    RescueBase,
    RescueTeam,
    TeamSpecialty,
    db,
)
from responder.services import materials
from tests.api.factories import enterprise, expert


def rows_of(response: Any) -> list[dict[str, str]]:
    assert response.status_code == 200, response.data[:300]
    text = response.data.decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


def upload(api: Any, kind: str, data: bytes) -> Any:
    return api.post(
        f"/api/v1/imports/{kind}",
        data={"file": (io.BytesIO(data), "x.csv")},
        content_type="multipart/form-data",
    )


def columns(model: type[Any], skip: tuple[str, ...] = ()) -> list[dict[str, Any]]:
    """Comparable column values of every row (ids and timestamps left out)."""
    ignored = {"id", "created_at", "updated_at", "verified_at", "status_changed_at", *skip}
    keys = [c.key for c in model.__table__.columns if c.key not in ignored]
    records = db.session.scalars(select(model).order_by(model.name)).all()
    return [
        {k: getattr(r, k) for k in keys}
        | ({"specialties": r.specialties} if model is RescueTeam else {})
        for r in records
    ]


def make_registry(api_admin: Any, region: Any) -> None:
    teams = [
        {
            "name": "西区危化队",
            "specialties": ["hazchem", "fire"],
            "level": "county",
            "kind": "professional",
            "headcount": 24,
            "lon": 120.05,
            "lat": 30.05,
            "contact_name": "王, 队长",
            "equipment": "防化车\n洗消车",
            "mobilization_min": 7.5,
        },
        {
            "name": "东区水域队",
            "specialties": ["water"],
            "level": "municipal",
            "kind": "volunteer",
            "headcount": 8,
            "lon": 120.15,
            "lat": 30.05,
        },
    ]
    for body in teams:
        assert api_admin.post("/api/v1/teams", json=body).status_code == 201
    assert (
        api_admin.post(
            "/api/v1/bases",
            json={
                "name": "西区基地",
                "specialties": ["hazchem"],
                "level": "county",
                "lon": 120.02,
                "lat": 30.02,
            },
        ).status_code
        == 201
    )
    materials.seed_catalog(db.session)
    db.session.commit()
    west = api_admin.post(
        "/api/v1/depots", json={"name": "西区库", "lon": 120.05, "lat": 30.06}
    ).json
    api_admin.post("/api/v1/depots", json={"name": "空库", "lon": 120.15, "lat": 30.06})
    for line in (
        {"material_code": "sandbag", "quantity": 5000},
        {"material_code": "neutralizer", "quantity": 2.5, "expiry_date": "2027-06-30"},
    ):
        assert (
            api_admin.post(f"/api/v1/depots/{west['id']}/inventory", json=line).status_code == 201
        )
    chem = api_admin.post("/api/v1/enterprises", json=enterprise(1)).json
    api_admin.post(
        "/api/v1/enterprises",
        json=enterprise(2, name="东区商场", lon=120.15, industry="crowded_place"),
    )
    api_admin.post(
        "/api/v1/hazard-sources",
        json={
            "enterprise_id": chem["id"],
            "name": "液氯罐区",
            "grade": 1,
            "monitored": True,
            "substances": [{"name": "氯气", "quantity_t": 50}, {"name": "液氨"}],
        },
    )
    api_admin.post("/api/v1/experts", json=expert(region.west.id, specialties=["hazchem", "mine"]))


def test_csv_filters_and_columns(region, login_as):
    make_registry(login_as("admin"), region)
    viewer = login_as("viewer")
    teams = rows_of(viewer.get("/api/v1/exports/teams.csv?specialty=water"))
    assert [t["name"] for t in teams] == ["东区水域队"]
    assert teams[0]["jurisdiction_code"] == "330103"
    assert {"id", "updated_at", "verified_at", "specialties"} <= set(teams[0])
    west = rows_of(viewer.get(f"/api/v1/exports/teams.csv?jurisdiction_id={region.west.id}"))
    assert west[0]["specialties"] == "fire;hazchem" and west[0]["contact_name"] == "王, 队长"
    depots = rows_of(viewer.get("/api/v1/exports/depots.csv"))
    assert [(d["name"], d["material_code"], d["unit"]) for d in depots] == [
        ("西区库", "sandbag", "piece"),
        ("西区库", "neutralizer", "t"),
        ("空库", "", ""),
    ]
    hazards = rows_of(viewer.get("/api/v1/exports/hazard_sources.csv?grade=1"))
    assert hazards[0]["credit_code"] == enterprise(1)["credit_code"]
    assert hazards[0]["substances"] == "氯气:50;液氨"
    ents = rows_of(viewer.get("/api/v1/exports/enterprises.csv?has_hazard_source=false"))
    assert [e["name"] for e in ents] == ["东区商场"]
    assert rows_of(viewer.get("/api/v1/exports/experts.csv?specialty=mine"))[0]["name"] == "张工"
    assert rows_of(viewer.get("/api/v1/exports/bases.csv"))[0]["name"] == "西区基地"
    bad = viewer.get("/api/v1/exports/teams.csv?specialty=dragon")
    assert bad.status_code == 422 and bad.json["error"]["field"] == "specialty"
    assert viewer.get("/api/v1/exports/teams.pdf").status_code == 404


def test_xlsx_and_geojson(region, login_as):
    make_registry(login_as("admin"), region)
    viewer = login_as("viewer")
    response = viewer.get("/api/v1/exports/enterprises.xlsx")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].endswith('.xlsx"')
    sheet = openpyxl.load_workbook(io.BytesIO(response.data)).active
    values = list(sheet.iter_rows(values_only=True))
    assert values[0][:3] == ("id", "name", "credit_code") and len(values) == 3
    geo = viewer.get("/api/v1/exports/depots.geojson")
    assert geo.status_code == 200 and geo.mimetype == "application/geo+json"
    features = geo.json["features"]
    assert [f["properties"]["name"] for f in features] == ["西区库", "空库"]
    assert features[0]["geometry"] == {"type": "Point", "coordinates": [120.05, 30.06]}
    assert [i["material_code"] for i in features[0]["properties"]["inventory"]] == [
        "sandbag",
        "neutralizer",
    ]
    hazards = viewer.get("/api/v1/exports/hazard_sources.geojson").json["features"]
    assert hazards[0]["geometry"]["coordinates"] == [120.05, 30.05]  # at its enterprise
    assert viewer.get("/api/v1/exports/experts.geojson").json["features"][0]["geometry"] is None


def test_csv_round_trip(region, login_as, client):
    admin = login_as("admin")
    make_registry(admin, region)
    order = ["teams", "bases", "depots", "enterprises", "hazard_sources", "experts"]
    exported = {kind: admin.get(f"/api/v1/exports/{kind}.csv").data for kind in order}
    models = [RescueTeam, RescueBase, Depot, Enterprise, Expert]
    before = {m: columns(m, skip=("jurisdiction_id",)) for m in models}
    hazards_before = columns(HazardSource, skip=("enterprise_id",))
    lines_before = sorted(
        (ln.depot.name, ln.material.code, ln.quantity, ln.expiry_date)
        for ln in db.session.scalars(select(InventoryLine))
    )

    for model in (
        HazardSource,
        InventoryLine,
        Depot,
        TeamSpecialty,
        RescueTeam,
        RescueBase,
        Enterprise,
        Expert,
    ):
        db.session.execute(delete(model))
    db.session.commit()

    for kind in order:
        response = upload(admin, kind, exported[kind])
        assert response.status_code == 201, (kind, response.json)
    db.session.expire_all()
    assert {m: columns(m, skip=("jurisdiction_id",)) for m in models} == before
    assert columns(HazardSource, skip=("enterprise_id",)) == hazards_before
    assert (
        sorted(
            (ln.depot.name, ln.material.code, ln.quantity, ln.expiry_date)
            for ln in db.session.scalars(select(InventoryLine))
        )
        == lines_before
    )
    assert admin.get("/api/v1/depots").json["total"] == 2  # the empty depot came back too


def test_exports_need_a_login(region, client):
    assert client.get("/api/v1/exports/teams.csv").status_code == 401
