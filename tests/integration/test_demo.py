"""The demo loader (central Hangzhou): deterministic, big enough, the real 杭州市 tree, every
record on the demo roads and in the district that contains it.

One module-scoped load is shared by the content checks; the determinism check loads twice
more into fresh databases (about 3 s per load).
"""

from __future__ import annotations

import hashlib
import html
import json
import re
import shutil
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from flask import Flask
from shapely.geometry import Point, shape
from sqlalchemy import func, inspect, select, text

from responder import create_app, demo
from responder.demo import loader
from responder.demo.accounts import USERS
from responder.demo.enterprises import DEMO_MARK, INDUSTRY_PLAN
from responder.demo.region import DISTRICTS
from responder.demo.roads import read_road_nodes
from responder.errors import Conflict
from responder.models import (
    Depot,
    Enterprise,
    HazardSource,
    InventoryLine,
    Jurisdiction,
    MatrixMaterialNeed,
    MatrixTeamNeed,
    RescueBase,
    RescueTeam,
    User,
    db,
)
from responder.routing import RoadNetwork
from responder.services import accounts, credit_codes
from responder.vocabulary import INCIDENT_TYPES, INDUSTRIES, SPECIALTIES, TEAM_STATUSES
from tests.fixtures.pages import csrf_token

LOAD_DATE = date(2025, 3, 1)
#: Columns that record when a row was written, not what it says.
WRITE_TIMES = {"created_at", "updated_at", "status_changed_at", "at", "last_used_at"}
#: Tables whose content depends on secrets or wall-clock time by design.
NOT_COMPARED = {"users", "api_tokens", "audit_log", "alembic_version"}


def _app(database: Path, template: Path) -> Flask:
    shutil.copy(template, database)
    return create_app(
        {
            "TESTING": True,
            "DATABASE_URL": f"sqlite:///{database}",
            "SECRET_KEY": "test",
            "LOAD_ROADS": False,
        }
    )


@pytest.fixture(scope="module")
def loaded(
    tmp_path_factory: pytest.TempPathFactory, migrated_template: Path
) -> Iterator[tuple[Flask, demo.DemoResult]]:
    app = _app(tmp_path_factory.mktemp("demo") / "demo.sqlite", migrated_template)
    with app.app_context():
        result = demo.load(db.session, today=LOAD_DATE, password="demo-pass-123")
        db.session.commit()
        yield app, result
        db.session.remove()
        db.engine.dispose()


@pytest.fixture(scope="module")
def road_points() -> np.ndarray:
    return np.array(read_road_nodes().points)


def _digest(app: Flask) -> str:
    """SHA-256 over every compared table's rows (write-time columns left out)."""
    digest = hashlib.sha256()
    with app.app_context():
        connection = db.session.connection()
        for table in sorted(inspect(connection).get_table_names()):
            if table in NOT_COMPARED:
                continue
            columns = [
                c["name"]
                for c in inspect(connection).get_columns(table)
                if c["name"] not in WRITE_TIMES
            ]
            rows = connection.execute(text(f"SELECT {', '.join(columns)} FROM {table}")).all()
            dumped = sorted(json.dumps(list(r), default=str, ensure_ascii=False) for r in rows)
            digest.update(json.dumps([table, columns, dumped], ensure_ascii=False).encode())
        db.session.remove()
    return digest.hexdigest()


def _fresh_load_digest(database: Path, template: Path, **options: Any) -> str:
    """Load the demo into a new database and return its digest."""
    app = _app(database, template)
    with app.app_context():
        demo.load(db.session, today=LOAD_DATE, **options)  # random passwords: not compared
        db.session.commit()
        db.session.remove()
    digest = _digest(app)
    with app.app_context():
        db.engine.dispose()
    return digest


def test_two_loads_give_identical_content(
    loaded: tuple[Flask, demo.DemoResult], tmp_path: Path, migrated_template: Path
) -> None:
    again = _fresh_load_digest(tmp_path / "again.sqlite", migrated_template)
    assert again == _digest(loaded[0])


def _only_steps(monkeypatch: pytest.MonkeyPatch, *names: str) -> None:
    """Run just some loader steps (they must not need the ones left out)."""
    monkeypatch.setattr(loader, "STEPS", [s for s in loader.STEPS if s[0] in names])


def test_a_different_seed_places_teams_elsewhere(
    loaded: tuple[Flask, demo.DemoResult],
    tmp_path: Path,
    migrated_template: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    default_places = db.session.execute(select(RescueTeam.name, RescueTeam.lon)).all()
    _only_steps(monkeypatch, "jurisdictions", "catalog", "bases", "teams")
    other = _app(tmp_path / "other.sqlite", migrated_template)
    with other.app_context():
        demo.load(db.session, today=LOAD_DATE, seed=7)
        places = db.session.execute(select(RescueTeam.name, RescueTeam.lon)).all()
        db.session.rollback()
        db.engine.dispose()
    assert [name for name, _ in places] == [name for name, _ in default_places]
    assert places != default_places


def test_counts_meet_the_minimums(loaded: tuple[Flask, demo.DemoResult]) -> None:
    _app, result = loaded
    counts = result.counts
    assert counts["bases"] >= 6
    assert counts["teams"] >= 45
    assert counts["depots"] >= 12
    assert counts["experts"] >= 20
    assert counts["enterprises"] >= 320
    assert 30 <= counts["hazard_sources"] <= 50  # an urban district: LPG, oil, gas stations
    assert (
        db.session.scalar(select(db.func.count()).select_from(Enterprise)) == counts["enterprises"]
    )


def test_jurisdiction_tree_is_hangzhou_and_covers_the_roads(
    loaded: tuple[Flask, demo.DemoResult], road_points: np.ndarray
) -> None:
    nodes = db.session.scalars(select(Jurisdiction)).all()
    by_level: dict[str, list[Jurisdiction]] = {}
    for node in nodes:
        by_level.setdefault(node.level, []).append(node)
    assert [(j.code, j.name) for j in by_level["province"]] == [("330000", "浙江省")]
    assert [(j.code, j.name) for j in by_level["city"]] == [("330100", "杭州市")]
    counties = {j.code: j.name for j in by_level["county"]}
    assert len(counties) == 13 and "township" not in by_level  # no boundary is invented
    assert {counties[c] for c in DISTRICTS} == {"拱墅区", "西湖区", "上城区"}
    assert counties["330113"] == "临平区" and counties["330114"] == "钱塘区"
    shapes = [shape(json.loads(c.boundary)) for c in by_level["county"]]
    sample = road_points[:: max(1, len(road_points) // 2000)]
    for lon, lat in sample:
        point = Point(lon, lat)
        assert any(c.covers(point) for c in shapes), (lon, lat)


def test_every_located_record_is_in_a_district_and_snaps_to_a_near_road(
    loaded: tuple[Flask, demo.DemoResult], demo_network_cache: Path
) -> None:
    districts = {
        j.id: shape(json.loads(j.boundary))
        for j in db.session.scalars(select(Jurisdiction).where(Jurisdiction.code.in_(DISTRICTS)))
    }
    rows = [
        row
        for m in (RescueBase, RescueTeam, Depot, Enterprise)
        for row in db.session.execute(select(m.lon, m.lat, m.jurisdiction_id)).all()
    ]
    assert len(rows) >= 6 + 45 + 12 + 320
    for lon, lat, jurisdiction_id in rows:  # the district that contains it, one of the three
        assert districts[jurisdiction_id].covers(Point(lon, lat)), (lon, lat)
    network = RoadNetwork.load(demo_network_cache)
    points = np.array([(lon, lat) for lon, lat, _ in rows])
    snaps = network.snap_many(points[:, 0], points[:, 1])
    worst = max(s.distance_m for s in snaps)
    assert worst < 50.0, worst  # placed within tens of metres of the compiled network


def test_addresses_name_real_streets(loaded: tuple[Flask, demo.DemoResult]) -> None:
    nodes = read_road_nodes()
    streets = set(nodes.names) - {""}
    addresses = db.session.scalars(select(Enterprise.address)).all()
    for address in addresses:
        assert address.startswith("杭州市") and address.endswith("号"), address
        assert any(street in address for street in streets), address


def test_credit_codes_are_valid_and_unique(loaded: tuple[Flask, demo.DemoResult]) -> None:
    codes = db.session.scalars(select(Enterprise.credit_code)).all()
    assert [c for c in codes if credit_codes.problem(c)] == []
    assert len(set(codes)) == len(codes)
    assert all(c[8:11] == DEMO_MARK and c[2:8] in DISTRICTS for c in codes)  # marked demo


def test_industries_and_hazard_sources_are_realistic(
    loaded: tuple[Flask, demo.DemoResult],
) -> None:
    industries = set(db.session.scalars(select(Enterprise.industry)))
    assert industries == set(INDUSTRY_PLAN) and industries <= set(INDUSTRIES)
    assert "coal_mine" not in industries  # an urban district has no mines
    grades = set(db.session.scalars(select(HazardSource.grade)))
    assert grades == {1, 2, 3, 4}
    for source in db.session.scalars(select(HazardSource)):
        assert source.substances and all(s["quantity_t"] > 0 for s in source.substances)


def test_response_matrix_is_seeded(loaded: tuple[Flask, demo.DemoResult]) -> None:
    assert set(db.session.scalars(select(MatrixTeamNeed.incident_type))) == set(INCIDENT_TYPES)
    assert db.session.scalar(select(db.func.count()).select_from(MatrixMaterialNeed)) > 0


def test_every_specialty_has_several_teams_and_some_are_unavailable(
    loaded: tuple[Flask, demo.DemoResult],
) -> None:
    teams = db.session.scalars(select(RescueTeam)).all()
    for specialty in SPECIALTIES:
        assert sum(specialty in t.specialties for t in teams) >= 3, specialty
    unavailable = sum(t.status == "unavailable" for t in teams)
    assert 0 < unavailable <= 8, "a few teams are resting, most stand by"
    assert sum(t.base_id is not None for t in teams) >= 10
    assert len({t.level for t in teams}) == 5 and len({t.kind for t in teams}) == 5


def test_stock_has_expired_lines_and_token_quantities(
    loaded: tuple[Flask, demo.DemoResult],
) -> None:
    lines = db.session.scalars(select(InventoryLine)).all()
    assert any(x.expiry_date is not None and x.expiry_date < LOAD_DATE for x in lines)
    assert any(x.expiry_date is not None and x.expiry_date > LOAD_DATE for x in lines)
    assert any(x.quantity <= 1 for x in lines)
    assert all(x.quantity >= 0 for x in lines)


def test_users_one_per_role_and_county_scoped_ones_log_in(
    loaded: tuple[Flask, demo.DemoResult],
) -> None:
    _app, result = loaded
    users = db.session.scalars(select(User)).all()
    assert {u.role for u in users} == {
        "admin",
        "operator",
        "clerk",
        "drill_organizer",
        "viewer",
        "enterprise_staff",  # the demo plans' enterprise staff login
    }
    county_users = [u for u in users if u.jurisdiction and u.jurisdiction.level == "county"]
    assert {u.role for u in county_users} == {"operator", "clerk"}
    assert {u.jurisdiction.code for u in county_users} == {"330105"}  # 拱墅区
    by_name = {login.username: login for login in result.logins}
    assert set(by_name) == {u.username for u in users}
    for username in ("admin", "gongshu_operator"):  # password hashing is slow on purpose
        password = by_name[username].password
        assert accounts.authenticate(db.session, username, password) is not None


def test_loading_twice_is_refused(loaded: tuple[Flask, demo.DemoResult]) -> None:
    with pytest.raises(Conflict, match="already holds data"):
        demo.load(db.session, today=LOAD_DATE)
    db.session.rollback()


def test_cli_load_refuses_then_resets(
    app: Flask, runner: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    _only_steps(monkeypatch, "jurisdictions", "users")
    first = runner.invoke(args=["demo", "load", "--password", "pw-123456", "--date", "2025-03-01"])
    assert first.exit_code == 0, first.output
    assert "admin" in first.output and "pw-123456" in first.output
    again = runner.invoke(args=["demo", "load"])
    assert again.exit_code != 0 and "--reset" in again.output
    skipped = runner.invoke(args=["demo", "load", "--if-empty"])
    assert skipped.exit_code == 0 and "nothing loaded" in skipped.output
    db.session.execute(text("UPDATE jurisdictions SET name = 'changed' WHERE level = 'city'"))
    db.session.commit()
    reset = runner.invoke(args=["demo", "load", "--reset", "--password", "pw-654321"])
    assert reset.exit_code == 0, reset.output
    names = db.session.scalars(select(Jurisdiction.name).where(Jurisdiction.level == "city"))
    assert list(names) == ["杭州市"]
    assert db.session.scalar(select(db.func.count()).select_from(User)) == len(USERS)
    assert accounts.authenticate(db.session, "admin", "pw-654321") is not None


_SRCDOC = re.compile(r'srcdoc="([^"]*)"')
_POINTS = re.compile(
    r'<script[^>]* type="application/json" class="responder-points">(.*?)</script>'
)
_OVERLAY = re.compile(r'^\s*("[^"\n]*")\s*:\s*(feature_group_\w+),$', re.M)


def test_the_console_draws_the_demo_registry_from_one_json_block_per_layer(
    loaded: tuple[Flask, demo.DemoResult],
) -> None:
    app, _result = loaded
    client = app.test_client()
    signed = client.post(
        "/login",
        data={
            "username": "operator",
            "password": "demo-pass-123",
            "csrf_token": csrf_token(client),
        },
    )
    assert signed.status_code == 302
    page = client.get("/console").get_data(as_text=True)
    (frame,) = _SRCDOC.findall(page)
    document = html.unescape(frame)
    names = {group: json.loads(name) for name, group in _OVERLAY.findall(document)}
    layers = {names[block["group"]]: block for block in map(json.loads, _POINTS.findall(document))}

    teams = db.session.scalars(select(RescueTeam).where(RescueTeam.retired_at.is_(None))).all()
    by_status: dict[str, int] = {}
    for team in teams:
        key = "队伍 · " + TEAM_STATUSES[team.status][0]
        by_status[key] = by_status.get(key, 0) + 1
    team_layers = {name: len(b["points"]) for name, b in layers.items() if name.startswith("队伍")}
    assert team_layers == by_status and len(teams) >= 50
    assert all(point[6] == 0 for point in layers["队伍 · 待命"]["points"])  # not muted
    assert all(point[6] == 1 for point in layers["队伍 · 休整/维修"]["points"])
    assert len(layers["物资库"]["points"]) == db.session.scalar(
        select(func.count()).select_from(Depot).where(Depot.retired_at.is_(None))
    )
    assert len(layers["企业"]["points"]) == db.session.scalar(
        select(func.count()).select_from(Enterprise).where(Enterprise.retired_at.is_(None))
    )
    sources = sum(len(b["points"]) for name, b in layers.items() if name.startswith("危险源"))
    assert sources == db.session.scalar(
        select(func.count()).select_from(HazardSource).where(HazardSource.retired_at.is_(None))
    )
    first = teams[0]
    (drawn,) = [p for b in layers.values() for p in b["points"] if p[2] == first.name]
    assert drawn[:2] == [round(first.lon, 6), round(first.lat, 6)] and drawn[4][0][0] == "专业"
    # Hundreds of records, yet no marker is Folium code: the page stays light.
    assert "L.marker(" not in document and len(page) < 400_000
