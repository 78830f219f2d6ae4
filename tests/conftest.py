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
    city = make(code="330100", name="测试市", level="city", parent_id=province.id,
                boundary=square(120, 30, 0.2))
    west = make(code="330102", name="西区", level="county", parent_id=city.id,
                boundary=square(120, 30, 0.1))
    east = make(code="330103", name="东区", level="county", parent_id=city.id,
                boundary=square(120.1, 30, 0.1))
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
            db.session, SYSTEM, username=f"{role}{next(counter)}", password="password123",
            role=role, jurisdiction_code=jurisdiction_code,
        )
        token = accounts.issue_token(db.session, SYSTEM, user)
        db.session.commit()
        return ApiClient(client, token)

    return make
