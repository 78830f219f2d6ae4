"""A registry spreadsheet in GCJ-02 (高德/腾讯 coordinates) lands on the right Hangzhou roads."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Flask
from sqlalchemy import select

from responder import crs
from responder.models import RescueTeam, db
from tests.fixtures.dispatch import World

HEADER = "name,specialties,level,kind,headcount,lon,lat\n"


def _csv(path: Path, points: list[tuple[float, float]]) -> Path:
    rows = [
        f"队伍{i},fire,county,professional,10,{lon:.8f},{lat:.8f}\n"
        for i, (lon, lat) in enumerate(points)
    ]
    path.write_text(HEADER + "".join(rows), encoding="utf-8")
    return path


def test_a_gcj02_csv_is_stored_on_the_wgs84_roads(app: Flask, world: World, tmp_path: Path) -> None:
    network = world.network
    nodes = [100, 2000, 5000, 9000, 12000]
    wgs = [world.node_point(n) for n in nodes]
    gcj = [crs.from_wgs84(lon, lat, "gcj02") for lon, lat in wgs]
    runner: Any = app.test_cli_runner()
    result = runner.invoke(
        args=["registry", "import", "teams", str(_csv(tmp_path / "gcj.csv", gcj)), "--crs", "gcj02"]
    )
    assert result.exit_code == 0, result.output
    stored = db.session.execute(select(RescueTeam.name, RescueTeam.lon, RescueTeam.lat)).all()
    by_name = {name: (lon, lat) for name, lon, lat in stored}
    for i, node in enumerate(nodes):
        snap = network.snap(*by_name[f"队伍{i}"])
        assert snap.distance_m < 0.05  # on the road, within centimetres
        assert node in (snap.u, snap.v) and min(snap.fraction, 1 - snap.fraction) < 1e-3
    # read as WGS-84, the same file puts every team hundreds of metres off its road
    offsets = [network.snap(*p) for p in gcj]
    assert all(
        abs(s.lon - w[0]) + abs(s.lat - w[1]) > 1e-3 for s, w in zip(offsets, wgs, strict=True)
    )


def test_the_api_takes_crs_and_refuses_an_unknown_one(
    app: Flask, world: World, login_as: Any, tmp_path: Path
) -> None:
    admin = login_as("admin")
    lon, lat = world.node_point(300)
    gcj = crs.from_wgs84(lon, lat, "gcj02")
    body = _csv(tmp_path / "one.csv", [gcj]).read_bytes()
    bad = admin.post("/api/v1/imports/teams?crs=mercator", data={"file": (_bytes(body), "one.csv")})
    assert bad.status_code == 422 and bad.get_json()["error"]["field"] == "crs"
    ok = admin.post("/api/v1/imports/teams?crs=gcj02", data={"file": (_bytes(body), "one.csv")})
    assert ok.status_code == 201, ok.get_json()
    team = db.session.scalar(select(RescueTeam))
    assert team is not None
    assert abs(team.lon - lon) < 1e-7 and abs(team.lat - lat) < 1e-7


def _bytes(data: bytes) -> Any:
    import io

    return io.BytesIO(data)
