"""Bulk import: CSV and XLSX, Chinese headers, all-or-nothing with a per-row report."""

from __future__ import annotations

import io
import time
import zipfile
from typing import Any

import openpyxl
import pytest
from sqlalchemy import select

from responder.models import (
    AuditEntry,
    Depot,
    Enterprise,
    HazardSource,
    InventoryLine,
    RescueTeam,
    db,
)
from responder.services import materials
from tests.api.factories import bad_check_character, count, credit_code

TEAM_HEADER = "名称,专业,级别,性质,人数,经度,纬度,联系人\n"


def csv_bytes(text: str, *, bom: bool = False) -> bytes:
    return ("\ufeff" if bom else "").encode() + text.encode("utf-8")


def xlsx_bytes(rows: list[list[Any]]) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def upload(api: Any, kind: str, data: bytes, name: str = "upload.csv") -> Any:
    return api.post(
        f"/api/v1/imports/{kind}",
        data={"file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )


def test_teams_csv_with_bom_chinese_headers_and_labels(region, login_as):
    text = TEAM_HEADER + (
        "西区危化救援队,危险化学品;消防,县级,专职,24,120.05,30.05,王队长\n"
        "东区医疗队,medical、land_search,municipal,volunteer,12,120.15,30.05,\n"
    )
    response = upload(login_as("operator"), "teams", csv_bytes(text, bom=True))
    assert response.status_code == 201, response.json
    assert response.json == {"kind": "teams", "rows": 2, "created": {"team": 2}}
    west = db.session.scalar(select(RescueTeam).where(RescueTeam.name == "西区危化救援队"))
    assert west.specialties == ["fire", "hazchem"] and west.level == "county"
    assert west.kind == "professional" and west.jurisdiction_id == region.west.id
    assert west.contact_name == "王队长"
    imported = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "import"))
    assert imported.after == {"rows": 2, "created": {"team": 2}}


def test_one_bad_row_stores_nothing_and_is_reported(region, login_as):
    rows = [f"队伍{i},fire,county,professional,10,120.05,30.05,\n" for i in range(5)]
    rows[2] = "队伍2,fire,county,professional,10,190.5,30.05,\n"  # longitude out of range
    response = upload(login_as("operator"), "teams", csv_bytes(TEAM_HEADER + "".join(rows)))
    assert response.status_code == 422, response.json
    error = response.json["error"]
    assert error["code"] == "import_rejected" and error["field"] == "file"
    assert error["details"] == [
        {
            "row": 4,
            "column": "经度",
            "message": "Must be greater than or equal to -180 and less than or equal to 180.",
        }
    ]
    assert count(RescueTeam) == 0
    assert db.session.scalar(select(AuditEntry.id).where(AuditEntry.entity == "team")) is None


def test_every_problem_is_reported(region, login_as):
    text = TEAM_HEADER + (
        "甲队,dragon,county,professional,10,120.05,30.05,\n"  # unknown specialty
        "乙队,fire,galactic,professional,-3,120.05,30.05,\n"  # two bad columns
        "丙队,fire,county,professional,10,100,20,\n"  # outside every jurisdiction
        "丁队,fire,county,professional,10,120.05,30.05,\n"
        "丁队,fire,county,professional,10,120.05,30.05,\n"  # duplicate within the file
        ",fire,county,professional,10,120.05,30.05,\n"  # missing name
    )
    response = upload(login_as("operator"), "teams", csv_bytes(text))
    assert response.status_code == 422
    details = response.json["error"]["details"]
    assert {(d["row"], d["column"]) for d in details} == {
        (2, "专业"),
        (3, "级别"),
        (3, "人数"),
        (4, "经度"),
        (6, "名称"),
        (7, "名称"),
    }
    assert "already exists" in next(d["message"] for d in details if d["row"] == 6)
    assert count(RescueTeam) == 0


def test_rows_outside_the_users_jurisdiction_are_reported(region, login_as):
    text = TEAM_HEADER + "东区队,fire,county,professional,10,120.15,30.05,\n"
    response = upload(login_as("operator", "330102"), "teams", csv_bytes(text))
    assert response.status_code == 422
    [problem] = response.json["error"]["details"]
    assert problem["row"] == 2 and problem["column"] == "经度"
    assert "outside your jurisdiction" in problem["message"]
    assert count(RescueTeam) == 0


def test_a_thousand_rows_import(region, login_as, capsys):
    lines = [
        f"队伍{i:04d},fire;medical,county,part_time,{i % 50},"
        f"{120.001 + (i % 190) * 0.001:.3f},{30.001 + (i // 190) * 0.001:.3f},\n"
        for i in range(1000)
    ]
    data = csv_bytes(TEAM_HEADER + "".join(lines))
    started = time.perf_counter()
    response = upload(login_as("operator"), "teams", data)
    elapsed = time.perf_counter() - started
    assert response.status_code == 201, response.json["error"]["details"][:3]
    assert response.json["created"] == {"team": 1000}
    assert count(RescueTeam) == 1000
    with capsys.disabled():
        print(f"\n1000-row team import: {elapsed:.2f} s")


def test_xlsx_enterprises_and_hazard_sources(region, login_as):
    api = login_as("clerk")
    enterprises = xlsx_bytes(
        [
            ["企业名称", "统一社会信用代码", "行业", "规模", "经度", "纬度", "地址"],
            ["西区化工厂", credit_code(1), "危险化学品生产", "规上", 120.05, 30.05, "西区路1号"],
            ["东区烟花厂", credit_code(2).lower(), "fireworks", "below", 120.15, 30.05, None],
        ]
    )
    response = upload(api, "enterprises", enterprises, "企业.xlsx")
    assert response.status_code == 201, response.json
    assert response.json["created"] == {"enterprise": 2}
    chem = db.session.scalar(select(Enterprise).where(Enterprise.credit_code == credit_code(1)))
    assert chem.industry == "hazchem_production" and chem.scale == "above"

    hazards = xlsx_bytes(
        [
            ["统一社会信用代码", "危险源名称", "级别", "危险物质", "在线监控"],
            [credit_code(1), "液氯储罐区", "一级", "氯气:50;液氨：20、硫酸", "是"],
            [credit_code(2), "成品仓库", 3, None, "否"],
        ]
    )
    response = upload(api, "hazard_sources", hazards, "危险源.xlsx")
    assert response.status_code == 201, response.json
    tank = db.session.scalar(select(HazardSource).where(HazardSource.name == "液氯储罐区"))
    assert tank.grade == 1 and tank.monitored is True
    assert tank.substances == [
        {"name": "氯气", "quantity_t": 50.0},
        {"name": "液氨", "quantity_t": 20.0},
        {"name": "硫酸", "quantity_t": None},
    ]


def test_bad_credit_code_and_missing_enterprise_are_reported(region, login_as):
    api = login_as("clerk")
    text = (
        "名称,统一社会信用代码,行业,经度,纬度\n"
        f"甲厂,{credit_code(1)},fireworks,120.05,30.05\n"
        f"乙厂,{bad_check_character(2)},fireworks,120.05,30.05\n"
        f"丙厂,{credit_code(1)},fireworks,120.06,30.05\n"
    )
    response = upload(api, "enterprises", csv_bytes(text))
    assert response.status_code == 422
    details = response.json["error"]["details"]
    assert [(d["row"], d["column"]) for d in details] == [
        (3, "统一社会信用代码"),
        (4, "统一社会信用代码"),
    ]
    assert "check character" in details[0]["message"]
    hazards = f"credit_code,name,grade\n{credit_code(9)},罐区,2\n"
    missing = upload(api, "hazard_sources", csv_bytes(hazards))
    assert missing.status_code == 422
    assert missing.json["error"]["details"] == [
        {
            "row": 2,
            "column": "credit_code",
            "message": f"no enterprise has credit code {credit_code(9)}",
        }
    ]
    assert count(Enterprise) == 0 and count(HazardSource) == 0


def test_depot_rows_are_grouped_into_depots(region, login_as):
    materials.seed_catalog(db.session)
    db.session.commit()
    text = (
        "储备库名称,管理单位,经度,纬度,物资代码,数量,有效期\n"
        "西区储备库,西区应急局,120.05,30.05,sandbag,5000,\n"
        "东区储备库,东区应急局,120.15,30.05,oil_boom,800,\n"
        "西区储备库,西区应急局,120.05,30.05,neutralizer,3.5,2027-06-30\n"
        "西区储备库,西区应急局,120.05,30.05,neutralizer,2,2028-06-30\n"
    )
    response = upload(login_as("operator"), "depots", csv_bytes(text))
    assert response.status_code == 201, response.json
    assert response.json["created"] == {"depot": 2, "inventory_line": 4}
    west = db.session.scalar(select(Depot).where(Depot.name == "西区储备库"))
    assert [(ln.material.code, ln.quantity, str(ln.expiry_date)) for ln in west.lines] == [
        ("sandbag", 5000, "None"),
        ("neutralizer", 3.5, "2027-06-30"),
        ("neutralizer", 2, "2028-06-30"),
    ]


def test_bad_depot_rows(region, login_as):
    materials.seed_catalog(db.session)
    db.session.commit()
    text = (
        "name,lon,lat,material_code,quantity,expiry_date\n"
        "甲库,120.05,30.05,unobtainium,5,\n"
        "甲库,120.05,30.05,sandbag,-5,\n"
        "甲库,120.05,30.05,sandbag,5,next year\n"
        "甲库,120.05,30.05,sandbag,5,\n"
        "甲库,120.05,30.05,sandbag,6,\n"
    )
    response = upload(login_as("operator"), "depots", csv_bytes(text))
    assert response.status_code == 422
    assert [(d["row"], d["column"]) for d in response.json["error"]["details"]] == [
        (2, "material_code"),
        (3, "quantity"),
        (4, "expiry_date"),
        (6, "material_code"),
    ]
    assert count(Depot) == 0 and count(InventoryLine) == 0


@pytest.mark.parametrize(
    ("data", "status"),
    [
        (b"\x89PNG\r\n\x1a\n" + bytes(range(256)), 415),  # an image
        ("名称,经度\n甲,120\n".encode("gbk"), 415),  # CSV, but not UTF-8
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, 415),  # legacy .xls
        (b"", 422),
    ],
)
def test_files_that_are_not_csv_or_xlsx_are_refused(region, login_as, data, status):
    response = upload(login_as("operator"), "teams", data, "teams.csv")
    assert response.status_code == status, response.json
    assert response.json["error"]["field"] == "file"
    assert count(RescueTeam) == 0


def test_a_zip_that_is_not_a_workbook_is_refused(region, login_as):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("readme.txt", "hello")
    response = upload(login_as("operator"), "teams", buffer.getvalue(), "teams.xlsx")
    assert response.status_code == 415 and response.json["error"]["field"] == "file"


def test_unknown_headers_are_reported_on_row_1(region, login_as):
    text = "名称,专业,颜色,级别\n甲队,fire,red,county\n"
    response = upload(login_as("operator"), "teams", csv_bytes(text))
    assert response.status_code == 422
    assert response.json["error"]["details"] == [
        {"row": 1, "column": "颜色", "message": "unknown column"}
    ]


def test_oversize_upload_is_413(region, login_as, app):
    app.config["MAX_CONTENT_LENGTH"] = 2048
    text = TEAM_HEADER + "".join(
        f"队{i},fire,county,professional,1,120.05,30.05,\n" for i in range(200)
    )
    response = upload(login_as("operator"), "teams", csv_bytes(text))
    assert response.status_code == 413
    assert response.json["error"]["field"] == "file"
    assert count(RescueTeam) == 0


def test_auth_role_kind_and_missing_file(region, login_as, client):
    data = csv_bytes(TEAM_HEADER + "甲队,fire,county,professional,1,120.05,30.05,\n")
    assert upload(client, "teams", data).status_code == 401
    assert upload(login_as("viewer"), "teams", data).status_code == 403
    assert upload(login_as("clerk"), "teams", data).status_code == 403
    unknown = upload(login_as("operator"), "spaceships", data)
    assert unknown.status_code == 422 and unknown.json["error"]["field"] == "kind"
    missing = login_as("operator").post(
        "/api/v1/imports/teams", data={}, content_type="multipart/form-data"
    )
    assert missing.status_code == 422 and missing.json["error"]["field"] == "file"
    assert count(RescueTeam) == 0


def test_cli_import_with_progress(region, runner, tmp_path):
    path = tmp_path / "teams.csv"
    path.write_bytes(
        csv_bytes(
            TEAM_HEADER + "甲队,fire,county,professional,1,120.05,30.05,\n"
            "乙队,water,county,volunteer,1,120.15,30.05,\n"
        )
    )
    result = runner.invoke(args=["registry", "import", "teams", str(path)])
    assert result.exit_code == 0, result.output
    assert "imported 2 rows: 2 team" in result.output
    assert count(RescueTeam) == 2
    bad = tmp_path / "bad.csv"
    bad.write_bytes(csv_bytes(TEAM_HEADER + "丙队,fire,county,professional,1,500,30.05,\n"))
    failed = runner.invoke(args=["registry", "import", "teams", str(bad)])
    assert failed.exit_code == 1
    assert "row 2, column 经度" in failed.output
    assert count(RescueTeam) == 2
