"""The same race through a real gunicorn with 4 worker processes: one winner."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

from responder.models import InventoryLine, RescueTeam, db
from tests.fixtures.dispatch import line_of, setup_incident

REPO = Path(__file__).resolve().parents[2]
# Generous bounds: the suite must pass on a loaded 2-core machine (load average ~12), where
# gunicorn's preload (app + migrations) and a graceful stop each take far longer than idle.
START_S = 180.0
REQUEST_S = 120.0
STOP_S = 20.0


def reap(server: subprocess.Popen[bytes]) -> None:
    """Stop gunicorn and every worker, however it behaves: SIGTERM to the master, a bounded
    wait, then SIGKILL to the whole process group (the workers too, which a killed master
    would orphan), and a final wait so no zombie or port is left behind."""
    if server.poll() is None:
        server.terminate()
        with contextlib.suppress(subprocess.TimeoutExpired):
            server.wait(timeout=STOP_S)
    with contextlib.suppress(ProcessLookupError):  # else master and workers are all gone
        os.killpg(server.pid, signal.SIGKILL)  # its own session: pgid == pid
    server.wait(timeout=STOP_S)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def post(url: str, body: dict, token: str) -> int:
    request = urllib.request.Request(
        url,
        data=json.dumps(body).encode(),
        method="POST",
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=REQUEST_S) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def test_four_gunicorn_workers_give_one_team_to_one_operator(
    app, world, login_as, times_to, tmp_path
):
    api = login_as("operator")
    incident, fire, depot = setup_incident(world, api, times_to)
    foam = line_of(depot, "foam_concentrate")
    token = api.headers["Authorization"].removeprefix("Bearer ")
    db.session.commit()
    port = free_port()
    env = {
        **os.environ,
        "RESPONDER_DATABASE_URL": app.config["DATABASE_URL"],
        "RESPONDER_LOAD_ROADS": "0",
        "RESPONDER_SECRET_KEY": "race-test",
    }
    log = tmp_path / "gunicorn.log"
    with log.open("wb") as sink:
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "--preload",
                "-w",
                "4",
                "--graceful-timeout",
                "5",
                "-b",
                f"127.0.0.1:{port}",
                "wsgi:app",
            ],
            cwd=REPO,
            env=env,
            stdout=sink,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + START_S
        pause = 0.1
        while True:  # readiness poll: back off up to 2 s between tries, fail at the deadline
            try:
                urllib.request.urlopen(f"{base}/api/v1/openapi.json", timeout=10).close()
                break
            except OSError:
                assert server.poll() is None, log.read_text()[-2000:]
                assert time.monotonic() < deadline, "gunicorn did not start"
                time.sleep(pause)
                pause = min(2.0, pause * 2)
        body = {
            "teams": [{"team_id": fire[0].id}],
            "materials": [{"inventory_line_id": foam.id, "quantity": 4}],
            "deviation_reason": "race",
        }
        results: list[int] = []
        barrier = threading.Barrier(20)

        def confirm() -> None:
            barrier.wait()
            results.append(post(f"{base}/api/v1/incidents/{incident['id']}/dispatch", body, token))

        threads = [threading.Thread(target=confirm) for _ in range(20)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=REQUEST_S + 10)
        assert not any(thread.is_alive() for thread in threads), "a request never returned"
    finally:
        reap(server)
    assert sorted(results) == [201] + [409] * 19
    db.session.rollback()
    assert db.session.get(InventoryLine, foam.id).quantity == 3
    assert db.session.get(RescueTeam, fire[0].id).status == "dispatched"
