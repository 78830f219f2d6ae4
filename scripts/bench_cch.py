"""Measure the contraction-hierarchy back end against the engine's own Dijkstra.

Loads one compiled cache twice (``backend="cch"`` and ``backend="dijkstra"``), snaps
random resources and incidents, and prints: load time, hierarchy build time, the largest
difference between the two back ends (times to and from, tables), rank N resources to
one incident, the nearest 10, one 100 x 100 table, a closure's first proposal
(customization) and the next closure's (partial update), and resident memory.

``--workers N`` then forks N processes from a parent that loaded the network, as gunicorn
does, twice: once with the hierarchy built in each worker on its first query (plain
``gunicorn``), once built in the parent first (``RoadNetwork.warm``, as ``gunicorn
--preload`` with ``WARM_ROADS`` does). Each worker's first proposal time and its private
and proportional memory (``/proc/<pid>/smaps_rollup``) are printed.

Usage::

    python scripts/bench_cch.py [--cache maps/large] [--resources 500] [--incidents 10]
                                [--workers 2]
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import resource
import statistics
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

from responder.routing import Closures, RoadNetwork, Snap

REPO = Path(__file__).resolve().parents[1]


def rss_mb() -> float:
    """Current resident set size in MB (Linux ``/proc/self/statm``)."""
    pages = int(Path("/proc/self/statm").read_text().split()[1])
    return pages * resource.getpagesize() / 2**20


def median_ms(fn: Callable[[], object], repeat: int) -> float:
    """Median wall time of ``fn`` in milliseconds (after one warm-up call)."""
    fn()
    runs = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        runs.append(time.perf_counter() - started)
    return 1000 * statistics.median(runs)


def random_snaps(net: RoadNetwork, count: int, rng: np.random.Generator) -> list[Snap]:
    """``count`` random points of the network's bounds snapped onto it."""
    x0, y0, x1, y1 = net.bounds
    out: list[Snap] = []
    while len(out) < count:
        try:
            out.append(net.snap(rng.uniform(x0, x1), rng.uniform(y0, y1), max_distance_m=300))
        except ValueError:
            continue
    return out


def memory_mb(pid: int | str = "self") -> dict[str, float]:
    """Private and proportional (PSS) resident memory of a process in MB."""
    kb: dict[str, int] = {}
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines()[1:]:
        key, value = line.split(":", 1)
        kb[key] = int(value.split()[0])
    private = kb["Private_Clean"] + kb["Private_Dirty"]
    return {"private": private / 1024, "pss": kb["Pss"] / 1024}


def forked_workers(
    cache: Path, incident: Snap, res: list[Snap], workers: int, warm: bool
) -> list[dict[str, float]]:
    """Fork ``workers`` processes from a parent holding the network (built there first
    if ``warm``); each times its first proposal query and reports its memory after it."""
    net = RoadNetwork.load(cache, backend="cch")
    warm_s = net.warm() if warm else 0.0
    children: list[tuple[int, int]] = []
    for _ in range(workers):
        read, write = os.pipe()
        pid = os.fork()
        if pid == 0:  # a worker: answer one proposal, report, leave without cleanup
            os.close(read)
            started = time.perf_counter()
            net.times_to(incident, res)
            report = {"first_s": time.perf_counter() - started, **memory_mb()}
            os.write(write, json.dumps(report).encode())
            os._exit(0)
        os.close(write)
        children.append((pid, read))
    out = []
    for pid, read in children:
        with os.fdopen(read) as pipe:
            out.append({"warm_s": warm_s, **json.loads(pipe.read())})
        os.waitpid(pid, 0)
    return out


def main(argv: list[str] | None = None) -> int:
    """Entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cache", type=Path, default=REPO / "maps" / "large")
    parser.add_argument("--resources", type=int, default=500)
    parser.add_argument("--incidents", type=int, default=10)
    parser.add_argument("--workers", type=int, default=0, help="forked workers to measure")
    args = parser.parse_args(argv)
    rng = np.random.default_rng(7)

    base = rss_mb()
    started = time.perf_counter()
    cch = RoadNetwork.load(args.cache, backend="cch")
    print(f"{cch}: load {1000 * (time.perf_counter() - started):.1f} ms")
    dij = RoadNetwork.load(args.cache, backend="dijkstra")
    res = random_snaps(dij, args.resources, rng)
    incidents = random_snaps(dij, args.incidents, rng)
    before = rss_mb()
    started = time.perf_counter()
    cch.times_to(incidents[0], res)
    first = time.perf_counter() - started
    h = cch.core.hierarchy()
    print(
        f"first hierarchy query {first:.2f} s (structure + free-flow metric {h.build_s:.2f} s); "
        f"unit {h.unit_s:g} s; RSS {base:.0f} MB before load, +{rss_mb() - before:.0f} MB "
        "for the hierarchy"
    )

    worst, finite = 0.0, 0
    for inc in incidents:
        for a, b in (
            (dij.times_to(inc, res), cch.times_to(inc, res)),
            (dij.times_from(inc, res), cch.times_from(inc, res)),
        ):
            if not np.array_equal(np.isfinite(a), np.isfinite(b)):
                raise SystemExit("back ends disagree on reachability")
            ok = np.isfinite(a)
            finite += int(ok.sum())
            worst = max(worst, float(np.max(np.abs(a[ok] - b[ok]), initial=0.0)))
    print(f"largest |cch - dijkstra| over {finite} finite times: {1000 * worst:.3f} ms")

    inc = incidents[1]
    rows: list[tuple[str, Callable[[RoadNetwork], object]]] = [
        (f"rank {len(res)} to one incident", lambda n: n.times_to(inc, res)),
        ("nearest 10 (need=10)", lambda n: n.times_to(inc, res, need=10)),
        ("search_to + times (proposal)", lambda n: n.search_to(inc).times(res)),
        ("one route", lambda n: n.route(res[0], inc)),
    ]
    for name, fn in rows:
        d = median_ms(functools.partial(fn, dij), 5)
        c = median_ms(functools.partial(fn, cch), 5)
        print(f"{name:32s} dijkstra {d:9.2f} ms   cch {c:8.2f} ms   ratio {c / d:.3f}")
    sources, targets = res[:100], res[100:200]
    c = median_ms(lambda: cch.table(sources, targets), 3)
    print(f"{'table 100 x 100':32s} cch {c:.1f} ms", end="")
    started = time.perf_counter()
    d_table = dij.table(sources[:5], targets)
    d = (time.perf_counter() - started) / 5 * 100
    diff = np.nanmax(
        np.abs(np.where(np.isfinite(d_table), d_table - cch.table(sources[:5], targets), 0))
    )
    print(f"   dijkstra ~{1000 * d:.0f} ms (5 rows x 20), max diff {1000 * diff:.3f} ms")

    for label, where in (("first closure", incidents[2]), ("next closure", incidents[3])):
        # close the roads around the middle of the fastest team's route
        times = cch.times_to(where, res)
        fastest = cch.route(res[int(np.argmin(times))], where)
        lon, lat = fastest.coords[len(fastest.coords) // 4]
        closures = Closures.closed(cch.edges_near(lon, lat, radius_m=100))
        started = time.perf_counter()
        tree = cch.search_to(where, closures=closures)
        times = tree.times(res)
        best = np.argsort(times, kind="stable")[:6]
        routes = tree.routes([res[i] for i in best if np.isfinite(times[i])])
        took = time.perf_counter() - started
        closed = set(closures.edge_ids.tolist())
        assert all(not closed.intersection(r.edges) for r in routes if r is not None)
        check = dij.times_to(where, res, closures=closures)
        ok = np.isfinite(check)
        assert np.array_equal(ok, np.isfinite(times))
        print(
            f"{label} ({len(closures)} edges) -> proposal honouring it: {1000 * took:.0f} ms "
            f"({int(ok.sum())} reachable, max diff vs dijkstra "
            f"{1000 * np.max(np.abs(check[ok] - times[ok]), initial=0.0):.3f} ms)"
        )
    print(f"RSS now {rss_mb():.0f} MB")
    if args.workers:
        del cch, h
        for warm, label in ((False, "built in each worker"), (True, "built in the parent")):
            for i, w in enumerate(forked_workers(args.cache, inc, res, args.workers, warm)):
                print(
                    f"{label:22s} worker {i}: parent {w['warm_s']:.2f} s, first proposal "
                    f"{1000 * w['first_s']:.0f} ms, private {w['private']:.0f} MB, "
                    f"PSS {w['pss']:.0f} MB"
                )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
