"""Shared fixtures: an app on a freshly migrated SQLite file, clients, users and a small
jurisdiction tree.  Everything is offline and built in the test run."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from responder import create_app
from responder.models import db
from responder.services import accounts, jurisdictions
from responder.services.actors import SYSTEM

#: Fixtures shared across folders live in plugin modules, not in each other's conftests.
#: A module that imports another comes after it (pytest rewrites asserts only in modules it
#: registers before they are imported).
pytest_plugins = [
    "tests.fixtures.browser",
    "tests.fixtures.dispatch",
    "tests.fixtures.pages",
    "tests.fixtures.roads",
    "tests.fixtures.tiny_dispatch",
    "tests.fixtures.county_world",
    "tests.fixtures.databases",
]


def square(lon: float, lat: float, size: float) -> dict[str, Any]:
    """A GeoJSON square with its south-west corner at (lon, lat)."""
    ring = [[lon, lat], [lon + size, lat], [lon + size, lat + size], [lon, lat + size], [lon, lat]]
    return {"type": "Polygon", "coordinates": [ring]}


@pytest.fixture(scope="session")
def migrated_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file brought to head by the real Alembic migrations, once per session."""
    from flask_migrate import upgrade

    path = tmp_path_factory.mktemp("template") / "template.sqlite"
    app = create_app({"DATABASE_URL": f"sqlite:///{path}", "LOAD_ROADS": False})
    with app.app_context():
        upgrade()
        db.engine.dispose()
    return path


@pytest.fixture
def app_config(tmp_path: Path, migrated_template: Path) -> dict[str, Any]:
    """Config for a test app; tests may tweak it before asking for ``app``."""
    database = tmp_path / "test.sqlite"
    shutil.copy(migrated_template, database)
    return {
        "TESTING": True,
        "DATABASE_URL": f"sqlite:///{database}",
        "SECRET_KEY": "test-secret",
        "LOAD_ROADS": False,
        "DOCUMENTS_DIR": tmp_path / "documents",
    }


@pytest.fixture
def app(app_config: dict[str, Any]) -> Iterator[Flask]:
    app = create_app(app_config)
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(app: Flask) -> Any:
    return app.test_cli_runner()


@dataclass
class Region:
    """A province › city › two counties (west, east) tree, each county a 0.1° square."""

    province: Any
    city: Any
    west: Any
    east: Any

    # A point inside each county.
    west_point = (120.05, 30.05)
    east_point = (120.15, 30.05)


@pytest.fixture
def region(app: Flask) -> Region:
    make = lambda **data: jurisdictions.create(db.session, SYSTEM, data)  # noqa: E731
    province = make(code="330000", name="测试省", level="province", boundary=square(120, 30, 0.2))
    city = make(
        code="330100",
        name="测试市",
        level="city",
        parent_id=province.id,
        boundary=square(120, 30, 0.2),
    )
    west = make(
        code="330102", name="西区", level="county", parent_id=city.id, boundary=square(120, 30, 0.1)
    )
    east = make(
        code="330103",
        name="东区",
        level="county",
        parent_id=city.id,
        boundary=square(120.1, 30, 0.1),
    )
    db.session.commit()
    return Region(province, city, west, east)


class ApiClient:
    """A test client that sends a bearer token and JSON."""

    def __init__(self, client: FlaskClient, token: str) -> None:
        self.client = client
        self.headers = {"Authorization": f"Bearer {token}"}

    def __getattr__(self, verb: str) -> Callable[..., Any]:
        method = getattr(self.client, verb)

        def call(url: str, **kwargs: Any) -> Any:
            headers = {**self.headers, **kwargs.pop("headers", {})}
            return method(url, headers=headers, **kwargs)

        return call


@pytest.fixture
def login_as(app: Flask, client: FlaskClient) -> Callable[..., ApiClient]:
    """``login_as("operator", "330102")`` -> an :class:`ApiClient` for a new user."""
    counter = iter(range(10_000))

    def make(role: str, jurisdiction_code: str | None = None) -> ApiClient:
        user = accounts.create_user(
            db.session,
            SYSTEM,
            username=f"{role}{next(counter)}",
            password="password123",
            role=role,
            jurisdiction_code=jurisdiction_code,
        )
        token = accounts.issue_token(db.session, SYSTEM, user)
        db.session.commit()
        return ApiClient(client, token)

    return make


REPO = Path(__file__).resolve().parent.parent
#: Road sources by region name: ``demo`` is central Hangzhou (what serve.sh imports);
#: ``coquimbo`` is a second real network for tests that need one.
REGION_SOURCES = {
    "demo": REPO / "maps" / "demo" / "hangzhou_core.osm.bz2",
    "coquimbo": REPO / "maps" / "demo" / "coquimbo.osm.bz2",
}
DEMO_OSM = REGION_SOURCES["demo"]


def compiled_region(region: str) -> Path:
    """``REGION_SOURCES[region]`` compiled through the import path users use, cached under
    maps/cache/REGION (recompiled only when the source or speed table changes)."""
    from responder.routing import ensure_compiled

    return ensure_compiled(REGION_SOURCES[region], REPO / "maps" / "cache" / region)


@pytest.fixture(scope="session")
def demo_network_cache() -> Path:
    """The compiled ``demo`` region: central Hangzhou (maps/demo/hangzhou_core.osm.bz2)."""
    return compiled_region("demo")


def app_with_roads(app_config: dict[str, Any], region: str) -> Iterator[Flask]:
    """An app (in its context) with ``region``'s compiled roads loaded as at start-up."""
    compiled_region(region)
    app_config.update(LOAD_ROADS=True, MAPS_DIR=REPO / "maps", REGION=region)
    app = create_app(app_config)
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def roads_app(app_config: dict[str, Any], demo_network_cache: Path) -> Iterator[Flask]:
    """Like ``app``, with the demo road network (central Hangzhou) loaded as the service
    does at start-up.  A test package that needs roads overrides ``app`` with it (see
    tests/dispatch); one that needs Coquimbo uses :func:`app_with_roads`."""
    yield from app_with_roads(app_config, "demo")


@dataclass
class RegistryRecords:
    """A few records of every registry kind in the ``region`` (see :func:`registry_records`)."""

    base: Any
    fire_team: Any
    hazchem_team: Any
    stale_team: Any
    depot: Any
    expert: Any
    enterprise: Any
    hazard_source: Any


@pytest.fixture
def registry_records(app: Flask, region: Region) -> RegistryRecords:
    """Teams (fire in the west verified today, hazchem in the east unavailable and never
    verified, water in the west verified 200 days ago), a base, a depot with a fresh and an
    expired line, an expert, an enterprise with a grade-2 hazard source.  Written through
    the services."""
    from datetime import date, timedelta

    from responder.models import InventoryLine, Material, utcnow
    from responder.services import credit_codes, registry
    from responder.services.resources import (
        BASES,
        DEPOTS,
        ENTERPRISES,
        EXPERTS,
        HAZARD_SOURCES,
        TEAMS,
    )

    def create(resource: Any, **data: Any) -> Any:
        return registry.create(db.session, SYSTEM, resource, data)

    west_lon, west_lat = region.west_point
    east_lon, east_lat = region.east_point
    base = create(
        BASES,
        name="西区危化救援基地",
        level="county",
        specialties=["hazchem"],
        lon=west_lon,
        lat=west_lat,
    )
    fire = create(
        TEAMS,
        name="西区消防救援大队",
        specialties=["fire"],
        level="county",
        kind="professional",
        headcount=40,
        lon=west_lon + 0.01,
        lat=west_lat,
    )
    hazchem = create(
        TEAMS,
        name="东区危化品救援队",
        specialties=["hazchem", "medical"],
        level="municipal",
        kind="quasi_professional",
        headcount=25,
        status="unavailable",
        lon=east_lon,
        lat=east_lat,
    )
    water = create(
        TEAMS,
        name="西区水上救援队",
        specialties=["water"],
        level="county",
        kind="volunteer",
        headcount=12,
        base_id=base.id,
    )
    fire.verified_at = utcnow()
    water.verified_at = utcnow() - timedelta(days=200)
    foam = Material(code="foam", name_zh="泡沫灭火剂", name_en="Foam concentrate", unit="t")
    suit = Material(code="suit", name_zh="防化服", name_en="Chemical suit", unit="set")
    db.session.add_all([foam, suit])
    db.session.flush()
    depot = create(
        DEPOTS,
        name="东区应急物资储备库",
        operator="东区应急局",
        level="county",
        lon=east_lon + 0.01,
        lat=east_lat + 0.01,
    )
    db.session.add_all(
        [
            InventoryLine(depot_id=depot.id, material_id=foam.id, quantity=12.5),
            InventoryLine(
                depot_id=depot.id,
                material_id=suit.id,
                quantity=30,
                expiry_date=date.today() - timedelta(days=10),
            ),
        ]
    )
    expert = create(
        EXPERTS,
        name="王危化",
        specialties=["hazchem"],
        title="高级工程师",
        organization="测试化工研究院",
        jurisdiction_id=region.west.id,
    )
    enterprise = create(
        ENTERPRISES,
        name="东区化工储运有限公司",
        credit_code=credit_codes.make("91330103MA2B3C4D5"),
        industry="hazchem_storage",
        scale="above",
        lon=east_lon - 0.01,
        lat=east_lat + 0.02,
    )
    source = create(
        HAZARD_SOURCES,
        name="液氯储罐区",
        enterprise_id=enterprise.id,
        grade=2,
        substances=[{"name": "液氯", "quantity_t": 50}],
        monitored=True,
    )
    db.session.commit()
    return RegistryRecords(base, fire, hazchem, water, depot, expert, enterprise, source)
