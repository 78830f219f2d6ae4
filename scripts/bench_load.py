"""A bounded mixed load against gunicorn on 127.0.0.1: reads, proposals and writes.

Prints throughput, p50/p99 latency per kind and errors by status, then checks that every
write the server acknowledged (201) is in the database and, on SQLite, that
``PRAGMA integrity_check`` is ok.  With ``--kill-worker`` one gunicorn worker is killed
(SIGKILL) half-way through: requests it was serving fail, nothing acknowledged is lost.

    python scripts/bench_load.py                       # SQLite in a temporary folder
    python scripts/bench_load.py --database postgresql+psycopg://...   # an EMPTY database
    python scripts/bench_load.py --kill-worker --seconds 30 --clients 8
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
KINDS = ("read", "proposal", "write")
WEIGHTS = (0.6, 0.2, 0.2)


def _call(base: str, method: str, path: str, token: str, body: Any = None) -> tuple[int, Any]:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(
        base + path,
        data=data,
        method=method,
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        return error.code, None
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return 0, None  # the connection died (a killed worker)


def _prepare(env: dict[str, str]) -> str:
    """Migrate, load the demo data, return an admin token (in a child process, so this
    script needs nothing of the app in memory)."""
    code = (
        "from flask_migrate import upgrade\n"
        "from wsgi import app\n"
        "from responder.models import db, User\n"
        "from responder.services import accounts\n"
        "from responder.services.actors import SYSTEM\n"
        "from responder import demo\n"
        "import datetime\n"
        "with app.app_context():\n"
        "    upgrade()\n"
        "    if not demo.existing_data(db.session):\n"
        "        demo.load(db.session, seed=demo.DEFAULT_SEED, today=datetime.date.today(),\n"
        "                  password='bench-pass-1')\n"
        "    admin = db.session.query(User).filter_by(role='admin').first()\n"
        "    print(accounts.issue_token(db.session, SYSTEM, admin, name='bench'))\n"
        "    db.session.commit()\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, env=env, check=True, capture_output=True, text=True
    )
    return out.stdout.strip().splitlines()[-1]


def _start(env: dict[str, str], port: int, workers: int, log: Path) -> subprocess.Popen[bytes]:
    with log.open("wb") as sink:
        return subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "--preload", "-w", str(workers), "-b",
             f"127.0.0.1:{port}", "--timeout", "60", "wsgi:app"],
            cwd=REPO, env=env, stdout=sink, stderr=subprocess.STDOUT,
        )  # fmt: skip


def _reap(server: subprocess.Popen[bytes]) -> None:
    server.terminate()
    try:
        server.wait(20)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait(10)


def _workers_of(pid: int) -> list[int]:
    children = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(p) for p in children.read_text().split()] if children.exists() else []


def run(args: argparse.Namespace) -> int:
    folder = Path(tempfile.mkdtemp(prefix="bench-load-"))
    url = args.database or f"sqlite:///{folder / 'bench.sqlite'}"
    env = {**os.environ, "RESPONDER_DATABASE_URL": url, "RESPONDER_SECRET_KEY": "bench-load"}
    token = _prepare(env)
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    base = f"http://127.0.0.1:{port}"
    server = _start(env, port, args.workers, folder / "gunicorn.log")
    try:
        deadline = time.monotonic() + 120
        while _call(base, "GET", "/api/v1/me", token)[0] != 200:
            if time.monotonic() > deadline or server.poll() is not None:
                print((folder / "gunicorn.log").read_text()[-2000:])
                return 1
            time.sleep(0.3)
        status, teams = _call(base, "GET", "/api/v1/teams?page_size=50", token)
        items = teams["items"] if isinstance(teams, dict) else teams
        places = [(t["lon"], t["lat"], t["jurisdiction_id"]) for t in items]
        incidents = []
        for lon, lat, _ in places[:4]:
            body = {"type": "fire_explosion", "severity": "general", "lon": lon, "lat": lat}
            status, incident = _call(base, "POST", "/api/v1/incidents", token, body)
            if status == 201:
                incidents.append(incident["id"])
        latencies: dict[str, list[float]] = defaultdict(list)
        statuses: dict[str, Counter[int]] = defaultdict(Counter)
        acknowledged: list[str] = []
        lock = threading.Lock()
        stop = time.monotonic() + args.seconds

        def client(number: int) -> None:
            rng = random.Random(number)
            sequence = 0
            while time.monotonic() < stop:
                kind = rng.choices(KINDS, WEIGHTS)[0]
                started = time.perf_counter()
                if kind == "read":
                    status, _ = _call(base, "GET", "/api/v1/teams?page_size=20", token)
                elif kind == "proposal" and incidents:
                    path = f"/api/v1/incidents/{rng.choice(incidents)}/proposal"
                    status, _ = _call(base, "POST", path, token)
                else:
                    kind = "write"
                    sequence += 1
                    lon, lat, jurisdiction_id = rng.choice(places)
                    name = f"压测队伍-{number}-{sequence}"
                    body = {"name": name, "specialties": ["fire"], "level": "county",
                            "kind": "professional", "lon": lon, "lat": lat,
                            "jurisdiction_id": jurisdiction_id}  # fmt: skip
                    status, _ = _call(base, "POST", "/api/v1/teams", token, body)
                    if status == 201:
                        with lock:
                            acknowledged.append(name)
                elapsed = time.perf_counter() - started
                with lock:
                    latencies[kind].append(elapsed)
                    statuses[kind][status] += 1

        threads = [threading.Thread(target=client, args=(i,)) for i in range(args.clients)]
        began = time.monotonic()
        for thread in threads:
            thread.start()
        killed = None
        if args.kill_worker:
            time.sleep(args.seconds / 2)
            workers = _workers_of(server.pid)
            if workers:
                killed = workers[0]
                os.kill(killed, signal.SIGKILL)
        for thread in threads:
            thread.join()
        wall = time.monotonic() - began
    finally:
        _reap(server)

    total = sum(len(v) for v in latencies.values())
    print(f"database: {url.split('@')[-1]}  workers: {args.workers}  clients: {args.clients}")
    print(f"{total} requests in {wall:.1f} s: {total / wall:.1f} req/s"
          + (f"  (killed worker {killed} half-way)" if killed else ""))  # fmt: skip
    for kind in KINDS:
        times = sorted(latencies[kind])
        if not times:
            continue
        p50 = statistics.median(times) * 1000
        p99 = times[min(len(times) - 1, int(len(times) * 0.99))] * 1000
        errors = {s: n for s, n in statuses[kind].items() if s >= 400 or s == 0}
        print(f"  {kind:9s} n={len(times):5d}  p50 {p50:7.1f} ms  p99 {p99:7.1f} ms  "
              f"errors {errors or 'none'}")  # fmt: skip
    return _verify(env, url, acknowledged)


def _verify(env: dict[str, str], url: str, acknowledged: list[str]) -> int:
    """Every acknowledged write is stored; SQLite's integrity check passes."""
    code = (
        "import json, sys\n"
        "from wsgi import app\n"
        "from responder.models import db, RescueTeam\n"
        "with app.app_context():\n"
        "    names = set(json.load(sys.stdin))\n"
        "    stored = set(db.session.scalars(db.select(RescueTeam.name)\n"
        "        .where(RescueTeam.name.like('压测队伍-%'))))\n"
        "    print(len(names - stored))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, env={**env, "RESPONDER_LOAD_ROADS": "0"},
        input=json.dumps(acknowledged), check=True, capture_output=True, text=True,
    )  # fmt: skip
    lost = int(out.stdout.strip().splitlines()[-1])
    print(f"acknowledged writes: {len(acknowledged)}, lost: {lost}")
    ok = lost == 0
    if url.startswith("sqlite:///"):
        with sqlite3.connect(url.removeprefix("sqlite:///")) as connection:
            check = connection.execute("PRAGMA integrity_check").fetchone()[0]
        print(f"PRAGMA integrity_check: {check}")
        ok = ok and check == "ok"
    return 0 if ok else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", help="SQLAlchemy URL of an empty database (default: SQLite)")
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--kill-worker", action="store_true", help="SIGKILL one worker half-way")
    return run(parser.parse_args())


if __name__ == "__main__":
    sys.exit(main())
