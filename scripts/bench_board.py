"""Benchmark the live incident board: N open consoles polling it against gunicorn.

Each simulated console polls ``GET /api/v1/dispatch/board`` every ``--interval`` seconds
with ``If-None-Match`` (as board.js, incident.js and console.js do); the server answers
304 with no body until the change version (the newest audit id) moves.  One operator
writes a note every ``--write-every`` seconds.  Reports the CPU the gunicorn processes used
(from /proc, user + system), the share of 304 answers, poll latency, and how long each
change took to reach every console (target: within 3 s).

    python scripts/bench_board.py [--consoles 50] [--seconds 30] [--interval 1.5]
"""

from __future__ import annotations

import argparse
import os
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

from bench_dispatch import build, gunicorn, percentile

from responder import create_app
from responder.models import db

TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(root: int) -> float:
    """User + system CPU of ``root`` and its children (gunicorn master and workers)."""
    total = 0.0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        pid, ppid = int(entry.name), int(fields[1])
        if pid == root or ppid == root:
            total += (int(fields[11]) + int(fields[12])) / TICKS
    return total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--consoles", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--interval", type=float, default=1.5)
    parser.add_argument("--write-every", type=float, default=5.0)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    build_args = argparse.Namespace(teams=60, depots=10, incidents=8)
    with tempfile.TemporaryDirectory() as tmp:
        database = f"sqlite:///{tmp}/board.sqlite"
        app = create_app({"DATABASE_URL": database, "SECRET_KEY": "bench"})
        with app.app_context():
            token, incidents = build(app, build_args)
            db.session.remove()
        log = Path(tmp) / "gunicorn.log"
        with gunicorn(database, workers=args.workers, threads=4, log=log) as (base, server):
            run(base, {"Authorization": f"Bearer {token}"}, server.pid, incidents, args)


def run(base: str, auth: dict, server_pid: int, incidents: list[int], args) -> None:
    stop = time.monotonic() + args.seconds
    lock = threading.Lock()
    counts = {200: 0, 304: 0, "error": 0}
    latencies: list[float] = []
    writes: list[tuple[float, int]] = []  # (monotonic time written, version after)
    seen: list[tuple[float, int]] = []  # (monotonic time a console saw it, version)

    def console(offset: float) -> None:
        etag = None
        time.sleep(offset)
        while time.monotonic() < stop:
            headers = {**auth, **({"If-None-Match": etag} if etag else {})}
            started = time.perf_counter()
            try:
                with urllib.request.urlopen(
                    urllib.request.Request(f"{base}/api/v1/dispatch/board", headers=headers)
                ) as response:
                    response.read()
                    etag = response.headers["ETag"]
                    status = 200
            except urllib.error.HTTPError as error:
                status = error.code if error.code == 304 else "error"
            except OSError:
                status = "error"
            with lock:
                counts[status] += 1
                latencies.append((time.perf_counter() - started) * 1000)
                if status == 200 and etag:
                    seen.append((time.monotonic(), int(etag.strip('"').split(".")[0])))
            time.sleep(args.interval)

    def writer() -> None:
        n = 0
        while time.monotonic() + args.write_every < stop:
            time.sleep(args.write_every)
            n += 1
            request = urllib.request.Request(
                f"{base}/api/v1/incidents/{incidents[n % len(incidents)]}/notes",
                data=f'{{"text": "bench note {n}"}}'.encode(),
                headers={**auth, "Content-Type": "application/json"},
                method="POST",
            )
            urllib.request.urlopen(request).close()
            with urllib.request.urlopen(
                urllib.request.Request(f"{base}/api/v1/dispatch/board", headers=auth)
            ) as response:
                version = int(response.headers["ETag"].strip('"').split(".")[0])
            writes.append((time.monotonic(), version))

    cpu_before, wall_before = cpu_seconds(server_pid), time.monotonic()
    threads = [
        threading.Thread(target=console, args=(i * args.interval / args.consoles,))
        for i in range(args.consoles)
    ] + [threading.Thread(target=writer)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=args.seconds + 30)
    cpu = cpu_seconds(server_pid) - cpu_before
    wall = time.monotonic() - wall_before
    delays = []
    for written, version in writes:
        # Per write, the slowest console: the last first sighting of that version or later.
        firsts = [t for t, v in seen if v >= version and t >= written - 0.5]
        if firsts:
            delays.append(sorted(firsts)[min(len(firsts), args.consoles) - 1] - written)
    polls = counts[200] + counts[304]
    print(
        f"{args.consoles} consoles polling every {args.interval:g} s for {wall:.1f} s "
        f"({args.workers} gunicorn workers), one write every {args.write_every:g} s"
    )
    print(
        f"polls: {polls} ({counts[304]} answered 304 = {100 * counts[304] / max(polls, 1):.1f}%, "
        f"{counts[200]} full answers, {counts['error']} errors)"
    )
    print(
        f"poll latency p50 {percentile(latencies, 0.5):.1f} ms, "
        f"p99 {percentile(latencies, 0.99):.1f} ms"
    )
    print(
        f"server CPU: {cpu:.2f} s in {wall:.1f} s = {100 * cpu / wall:.1f}% of one core "
        f"({1000 * cpu / max(polls, 1):.2f} ms CPU per poll)"
    )
    if delays:
        print(
            f"change seen by every console within: max {max(delays):.2f} s "
            f"(p50 {percentile(delays, 0.5):.2f} s over {len(delays)} writes; target 3 s)"
        )


if __name__ == "__main__":
    main()
