"""Scale-out as a province runs it: two separate app instances (two gunicorn masters on
two ports, each loading its own road network, one of them forking its workers from a
preloaded master as ``serve.sh`` does) on one PostgreSQL.  Twenty operators spread
over both race for one team: exactly one gets it; a change made through one instance is
seen through the other."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask_migrate import upgrade

from responder import create_app
from responder.models import db
from responder.services import accounts, dispatch, jurisdictions, registry
from responder.services.actors import SYSTEM
from responder.services.resources import TEAMS
from tests.conftest import square
from tests.dispatch.test_gunicorn_race import free_port
from tests.fixtures.databases import scratch_database

REPO = Path(__file__).resolve().parents[2]
pytestmark = [pytest.mark.postgres, pytest.mark.slow]


def _call(url: str, token: str, body: Any = None) -> tuple[int, Any]:
    request = urllib.request.Request(
        url,
        data=json.dumps(body).encode() if body is not None else None,
        method="POST" if body is not None else "GET",
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        with error:
            return error.code, json.loads(error.read() or b"null")
    except (urllib.error.URLError, TimeoutError):
        return 0, None  # not listening yet, or a worker still loading the app


def _reap(server: subprocess.Popen[bytes]) -> None:
    server.terminate()
    try:
        server.wait(timeout=20)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait(timeout=10)


@pytest.fixture
def pg_database() -> Iterator[str]:
    with scratch_database("responder_scale") as url:
        yield url


def test_two_instances_on_one_postgresql(pg_database: str, tmp_path: Path) -> None:
    app = create_app({"DATABASE_URL": pg_database, "LOAD_ROADS": False, "SECRET_KEY": "s"})
    with app.app_context():
        upgrade()
        county = jurisdictions.create(
            db.session,
            SYSTEM,
            {"code": "330102", "name": "西区", "level": "county", "boundary": square(120, 30, 0.1)},
        )
        team = registry.create(
            db.session,
            SYSTEM,
            TEAMS,
            {"name": "一队", "specialties": ["fire"], "level": "county", "kind": "professional",
             "lon": 120.05, "lat": 30.05},
        )  # fmt: skip
        incident = dispatch.create_incident(
            db.session,
            SYSTEM,
            None,
            {"type": "fire_explosion", "severity": "general", "lon": 120.05, "lat": 30.05},
            snap_max_m=2000,
        )
        user = accounts.create_user(
            db.session, SYSTEM, username="op", password="password123", role="operator"
        )
        token = accounts.issue_token(db.session, SYSTEM, user)
        db.session.commit()
        team_id, incident_id = team.id, incident.id
        assert county.id
        db.session.remove()
        db.engine.dispose()

    env = {
        **os.environ,
        "RESPONDER_DATABASE_URL": pg_database,
        "RESPONDER_SECRET_KEY": "scale-out",
        "RESPONDER_LOAD_ROADS": "1",
        "RESPONDER_MAPS_DIR": str(REPO / "maps"),
        "RESPONDER_REGION": "demo",
    }
    ports = [free_port(), free_port()]
    servers: list[subprocess.Popen[bytes]] = []
    try:
        for i, port in enumerate(ports):
            command = [sys.executable, "-m", "gunicorn", "-w", "2", "-b", f"127.0.0.1:{port}"]
            if i:  # the second host starts as serve.sh does: the master loads, workers fork
                command += ["--preload", "--env", "RESPONDER_WARM_ROADS=1"]
            with (tmp_path / f"gunicorn{i}.log").open("wb") as sink:
                server = subprocess.Popen(
                    [*command, "wsgi:app"], cwd=REPO, env=env, stdout=sink, stderr=subprocess.STDOUT
                )
            servers.append(server)
        bases = [f"http://127.0.0.1:{port}" for port in ports]
        deadline = time.monotonic() + 90
        for i, base in enumerate(bases):
            while _call(f"{base}/api/v1/me", token)[0] != 200:
                log = (tmp_path / f"gunicorn{i}.log").read_text()[-2000:]
                assert servers[i].poll() is None, log
                assert time.monotonic() < deadline, "gunicorn did not start"
                time.sleep(0.3)
        body = {"teams": [{"team_id": team_id}], "deviation_reason": "race"}
        results: list[int] = []
        barrier = threading.Barrier(20)

        def confirm(n: int) -> None:
            barrier.wait()
            url = f"{bases[n % 2]}/api/v1/incidents/{incident_id}/dispatch"
            results.append(_call(url, token, body)[0])

        threads = [threading.Thread(target=confirm, args=(n,)) for n in range(20)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
        new_team = {"name": "二队", "specialties": ["water"], "level": "county",
                    "kind": "professional", "lon": 120.06, "lat": 30.06}  # fmt: skip
        created, body_created = _call(f"{bases[0]}/api/v1/teams", token, new_team)
        seen_status, seen = _call(f"{bases[1]}/api/v1/teams?page_size=50", token)
    finally:
        for server in servers:
            _reap(server)
    assert sorted(results) == [201] + [409] * 19
    assert created == 201, body_created
    assert seen_status == 200
    items = seen["items"] if isinstance(seen, dict) else seen
    assert {t["name"] for t in items} == {"一队", "二队"}
    assert {t["status"] for t in items if t["name"] == "一队"} == {"dispatched"}
