"""Uploads are bounded before they are parsed: a crafted workbook is refused with a 413
naming the limit, at a small fraction of the time and memory budget (< 1 s, < 100 MiB;
timings: scripts/bench_uploads.py)."""

from __future__ import annotations

import io
import tracemalloc
from typing import Any

import openpyxl
import pytest

from responder.services import imports
from tests.api.factories import count
from tests.security import crafted

ALIASES = {"name": "name", "lon": "lon"}


def upload(api: Any, data: bytes, name: str = "upload.xlsx") -> Any:
    return api.post(
        "/api/v1/imports/teams",
        data={"file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )


@pytest.mark.parametrize(
    ("make", "setting"),
    [
        (crafted.many_rows, "IMPORT_MAX_ROWS"),
        (crafted.claimed_range, "IMPORT_MAX_COLUMNS"),
        (crafted.far_column, "IMPORT_MAX_COLUMNS"),
        (crafted.bomb, "IMPORT_MAX_UNCOMPRESSED_MB"),
    ],
)
def test_crafted_workbooks_are_refused_cheaply(make: Any, setting: str) -> None:
    data = make()
    tracemalloc.start()
    try:
        with pytest.raises(imports.UploadTooLarge, match=setting) as refused:
            imports.read_table(data, aliases=ALIASES)
        _now, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert refused.value.status == 413 and refused.value.field == "file"
    assert peak < 100 * 2**20


def test_the_api_answers_413_naming_the_limit(region, login_as) -> None:
    api = login_as("operator")
    for data in (crafted.many_rows(), crafted.claimed_range()):
        response = upload(api, data)
        assert response.status_code == 413
        error = response.json["error"]
        assert error["code"] == "upload_too_large" and error["field"] == "file"
        assert "IMPORT_MAX_" in error["message"]


def test_limits_are_settings(app_config, region) -> None:
    from responder import create_app

    app_config.update(IMPORT_MAX_ROWS=2)
    limits = imports.UploadLimits.from_config(create_app(app_config).config)
    assert limits.max_rows == 2
    with pytest.raises(imports.UploadTooLarge, match="more than 2 data rows"):
        imports.read_table(b"name\na\nb\nc\n", aliases=ALIASES, limits=limits)
    table = imports.read_table(b"name\na\nb\n", aliases=ALIASES, limits=limits)
    assert [row.values["name"] for row in table.rows] == ["a", "b"]


def test_csv_rows_and_columns_are_counted_while_reading() -> None:
    limits = imports.UploadLimits(max_rows=3, max_columns=2)
    wide = b"name,lon,,x\nA,1,,\n"
    with pytest.raises(imports.UploadTooLarge, match="column 4"):
        imports.read_table(wide, aliases=ALIASES, limits=limits)
    # Empty trailing columns are no reason to refuse.
    assert imports.read_table(b"name,lon,,\nA,1,,\n", aliases=ALIASES, limits=limits).rows


def test_rows_past_a_too_small_claimed_range_are_read_not_dropped() -> None:
    data = crafted.inline_rows(["name", "a", "b", "c"], dimension="A1:A2")
    names = [r.values["name"] for r in imports.read_table(data, aliases=ALIASES).rows]
    assert names == ["a", "b", "c"]


def test_an_ordinary_workbook_still_imports(region, login_as) -> None:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["名称", "专业", "级别", "性质", "人数", "经度", "纬度"])
    sheet.append(["西区危化救援队", "hazchem", "county", "professional", 20, 120.05, 30.05])
    buffer = io.BytesIO()
    workbook.save(buffer)
    from responder.models import RescueTeam

    response = upload(login_as("operator"), buffer.getvalue())
    assert response.status_code == 201, response.json
    assert count(RescueTeam) == 1
