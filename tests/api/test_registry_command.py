"""``flask registry import``: the command checks rows with the API's schemas (passed in by
the app, so commands/ imports no HTTP code) and stores all rows or none."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from responder.models import RescueTeam, db

HEADER = "名称,专业,级别,性质,人数,经度,纬度\n"


def test_a_bad_row_is_reported_with_the_api_message_and_nothing_is_stored(region, app, tmp_path):
    file = tmp_path / "teams.csv"
    file.write_text(
        HEADER + "甲队,消防,县级,专职,12,120.05,30.05\n乙队,消防,县级,专职,1.5,120.05,30.05\n"
    )
    result = app.test_cli_runner().invoke(args=["registry", "import", "teams", str(file)])
    assert result.exit_code != 0
    assert "row 3, column 人数: Not a valid integer." in result.output
    assert db.session.scalars(select(RescueTeam)).all() == []


def test_good_rows_are_imported(region, app, tmp_path: Path):
    file = tmp_path / "teams.csv"
    file.write_text(
        HEADER + "甲队,消防,县级,专职,12,120.05,30.05\n乙队,消防,县级,专职,8,120.15,30.05\n"
    )
    result = app.test_cli_runner().invoke(args=["registry", "import", "teams", str(file)])
    assert result.exit_code == 0, result.output
    assert "imported 2 rows: 2 team" in result.output
    names = set(db.session.scalars(select(RescueTeam.name)))
    assert names == {"甲队", "乙队"}
