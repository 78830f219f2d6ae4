"""Benchmark coverage (救援圈) for one specialty.

1. Demo region, the whole service path: a scratch SQLite database is migrated and filled
   with the demo registry (``responder.demo``: 50 teams, 332 enterprises, 80 major hazard
   sources), then ``services.coverage.coverage`` runs for one specialty over the whole
   region and over one county (teams read from the database, one multi-source search,
   roads/enterprises/hazard sources counted).  The first call includes snapping the sites
   (cached afterwards); the rest are timed warm.  Site suggestions and the county targets
   (per-county minimum and key-county coverage) are timed too.
2. The large tiled network (``scripts/make_large_network.py`` writes it to maps/large):
   the same computation (``services.coverage.compute``) with synthetic teams and sites
   scattered near roads, since there is no registry for it.

Targets (issue 6): <= 200 ms on the demo region, <= 3 s on a >= 1M-node network.

Usage::

    python scripts/bench_coverage.py [--specialty hazchem] [--large maps/large]
        [--teams 200] [--sites 5000] [--repeat 20]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np

from responder import create_app
from responder.routing import RoadNetwork
from responder.rules import load_rules
from responder.services import coverage
from responder.services.actors import SYSTEM
from responder.services.dispatch import RoutingContext, TeamResource
from responder.services.dispatch.placing import snap_all

REPO = Path(__file__).resolve().parents[1]


def timed(call, repeat: int) -> tuple[float, float, object]:
    """(first call ms, median of the next ``repeat`` calls ms, last result)."""
    started = time.perf_counter()
    result = call()
    first = (time.perf_counter() - started) * 1000
    runs = []
    for _ in range(repeat):
        started = time.perf_counter()
        result = call()
        runs.append((time.perf_counter() - started) * 1000)
    return first, statistics.median(runs), result


def bench_demo(specialty: str, repeat: int) -> None:
    from flask_migrate import upgrade

    from responder.demo import loader
    from responder.models import Jurisdiction, db
    from responder.services import closures

    with tempfile.TemporaryDirectory() as tmp:
        app = create_app(
            {
                "DATABASE_URL": f"sqlite:///{tmp}/bench.sqlite",
                "LOAD_ROADS": True,
                "MAPS_DIR": REPO / "maps",
                "REGION": "demo",
                "SECRET_KEY": "bench",
            }
        )
        with app.app_context():
            upgrade()
            loader.load(db.session, password="bench-pass-123")
            db.session.commit()
            network = app.extensions["responder.roads"]
            in_force, ids, _ = closures.in_force(db.session, network)
            ctx = RoutingContext(
                network,
                app.extensions["responder.rules"],
                in_force,
                ids,
                app.config["SNAP_MAX_M"],
                app.config["HAZARD_RADIUS_M"],
            )
            county = db.session.scalars(
                db.select(Jurisdiction)
                .where(Jurisdiction.level == "county")
                .order_by(Jurisdiction.code)
            ).first()
            print(f"demo region: {network.node_count:,} nodes, {network.edge_count:,} edges")
            for name, jurisdiction_id in (("whole region", None), (county.name, county.id)):
                first, warm, result = timed(
                    lambda j=jurisdiction_id: coverage.coverage(
                        db.session, SYSTEM, ctx, specialty=specialty, jurisdiction_id=j
                    ),
                    repeat,
                )
                figures = result.figures
                print(
                    f"  coverage {specialty} / {name}: first {first:.0f} ms, "
                    f"warm median {warm:.1f} ms  (teams {figures['teams']}, roads "
                    f"{figures['roads']['share']}, enterprises "
                    f"{figures['enterprises']['covered']}/{figures['enterprises']['total']}, "
                    f"hazard sources {figures['hazard_sources']['covered']}/"
                    f"{figures['hazard_sources']['total']})"
                )
            for candidates in ("registry", "nodes"):
                first, warm, answer = timed(
                    lambda c=candidates: coverage.suggest_sites(
                        db.session, SYSTEM, ctx, specialty=specialty, k=3, candidates=c
                    ),
                    repeat,
                )
                gains = [p["gain"] for p in answer["picks"]]
                print(
                    f"  site suggestions ({candidates}, k=3): first {first:.0f} ms, warm "
                    f"median {warm:.1f} ms  (uncovered {answer['uncovered_before']}, "
                    f"gains {gains})"
                )
            first, warm, answer = timed(
                lambda: coverage.county_targets(db.session, SYSTEM, ctx), repeat
            )
            key = [r["name"] for r in answer["counties"] if r["key"]]
            print(
                f"  county targets ({answer['summary']['counties']} counties, key {key}): "
                f"first {first:.0f} ms, warm median {warm:.1f} ms  (met "
                f"{answer['summary']['met']}/{answer['summary']['counties']})"
            )
            db.session.remove()
            db.engine.dispose()


def bench_large(path: Path, specialty: str, teams: int, sites: int, repeat: int) -> None:
    started = time.perf_counter()
    network = RoadNetwork.load(path)
    print(
        f"large network {path}: {network.node_count:,} nodes, {network.edge_count:,} edges "
        f"(loaded in {(time.perf_counter() - started) * 1000:.0f} ms)"
    )
    rules = load_rules()
    rng = np.random.default_rng(3)
    xy = np.asarray(network.core.arrays["road_coords"])

    def points(count: int) -> np.ndarray:
        return xy[rng.integers(0, len(xy), count)] + rng.normal(0, 0.0003, (count, 2))

    kinds = ["professional", "quasi_professional", "volunteer"]
    team_list = [
        TeamResource(
            i,
            f"t{i}",
            (specialty,),
            "county",
            kinds[i % 3],
            float(x),
            float(y),
            rules.mobilization_for(kinds[i % 3]),
            1,
            1,
        )
        for i, (x, y) in enumerate(points(teams))
    ]
    firms = [
        coverage.Site("enterprise", i, f"e{i}", float(x), float(y))
        for i, (x, y) in enumerate(points(sites))
    ]
    hazards = [
        coverage.Site("hazard_source", i, f"h{i}", float(x), float(y), 1 + i % 4)
        for i, (x, y) in enumerate(points(sites // 5))
    ]
    area = coverage.Area(None, None)

    def run() -> coverage.CoverageResult:
        return coverage.compute(
            network,
            specialty=specialty,
            standard=rules.standard_for(specialty),
            teams=team_list,
            enterprises=firms,
            hazards=hazards,
            area=area,
            closures=None,
            snap_max_m=2000.0,
        )

    first, warm, result = timed(run, max(1, repeat // 4))
    figures = result.figures
    print(
        f"  coverage {specialty}, {teams} teams, {len(firms)} enterprises, {len(hazards)} "
        f"hazard sources: first {first:.0f} ms (snapping included), warm median "
        f"{warm:.0f} ms  (roads {figures['roads']['share']}, hazard sources "
        f"{figures['hazard_sources']['covered']}/{figures['hazard_sources']['total']})"
    )
    from responder.routing import coverage as search

    snaps, kept, _ = snap_all(network, team_list, 2000.0)
    offsets = [t.mobilization_min * 60 for t in kept]
    cutoff = rules.arrival_standard_for(specialty) * 60 * coverage.REPORT_FACTOR
    _, search_ms, _ = timed(
        lambda: search.arrival_times(network, snaps, offsets, cutoff_s=cutoff), 3
    )
    _, full_ms, _ = timed(lambda: search.arrival_times(network, snaps, offsets), 3)
    print(
        f"  of which the multi-source search: {search_ms:.0f} ms with the report cutoff, "
        f"{full_ms:.0f} ms without any cutoff"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--specialty", default="hazchem")
    parser.add_argument("--large", type=Path, default=REPO / "maps" / "large")
    parser.add_argument("--teams", type=int, default=200)
    parser.add_argument("--sites", type=int, default=5000)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--skip-demo", action="store_true")
    args = parser.parse_args(argv)
    if not args.skip_demo:
        bench_demo(args.specialty, args.repeat)
    if (args.large / "meta.json").exists():
        bench_large(args.large, args.specialty, args.teams, args.sites, args.repeat)
    else:
        print(f"no large network at {args.large}: build it with scripts/make_large_network.py")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
