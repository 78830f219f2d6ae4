"""Benchmark dispatch proposals and incident maps on the demo region.

Builds a throw-away SQLite database (real migrations) with the demo jurisdictions and
catalog, 200 rescue teams and 50 depots on random road nodes, then measures:

* proposal latency in-process (the service call) and over HTTP against gunicorn
  (2 workers, ``--preload``; after one untimed warm-up round per incident), p50 and p99,
  with a plain read of each incident over the same stack as the run's baseline;
* incident map HTML generation (in-process and over HTTP).

Targets (issue 4): HTTP p50 <= 25 ms, p99 <= 100 ms; map <= 300 ms.

    python scripts/bench_dispatch.py [--teams 200] [--depots 50] [--incidents 40] [--rounds 5]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from flask_migrate import upgrade

from responder import create_app
from responder.demo import region
from responder.demo.roads import read_road_nodes
from responder.models import InventoryLine, db
from responder.services import accounts, dispatch, matrix, registry
from responder.services.actors import SYSTEM
from responder.services.materials import seed_catalog
from responder.services.resources import DEPOTS, TEAMS
from responder.vocabulary import INCIDENT_TYPES, SPECIALTIES, TEAM_KINDS

REPO = Path(__file__).resolve().parent.parent


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def build(app, args) -> tuple[str, list[int]]:
    rng = random.Random(42)
    network = app.extensions["responder.roads"]
    upgrade()
    region.build(db.session, read_road_nodes())
    catalog = seed_catalog(db.session)
    matrix.seed(db.session, app.extensions["responder.rules"])
    nodes = rng.sample(range(network.node_count), args.teams + args.depots + args.incidents)
    point = lambda n: (float(network.node_lon[n]), float(network.node_lat[n]))  # noqa: E731
    for i in range(args.teams):
        lon, lat = point(nodes[i])
        registry.create(
            db.session,
            SYSTEM,
            TEAMS,
            {
                "name": f"bench team {i}",
                "level": "county",
                "lon": lon,
                "lat": lat,
                "kind": rng.choice(list(TEAM_KINDS)),
                "headcount": 12,
                "specialties": rng.sample(list(SPECIALTIES), rng.choice([1, 1, 2])),
            },
        )
    for i in range(args.depots):
        lon, lat = point(nodes[args.teams + i])
        depot = registry.create(
            db.session, SYSTEM, DEPOTS, {"name": f"bench depot {i}", "lon": lon, "lat": lat}
        )
        for material in rng.sample(catalog, 8):
            db.session.add(
                InventoryLine(
                    depot_id=depot.id, material_id=material.id, quantity=rng.randint(1, 200)
                )
            )
    user = accounts.create_user(
        db.session, SYSTEM, username="bench", password="bench-pass-1", role="operator"
    )
    token = accounts.issue_token(db.session, SYSTEM, user)
    incidents = []
    for i in range(args.incidents):
        lon, lat = point(nodes[args.teams + args.depots + i])
        incident = dispatch.create_incident(
            db.session,
            accounts.actor_for(user),
            network,
            {
                "type": rng.choice(list(INCIDENT_TYPES)),
                "severity": "larger",
                "severity_reason": "bench: a larger grade than the figures give",
                "lon": lon,
                "lat": lat,
            },
            snap_max_m=app.config["SNAP_MAX_M"],
        )
        incidents.append(incident.id)
    db.session.commit()
    return token, incidents


def in_process(app, incidents: list[int], rounds: int) -> tuple[list[float], list[float]]:
    from responder.http.context import routing_context, today
    from responder.http.pages.dispatch import _incident_map, _latest_proposal
    from responder.mapping import render_html

    actor = SYSTEM
    proposals, maps = [], []
    with app.test_request_context():
        for _ in range(rounds):
            for incident_id in incidents:
                incident = dispatch.get_live_incident(db.session, incident_id)
                started = time.perf_counter()
                dispatch.propose(db.session, actor, routing_context(), incident, today=today())
                db.session.commit()
                proposals.append((time.perf_counter() - started) * 1000)
        for incident_id in incidents:
            incident = dispatch.get_live_incident(db.session, incident_id)
            started = time.perf_counter()
            render_html(
                _incident_map(incident, _latest_proposal(incident_id)), assets_url="/static/vendor/"
            )
            maps.append((time.perf_counter() - started) * 1000)
    return proposals, maps


@contextmanager
def gunicorn(
    database: str, *, workers: int, log: Path, threads: int = 1
) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """gunicorn serving ``database`` on a free 127.0.0.1 port; yields its base URL and the
    process, and always reaps it (terminate, bounded wait, kill).  Benchmarks share this."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env = {**os.environ, "RESPONDER_DATABASE_URL": database, "RESPONDER_SECRET_KEY": "bench"}
    command = [sys.executable, "-m", "gunicorn", "--preload", "-w", str(workers)]
    command += ["--threads", str(threads), "-b", f"127.0.0.1:{port}", "wsgi:app"]
    base = f"http://127.0.0.1:{port}"
    with log.open("wb") as output:
        server = subprocess.Popen(
            command, cwd=REPO, env=env, stdout=output, stderr=subprocess.STDOUT
        )
        try:
            for _ in range(600):
                try:
                    urllib.request.urlopen(f"{base}/api/v1/openapi.json", timeout=2).close()
                    break
                except OSError:
                    time.sleep(0.1)
            yield base, server
        except urllib.error.HTTPError:
            output.flush()
            print(log.read_text()[-3000:])
            raise
        finally:
            server.terminate()
            try:
                server.wait(timeout=15)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait(timeout=5)


def over_http(
    database: str, token: str, incidents: list[int], rounds: int
) -> tuple[list[float], list[float], list[float], int]:
    """Proposals, the same incidents read (the baseline), and incident maps over HTTP."""
    log = Path(database.removeprefix("sqlite:///") + ".gunicorn.log")
    with gunicorn(database, workers=2, log=log) as (base, _server):
        headers = {"Authorization": f"Bearer {token}"}
        proposals, reads, maps, size = [], [], [], 0

        def timed(url: str, method: str) -> float:
            request = urllib.request.Request(url, method=method, headers=headers, data=b"")
            started = time.perf_counter()
            with urllib.request.urlopen(request) as response:
                json.load(response)
            return (time.perf_counter() - started) * 1000

        # One untimed round warms each worker (snap cache, SQL compilation): the numbers
        # below are the steady state a running command center sees.  Each proposal is
        # followed by a plain read of the same incident through the same stack (HTTP,
        # token, one row, JSON): the baseline of the run, so a loaded machine shows as
        # both numbers rising together.
        for round_ in range(rounds + 1):
            for incident_id in incidents:
                url = f"{base}/api/v1/incidents/{incident_id}"
                proposal_ms = timed(f"{url}/proposal", "POST")
                read_ms = timed(url, "GET")
                if round_:
                    proposals.append(proposal_ms)
                    reads.append(read_ms)
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor())
        login = opener.open(f"{base}/login").read().decode()
        csrf = login.split('name="csrf_token" value="')[1].split('"')[0]
        opener.open(
            f"{base}/login",
            data=urllib.parse.urlencode(
                {"username": "bench", "password": "bench-pass-1", "csrf_token": csrf}
            ).encode(),
        )
        for incident_id in incidents:
            started = time.perf_counter()
            body = opener.open(f"{base}/incidents/{incident_id}/map.html").read()
            maps.append((time.perf_counter() - started) * 1000)
            size = max(size, len(body))
        return proposals, reads, maps, size


def report(name: str, values: list[float]) -> None:
    print(
        f"{name:<34} n={len(values):<4} p50={percentile(values, 0.5):7.1f} ms  "
        f"p99={percentile(values, 0.99):7.1f} ms  mean={statistics.fmean(values):7.1f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--teams", type=int, default=200)
    parser.add_argument("--depots", type=int, default=50)
    parser.add_argument("--incidents", type=int, default=40)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        database = f"sqlite:///{tmp}/bench.sqlite"
        app = create_app({"DATABASE_URL": database, "SECRET_KEY": "bench"})
        if app.extensions["responder.roads"] is None:
            sys.exit(
                "compile the demo roads first: flask --app wsgi roads import "
                "maps/demo/hangzhou_core.osm.bz2 --region demo"
            )
        with app.app_context():
            token, incidents = build(app, args)
            network = app.extensions["responder.roads"]
            print(
                f"demo region: {network.node_count} nodes, {network.edge_count} edges; "
                f"{args.teams} teams, {args.depots} depots, {len(incidents)} incidents"
            )
            proposals, maps = in_process(app, incidents, args.rounds)
            db.session.remove()
        report("proposal, in-process", proposals)
        report("incident map HTML, in-process", maps)
        http_proposals, reads, http_maps, size = over_http(database, token, incidents, args.rounds)
        report("proposal over HTTP (gunicorn)", http_proposals)
        report("incident read over HTTP (baseline)", reads)
        ratio = percentile(http_proposals, 0.5) / percentile(reads, 0.5)
        print(f"proposal / baseline at p50: {ratio:.1f}x")
        report("incident map over HTTP", http_maps)
        print(f"largest map document: {size / 1e6:.2f} MB")
        ok = (
            percentile(http_proposals, 0.5) <= 25
            and percentile(http_proposals, 0.99) <= 100
            and percentile(http_maps, 0.5) <= 300
        )
        print("targets (p50 <= 25 ms, p99 <= 100 ms, map <= 300 ms):", "met" if ok else "NOT met")


if __name__ == "__main__":
    main()
