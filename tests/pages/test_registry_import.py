"""Page import: blank templates, preview with the column mapping, streamed progress,
per-row problems with nothing stored, and the GCJ-02 coordinate column."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

import openpyxl
import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from responder import crs
from responder.models import RescueTeam, db
from tests.fixtures.pages import csrf_token


def template_rows(client: FlaskClient) -> list[str]:
    response = client.get("/registry/import/teams/template.xlsx")
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.data)).active
    return [cell.value for cell in next(sheet.iter_rows(min_row=1, max_row=1))]


def filled(headers: list[str], rows: list[dict[str, Any]]) -> bytes:
    buffer = io.StringIO(newline="")
    writer = csv.DictWriter(buffer, fieldnames=headers)
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


def post_file(client: FlaskClient, url: str, data: bytes) -> Any:
    token = csrf_token(client, "/registry/import/teams")
    return client.post(
        url,
        data={"file": (io.BytesIO(data), "teams.csv")},
        headers={"X-CSRFToken": token},
        content_type="multipart/form-data",
    )


def events(response: Any) -> list[dict[str, Any]]:
    return [json.loads(line) for line in response.get_data(as_text=True).splitlines() if line]


@pytest.fixture
def three_rows() -> list[dict[str, Any]]:
    gcj_lon, gcj_lat = crs.from_wgs84(120.06, 30.07, "gcj02")
    return [
        {"名称": "导入一队", "专业": "消防", "级别": "县级", "性质": "专职", "人数": "10",
         "经度": "120.02", "纬度": "30.02"},
        {"名称": "导入二队", "专业": "危险化学品;医疗救护", "级别": "县级", "性质": "专职",
         "人数": "abc", "经度": "120.03", "纬度": "30.03"},
        {"名称": "导入三队", "专业": "消防", "级别": "县级", "性质": "专职", "人数": "8",
         "经度": f"{gcj_lon:.7f}", "纬度": f"{gcj_lat:.7f}", "坐标系": "GCJ-02"},
    ]  # fmt: skip


def test_template_has_chinese_headers_and_the_coordinate_system(region: Any, sign_in: Any) -> None:
    client = sign_in("operator")
    headers = template_rows(client)
    assert headers[:4] == ["名称", "专业", "级别", "性质"] and headers[-1] == "坐标系"
    blank = client.get("/registry/import/teams/template.csv").get_data(as_text=True)
    assert blank.lstrip("\ufeff").startswith("名称,专业,级别,性质")


def test_preview_shows_mapping_then_bad_row_stores_nothing_then_import(
    region: Any, sign_in: Any, three_rows: list[dict[str, Any]]
) -> None:
    client = sign_in("operator")
    headers = template_rows(client)
    data = filled(headers, three_rows)
    preview = post_file(client, "/registry/import/teams/preview", data).json
    assert preview["ok"] and preview["total"] == 3
    mapping = {c["header"]: c["field"] for c in preview["columns"]}
    assert mapping["人数"] == "headcount" and mapping["坐标系"] == "crs"
    assert preview["rows"][0]["row"] == 2

    rejected = events(post_file(client, "/registry/import/teams/run", data))
    assert rejected[0] == {"done": 0, "total": 3}
    outcome = rejected[-1]
    assert [(p["row"], p["column"]) for p in outcome["problems"]] == [(3, "人数")]
    assert outcome["problems"][0]["message"] == "不是有效的整数"
    assert db.session.scalars(select(RescueTeam)).all() == []  # nothing stored

    three_rows[1]["人数"] = "12"
    done = events(post_file(client, "/registry/import/teams/run", filled(headers, three_rows)))
    assert done[-1]["result"] == {"rows": 3, "created": {"team": 3}}
    assert all("done" in e for e in done[:-1])
    third = db.session.scalar(select(RescueTeam).where(RescueTeam.name == "导入三队"))
    assert third.lon == pytest.approx(120.06, abs=1e-6)
    assert third.lat == pytest.approx(30.07, abs=1e-6)


def test_import_needs_the_role(region: Any, sign_in: Any) -> None:
    client = sign_in("viewer")
    assert client.get("/registry/import/teams").status_code == 403
