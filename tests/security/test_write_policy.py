"""The write path under contention: nothing slow holds SQLite's write lock, and a write
that cannot get the lock in time is answered 503 with Retry-After (JSON), never 500."""

from __future__ import annotations

import sqlite3
import threading
import time
from typing import Any

import pytest
from sqlalchemy import func, select

from responder.models import RescueTeam, db
from responder.services import accounts
from responder.services.actors import SYSTEM

TEAM = {
    "name": "队伍",
    "specialties": ["fire"],
    "level": "county",
    "kind": "professional",
    "lon": 120.05,
    "lat": 30.05,
}


def _database_path(app: Any) -> str:
    return str(app.config["DATABASE_URL"]).removeprefix("sqlite:///")


def _hold_write_lock(path: str, seconds: float, held: threading.Event) -> None:
    """Another process's long write: BEGIN IMMEDIATE, wait, roll back."""
    connection = sqlite3.connect(path, isolation_level=None)
    try:
        connection.execute("BEGIN IMMEDIATE")
        held.set()
        time.sleep(seconds)
        connection.execute("ROLLBACK")
    finally:
        connection.close()


@pytest.fixture
def app_config(app_config: dict[str, Any]) -> dict[str, Any]:
    app_config["DB_LOCK_WAIT_S"] = 1.0
    return app_config


def test_a_write_waits_for_a_short_lock_and_lands(app, region, login_as):
    api = login_as("operator")
    held = threading.Event()
    holder = threading.Thread(target=_hold_write_lock, args=(_database_path(app), 0.3, held))
    holder.start()
    try:
        assert held.wait(5)
        response = api.post("/api/v1/teams", json=TEAM)
    finally:
        holder.join(10)
    assert response.status_code == 201


def test_a_lock_held_past_the_bound_gives_503_with_retry_after(app, region, login_as):
    api = login_as("operator")
    held = threading.Event()
    holder = threading.Thread(target=_hold_write_lock, args=(_database_path(app), 2.5, held))
    holder.start()
    try:
        assert held.wait(5)
        started = time.monotonic()
        response = api.post("/api/v1/teams", json=TEAM)
        waited = time.monotonic() - started
    finally:
        holder.join(10)
    assert response.status_code == 503
    assert response.headers["Retry-After"].isdigit()
    assert response.get_json()["error"]["code"] == "busy"
    assert 0.9 <= waited < 2.4  # the configured bound, not the holder's 2.5 s
    db.session.rollback()
    assert db.session.scalar(select(func.count(RescueTeam.id))) == 0


def test_a_slow_sign_in_does_not_hold_up_other_writes(app, region, login_as, monkeypatch):
    """Password hashing (here made to take 1.5 s) happens before any write lock."""
    api = login_as("operator")
    accounts.create_user(
        db.session,
        SYSTEM,
        username="slowpoke",
        password="password123",
        role="viewer",
    )
    db.session.commit()
    real_check = accounts.check_password_hash
    hashing = threading.Event()

    def slow_check(hash_: str, password: str) -> bool:
        hashing.set()
        time.sleep(1.5)
        return real_check(hash_, password)

    monkeypatch.setattr(accounts, "check_password_hash", slow_check)
    app.config["WTF_CSRF_ENABLED"] = False

    def slow_login() -> None:
        with app.app_context():
            app.test_client().post("/login", data={"username": "slowpoke", "password": "wrong"})
            db.session.remove()

    signer = threading.Thread(target=slow_login)
    signer.start()
    try:
        assert hashing.wait(5)
        started = time.monotonic()
        response = api.post("/api/v1/teams", json=TEAM)
        elapsed = time.monotonic() - started
    finally:
        signer.join(10)
    assert response.status_code == 201
    assert elapsed < 1.0  # it did not queue behind the 1.5 s hash


def test_a_dispatch_naming_twenty_thousand_teams_is_refused_before_any_work(login_as):
    api = login_as("operator")
    teams = [{"team_id": i} for i in range(20_000)]
    started = time.monotonic()
    response = api.post("/api/v1/incidents/1/dispatch", json={"teams": teams})
    assert time.monotonic() - started < 2.0
    assert response.status_code == 422
    assert response.get_json()["error"]["field"] == "teams"
