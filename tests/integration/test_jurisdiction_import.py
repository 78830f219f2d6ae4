"""``flask jurisdictions import``, ``--adcode`` trees and the road/boundary overlap check."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import geopandas
import pytest
import shapely
from flask import Flask
from shapely.geometry import box, mapping, shape
from sqlalchemy import func, select

from responder import crs
from responder.models import AuditEntry, Jurisdiction, db
from responder.services import road_overlap

REPO = Path(__file__).resolve().parents[2]
HANGZHOU = REPO / "maps" / "demo" / "hangzhou_jurisdictions.geojson"


def _count() -> int:
    return db.session.scalar(select(func.count()).select_from(Jurisdiction)) or 0


def _boundary(code: str) -> Any:
    node = db.session.scalar(select(Jurisdiction).where(Jurisdiction.code == code))
    assert node is not None, code
    return shape(json.loads(node.boundary)) if node.boundary else None


def _collection(features: list[tuple[dict[str, Any], Any]]) -> dict[str, Any]:
    return {
        "type": "FeatureCollection",
        "features": [
            {"type": "Feature", "properties": props, "geometry": geometry}
            for props, geometry in features
        ],
    }


def _write(path: Path, data: dict[str, Any]) -> Path:
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


def test_datav_geojson_imports_the_tree_with_a_report(app: Flask, runner: Any) -> None:
    result = runner.invoke(args=["jurisdictions", "import", str(HANGZHOU)])
    assert result.exit_code == 0, result.output
    assert "imported: 15 created" in result.output
    assert "330105" in result.output and "拱墅区" in result.output
    nodes = {j.code: j for j in db.session.scalars(select(Jurisdiction))}
    assert nodes["330105"].level == "county" and nodes["330105"].parent.code == "330100"
    assert nodes["330100"].parent.code == "330000"
    assert _boundary("330105").contains(shapely.Point(120.1489, 30.3107))  # 上塘路
    audited = db.session.scalar(
        select(func.count()).select_from(AuditEntry).where(AuditEntry.entity == "jurisdiction")
    )
    assert audited == 15
    again = runner.invoke(args=["jurisdictions", "import", str(HANGZHOU)])
    assert again.exit_code == 0 and "15 updated" in again.output  # re-import refreshes


def test_a_gcj02_file_is_converted_to_wgs84(app: Flask, runner: Any, tmp_path: Path) -> None:
    data = json.loads(HANGZHOU.read_text(encoding="utf-8"))
    wanted = {"330000", "330100", "330105"}
    features = []
    for feature in data["features"]:
        if feature["properties"]["adcode"] in wanted:
            gcj = shapely.transform(
                shape(feature["geometry"]),
                lambda xy: [crs.from_wgs84(x, y, "gcj02") for x, y in xy],
            )
            features.append((feature["properties"], mapping(gcj)))
    path = _write(tmp_path / "gcj.geojson", _collection(features))
    result = runner.invoke(args=["jurisdictions", "import", str(path), "--crs", "gcj02"])
    assert result.exit_code == 0, result.output
    assert "converted from gcj02" in result.output
    original = next(
        shape(f["geometry"]) for f in data["features"] if f["properties"]["adcode"] == "330105"
    )
    stored = _boundary("330105")
    assert stored.hausdorff_distance(original) < 1e-6  # ~0.1 m: back on WGS-84
    shifted = shapely.transform(original, lambda xy: [crs.from_wgs84(x, y, "gcj02") for x, y in xy])
    assert shifted.hausdorff_distance(original) > 3e-3  # unconverted it would be ~400 m off


def test_a_broken_polygon_is_refused_by_name_and_nothing_is_written(
    app: Flask, runner: Any, tmp_path: Path
) -> None:
    good = box(120.0, 30.0, 120.2, 30.2)
    line_like = {
        "type": "Polygon",
        "coordinates": [[[120, 30], [120.1, 30.1], [120.2, 30.2], [120, 30]]],
    }
    path = _write(
        tmp_path / "broken.geojson",
        _collection(
            [
                ({"adcode": "330100", "name": "杭州市", "level": "city"}, mapping(good)),
                (
                    {"adcode": "330105", "name": "拱墅区", "level": "district",
                     "parent_adcode": "330100"},
                    line_like,
                ),
            ]
        ),
    )  # fmt: skip
    result = runner.invoke(args=["jurisdictions", "import", str(path)])
    assert result.exit_code != 0
    assert "1 of 2 features refused, nothing imported" in result.output
    assert "#2 330105 拱墅区" in result.output and "no area left" in result.output
    assert _count() == 0


def test_a_self_intersecting_polygon_is_repaired_or_refused_with_no_repair(
    app: Flask, runner: Any, tmp_path: Path
) -> None:
    bowtie = {
        "type": "Polygon",
        "coordinates": [
            [[120.0, 30.0], [120.1, 30.1], [120.1, 30.0], [120.0, 30.1], [120.0, 30.0]]
        ],
    }
    path = _write(
        tmp_path / "bowtie.geojson",
        _collection([({"adcode": "330100", "name": "杭州市", "level": "city"}, bowtie)]),
    )
    refused = runner.invoke(args=["jurisdictions", "import", str(path), "--no-repair"])
    assert refused.exit_code != 0 and "Self-intersection" in refused.output
    assert _count() == 0
    repaired = runner.invoke(args=["jurisdictions", "import", str(path)])
    assert repaired.exit_code == 0, repaired.output
    assert "repaired (Self-intersection" in repaired.output
    stored = _boundary("330100")
    assert stored.is_valid and stored.area == pytest.approx(0.005, rel=1e-6)


def test_a_projected_shapefile_with_its_own_field_names(
    app: Flask, runner: Any, tmp_path: Path
) -> None:
    city, district = box(120.0, 30.2, 120.3, 30.4), box(120.1, 30.25, 120.2, 30.35)
    frame = geopandas.GeoDataFrame(
        {"DM": ["330100", "330105"], "MC": ["杭州市", "拱墅区"], "SJDM": [None, "330100"]},
        geometry=[city, district],
        crs=4490,
    ).to_crs(4549)  # CGCS2000 / 3-degree Gauss-Kruger CM 120E, metres
    path = tmp_path / "xzqh.shp"
    frame.to_file(path, encoding="utf-8")
    result = runner.invoke(
        args=["jurisdictions", "import", str(path), "--code-field", "DM", "--name-field", "MC",
              "--parent-field", "SJDM", "--crs", "cgcs2000"]
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert _boundary("330105").hausdorff_distance(district) < 1e-7
    levels = dict(db.session.execute(select(Jurisdiction.code, Jurisdiction.level)).all())
    assert levels == {"330100": "city", "330105": "county"}  # levels from the codes


def test_adcode_builds_a_city_tree_from_geotool_cn(app: Flask, runner: Any) -> None:
    result = runner.invoke(args=["jurisdictions", "import", "--adcode", "330100"])
    assert result.exit_code == 0, result.output
    nodes = {j.code: j for j in db.session.scalars(select(Jurisdiction))}
    assert nodes["330000"].name == "浙江省" and nodes["330100"].name == "杭州市"
    counties = {c: j.name for c, j in nodes.items() if j.level == "county"}
    assert len(counties) == 13 and counties["330113"] == "临平区"
    assert all(j.parent.code == "330100" for j in nodes.values() if j.level == "county")
    assert all(j.boundary is None for j in nodes.values())  # none invented
    with_file = runner.invoke(args=["jurisdictions", "import", str(HANGZHOU), "--adcode", "330100"])
    assert with_file.exit_code == 0 and "15 updated" in with_file.output
    assert _boundary("330106") is not None


def test_adcode_of_a_county_and_an_unknown_code(app: Flask, runner: Any) -> None:
    result = runner.invoke(args=["jurisdictions", "import", "--adcode", "330105", "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "checked (dry run): 3 created" in result.output and _count() == 0
    unknown = runner.invoke(args=["jurisdictions", "import", "--adcode", "339999"])
    assert unknown.exit_code != 0 and "not a province, city or county code" in unknown.output


def _osm(path: Path, points: list[tuple[float, float]]) -> Path:
    """A road file: one residential way through the points (in order)."""
    nodes = "".join(
        f'<node id="{i + 1}" version="1" lat="{lat:.7f}" lon="{lon:.7f}"/>'
        for i, (lon, lat) in enumerate(points)
    )
    refs = "".join(f'<nd ref="{i + 1}"/>' for i in range(len(points)))
    path.write_text(
        f'<?xml version="1.0"?><osm version="0.6">{nodes}<way id="1" version="1">{refs}'
        '<tag k="highway" v="residential"/></way></osm>',
        encoding="utf-8",
    )
    return path


def _grid(area: Any, step: float) -> list[tuple[float, float]]:
    a, b, c, _d = area.bounds
    n = round((c - a) / step)
    return [(a + step * (i + 0.5), b + step * (j + 0.5)) for i in range(n) for j in range(n)]


def test_roads_outside_every_jurisdiction_are_refused(app: Flask, runner: Any) -> None:
    assert runner.invoke(args=["jurisdictions", "import", str(HANGZHOU)]).exit_code == 0
    coquimbo = REPO / "maps" / "demo" / "coquimbo.osm.bz2"
    result = runner.invoke(args=["roads", "import", str(coquimbo), "--region", "x"])
    assert result.exit_code != 0
    assert "outside every stored jurisdiction" in result.output and "--force" in result.output


def test_roads_shifted_like_gcj02_are_refused(app: Flask, runner: Any, tmp_path: Path) -> None:
    district = box(120.14, 30.28, 120.16, 30.30)  # ~2 km square, roads clipped to it
    path = _write(
        tmp_path / "d.geojson",
        _collection([({"adcode": "330105", "name": "拱墅区", "level": "district"},
                      mapping(district))]),
    )  # fmt: skip
    assert runner.invoke(args=["jurisdictions", "import", str(path)]).exit_code == 0
    grid = _grid(district, 0.001)
    aligned = road_overlap.check(
        db.session, road_overlap.road_points(_osm(tmp_path / "a.osm", grid))
    )
    assert aligned is not None and aligned.problem is None and aligned.outside == 0
    gcj = [crs.from_wgs84(x, y, "gcj02") for x, y in grid]
    shifted = _osm(tmp_path / "gcj.osm", gcj)
    verdict = road_overlap.check(db.session, road_overlap.road_points(shifted))
    assert verdict is not None and verdict.problem is not None
    assert "looks like GCJ-02" in verdict.problem and verdict.shifted_outside == 0
    result = runner.invoke(args=["roads", "import", str(shifted), "--region", "shifted"])
    assert result.exit_code != 0 and "GCJ-02" in result.output


def test_onboard_builds_the_tree_checks_and_compiles_the_roads(
    app_config: dict[str, Any], tmp_path: Path
) -> None:
    app_config["MAPS_DIR"] = tmp_path / "maps"
    from responder import create_app

    app = create_app(app_config)
    with app.app_context():
        runner = app.test_cli_runner()
        # a small street grid in 拱墅区 (two-way residential ways, strongly connected)
        a = (120.140, 30.300)
        lines = [[(a[0] + i * 0.002, a[1] + j * 0.002) for j in range(6)] for i in range(6)]
        lines += [[(a[0] + j * 0.002, a[1] + i * 0.002) for j in range(6)] for i in range(6)]
        points = sorted({p for line in lines for p in line})
        ids = {p: i + 1 for i, p in enumerate(points)}
        nodes = "".join(f'<node id="{ids[p]}" lat="{p[1]:.6f}" lon="{p[0]:.6f}"/>' for p in points)
        ways = "".join(
            f'<way id="{k + 1}">' + "".join(f'<nd ref="{ids[p]}"/>' for p in line)
            + '<tag k="highway" v="residential"/></way>'
            for k, line in enumerate(lines)
        )  # fmt: skip
        roads = tmp_path / "gongshu.osm"
        roads.write_text(f'<?xml version="1.0"?><osm version="0.6">{nodes}{ways}</osm>')
        result = runner.invoke(
            args=["onboard", "--adcode", "330105", "--roads", str(roads),
                  "--boundaries", str(HANGZHOU), "--region", "gongshu"]
        )  # fmt: skip
        assert result.exit_code == 0, result.output
        assert "3 created" in result.output and "100.0% of" in result.output
        assert (tmp_path / "maps" / "cache" / "gongshu" / "meta.json").is_file()
        codes = set(db.session.scalars(select(Jurisdiction.code)))
        assert codes == {"330000", "330100", "330105"}
        db.session.remove()
        db.engine.dispose()
