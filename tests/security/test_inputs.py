"""Regression tests for issue 16's input and export defects, on SQLite and PostgreSQL:
formula injection and control characters in exports, lone surrogates and NUL, JSON depth,
fractional integers, names of spaces, and exact stock quantities (2.3 - 2.0 = 0.3)."""

from __future__ import annotations

import io
import json
from decimal import Decimal
from typing import Any

import openpyxl
import pytest
import sqlalchemy as sa
from flask import Flask
from sqlalchemy import select

from responder.http.api.cells import spreadsheet_cell
from responder.models import InventoryLine, RescueTeam, db
from responder.services import imports, materials
from tests.api.factories import depot

HOSTILE_CELLS = ["=cmd|' /C calc'!A0", "+1+2", "-2+3", "@SUM(A1)", "\t=1+1", "\r=1+1"]


@pytest.fixture
def app(each_database_app: Flask) -> Flask:
    """Every test here on SQLite and on PostgreSQL (``tests/fixtures/databases.py``)."""
    return each_database_app


def team(**overrides: Any) -> dict[str, Any]:
    body = {
        "name": "西区消防救援大队",
        "specialties": ["fire"],
        "level": "county",
        "kind": "professional",
        "headcount": 12,
        "lon": 120.05,
        "lat": 30.05,
    }
    return body | overrides


def raw_post(api: Any, url: str, text: str) -> Any:
    return api.post(url, data=text, content_type="application/json")


def test_exported_formulas_are_neutralised_and_reimport_unchanged(region, login_as) -> None:
    api = login_as("operator")
    for n, text in enumerate(HOSTILE_CELLS):
        made = api.post("/api/v1/teams", json=team(name=f"队{n}", contact_name=text))
        assert made.status_code == 201, made.json
    stored = sorted(db.session.scalars(select(RescueTeam.contact_name)).all())
    csv_text = api.get("/api/v1/exports/teams.csv").get_data().decode("utf-8-sig")
    assert stored == sorted(text.strip() for text in HOSTILE_CELLS)  # inputs are trimmed
    for text in stored:
        assert f",'{text}," in csv_text
    workbook = openpyxl.load_workbook(io.BytesIO(api.get("/api/v1/exports/teams.xlsx").data))
    sheet = workbook.active
    column = [c.value for c in sheet[1]].index("contact_name") + 1
    cells = [sheet.cell(row, column) for row in range(2, sheet.max_row + 1)]
    assert all(c.data_type == "s" and c.value[0] == "'" for c in cells)
    # The importer drops the guard again: an export re-imports to the same text.
    table = imports.read_table(
        csv_text.encode(), aliases={"contact_name": "contact_name"}, ignored=_ignored(csv_text)
    )
    assert sorted(row.values["contact_name"] for row in table.rows) == stored


def _ignored(csv_text: str) -> set[str]:
    header = csv_text.splitlines()[0].split(",")
    return {imports.normalize_header(h) for h in header if h != "contact_name"}


def test_one_neutraliser_for_every_export() -> None:
    assert [spreadsheet_cell(t) for t in HOSTILE_CELLS] == ["'" + t for t in HOSTILE_CELLS]
    assert spreadsheet_cell("队\x07伍\x00") == "队伍"
    assert spreadsheet_cell("第一行\n第二行\t尾") == "第一行\n第二行\t尾"
    assert spreadsheet_cell(-3) == -3 and spreadsheet_cell(None) is None


def test_xlsx_export_of_text_with_a_control_character(region, login_as) -> None:
    api = login_as("operator")
    assert api.post("/api/v1/teams", json=team(equipment="泵\x07车\x1b")).status_code == 201
    response = api.get("/api/v1/exports/teams.xlsx")
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.data)).active
    assert "泵车" in [c.value for c in sheet[2]]


@pytest.mark.parametrize(
    ("text", "field"),
    [
        ('{"name": "\\ud800队"}', "name"),
        ('{"name": "队\\u0000伍"}', "name"),
        ('{"name": "队", "specialties": ["fire\\udfff"]}', "specialties[0]"),
        ('{"\\ud800": 1}', "\ud800"),
    ],
)
def test_lone_surrogates_and_nul_are_refused(region, login_as, text, field) -> None:
    api = login_as("operator")
    body = team() | json.loads(text)
    response = raw_post(api, "/api/v1/teams", json.dumps(body))
    assert response.status_code == 422, response.json
    assert response.json["error"]["field"] == field
    assert db.session.scalar(select(sa.func.count()).select_from(RescueTeam)) == 0


def test_nul_in_a_query_string_or_page_form_is_refused(region, login_as) -> None:
    response = login_as("viewer").get("/api/v1/teams?q=%00")
    assert response.status_code == 422 and response.json["error"]["field"] == "q"


@pytest.mark.parametrize("depth", [33, 1000, 100_000])
def test_deep_json_is_refused_not_500(region, login_as, depth) -> None:
    response = raw_post(login_as("operator"), "/api/v1/teams", "[" * depth + "]" * depth)
    assert response.status_code == 400
    assert response.json["error"]["code"] == "too_deep"
    assert "JSON_MAX_DEPTH" in response.json["error"]["message"]


def test_fractional_headcount_is_refused(region, login_as) -> None:
    api = login_as("operator")
    response = api.post("/api/v1/teams", json=team(headcount=1.5))
    assert response.status_code == 422 and response.json["error"]["field"] == "headcount"
    assert api.post("/api/v1/teams", json=team(headcount=3.0)).json["headcount"] == 3


def test_names_are_trimmed_and_a_name_of_spaces_is_refused(region, login_as) -> None:
    api = login_as("operator")
    response = api.post("/api/v1/teams", json=team(name="   \u3000 "))
    assert response.status_code == 422 and response.json["error"]["field"] == "name"
    made = api.post("/api/v1/teams", json=team(name="  西区队 "))
    assert made.status_code == 201 and made.json["name"] == "西区队"


def test_stock_quantities_are_exact(region, login_as) -> None:
    materials.seed_catalog(db.session)
    db.session.commit()
    api = login_as("operator")
    made = api.post("/api/v1/depots", json=depot()).json
    base = f"/api/v1/depots/{made['id']}/inventory"
    line = api.post(base, json={"material_code": "foam_concentrate", "quantity": 2.3}).json
    adjusted = api.post(f"{base}/{line['id']}/adjust", json={"delta": -2.0, "reason": "用掉"})
    assert adjusted.status_code == 200
    assert b'"quantity":0.3' in adjusted.data.replace(b" ", b"")
    for _ in range(3):  # 0.3 - 0.1 - 0.1 - 0.1 is exactly empty, and the last draw works
        taken = api.post(f"{base}/{line['id']}/adjust", json={"delta": -0.1, "reason": "用"})
        assert taken.status_code == 200, taken.json
    db.session.expire_all()
    assert db.session.get(InventoryLine, line["id"]).quantity == Decimal(0)
    too_fine = api.post(base, json={"material_code": "absorbent_felt", "quantity": 1.0000001})
    assert too_fine.status_code == 422 and too_fine.json["error"]["field"] == "quantity"
