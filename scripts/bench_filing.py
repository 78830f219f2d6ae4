"""Time the filing dashboard's queries on a large synthetic database (SQLite).

    python scripts/bench_filing.py [--enterprises 100000] [--plans 150000] [--keep DIR]

Builds a temporary SQLite database through the real migrations, bulk-inserts a province
of 11 cities, 88 counties and 440 townships, the enterprises (about a fifth with major
hazard sources) and the plans (filed, superseded, withdrawn, in the workflow; the
submitted ones complete and unanswered, so deemed filed and counted), then times
each query the dashboard makes: the median of a few runs, in milliseconds.  Target: each
≤ 500 ms.
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import insert, select

from responder import create_app
from responder.models import Enterprise, HazardSource, Jurisdiction, Plan, db
from responder.services import filing_rates, plan_coverage
from responder.vocabulary import INDUSTRIES

AS_OF = date(2024, 6, 30)
PAST = date(2022, 12, 31)


def build_tree() -> list[int]:
    """Province › 11 cities › 8 counties each › 5 townships each; returns the ids enterprises
    may sit in (counties and townships)."""
    rows: list[dict[str, Any]] = [
        dict(id=1, code="330000", name="省", level="province", depth=0, parent_id=None, path="/1/")
    ]
    places: list[int] = []
    next_id = 2
    for c in range(11):
        city = next_id
        next_id += 1
        rows.append(
            dict(
                id=city,
                code=f"33{c + 1:02d}00",
                name=f"市{c}",
                level="city",
                depth=1,
                parent_id=1,
                path=f"/1/{city}/",
            )
        )
        for k in range(8):
            county = next_id
            next_id += 1
            rows.append(
                dict(
                    id=county,
                    code=f"33{c + 1:02d}{k + 1:02d}",
                    name=f"县{c}-{k}",
                    level="county",
                    depth=2,
                    parent_id=city,
                    path=f"/1/{city}/{county}/",
                )
            )
            places.append(county)
            for t in range(5):
                town = next_id
                next_id += 1
                rows.append(
                    dict(
                        id=town,
                        code=f"33{c + 1:02d}{k + 1:02d}{t + 1:03d}",
                        name=f"镇{c}-{k}-{t}",
                        level="township",
                        depth=3,
                        parent_id=county,
                        path=f"/1/{city}/{county}/{town}/",
                    )
                )
                places.append(town)
    now = datetime.now(UTC)
    for row in rows:
        row.update(created_at=now, updated_at=now)
    db.session.execute(insert(Jurisdiction), rows)
    return places


def build_enterprises(count: int, places: list[int], rng: random.Random) -> list[int]:
    """Most enterprises are industry-and-trade (工贸) or crowded places, as in the regional
    plans; a third are in the twelve high-risk industries; a fifth have hazard sources."""
    risky = [code for code in INDUSTRIES if code not in {"industry_trade", "crowded_place"}]
    industries = ["industry_trade"] * 55 + ["crowded_place"] * 10 + risky * 3
    now = datetime.now(UTC)
    rows = []
    hazards = []
    for i in range(1, count + 1):
        retired = now - timedelta(days=rng.randint(1, 900)) if rng.random() < 0.03 else None
        rows.append(
            dict(
                id=i,
                name=f"企业{i}",
                credit_code=f"9133{i:014d}",
                industry=rng.choice(industries),
                scale="below",
                jurisdiction_id=rng.choice(places),
                address="",
                contact="",
                lon=120.0,
                lat=30.0,
                retired_at=retired,
                created_at=now,
                updated_at=now,
            )
        )
        if rng.random() < 0.2:
            for _ in range(rng.randint(1, 2)):
                gone = now - timedelta(days=rng.randint(1, 900)) if rng.random() < 0.1 else None
                hazards.append(
                    dict(
                        enterprise_id=i,
                        name="罐区",
                        grade=rng.randint(1, 4),
                        substances=[],
                        monitored=False,
                        retired_at=gone,
                        created_at=now,
                        updated_at=now,
                    )
                )
    for start in range(0, len(rows), 20000):
        db.session.execute(insert(Enterprise), rows[start : start + 20000])
    db.session.execute(insert(HazardSource), hazards)
    return [r["id"] for r in rows]


def build_plans(count: int, enterprises: list[int], places: list[int], rng: random.Random) -> None:
    now = datetime.now(UTC)
    jurisdiction_of = dict(
        db.session.execute(select(Enterprise.id, Enterprise.jurisdiction_id)).all()
    )
    types = ["comprehensive"] * 6 + ["special"] * 2 + ["on_site", "response_card"]
    rows = []
    start = date(2019, 1, 1)
    for i in range(1, count + 1):
        enterprise = rng.choice(enterprises)
        published = start + timedelta(days=rng.randint(0, 2000))
        roll = rng.random()
        row = dict(
            id=i,
            owner_kind="enterprise",
            enterprise_id=enterprise,
            owner_body="",
            jurisdiction_id=jurisdiction_of[enterprise],
            title=f"预案{i}",
            plan_type=rng.choice(types),
            incident_types=[],
            version="1.0",
            summary="",
            published_on=published,
            status="filed",
            filed_on=None,
            filed_late=False,
            superseded_on=None,
            withdrawn_on=None,
            status_note="",
            submitted_on=None,
            deemed_filed_on=None,
            last_drill_on=None,
            last_evaluated_on=None,
            filing_number=None,
            created_at=now,
            updated_at=now,
        )
        if roll < 0.1:
            row["status"] = rng.choice(["draft", "submitted", "returned"])
            if row["status"] == "submitted":
                # A complete submission the authority never answered: deemed filed a week
                # (five working days and a weekend) after it arrived.
                submitted = published + timedelta(days=rng.randint(1, 40))
                row.update(
                    submitted_on=submitted,
                    deemed_filed_on=submitted + timedelta(days=8),
                    filed_late=submitted - published > timedelta(days=28),
                )
        else:
            filed = published + timedelta(days=rng.randint(1, 60))
            row.update(
                filed_on=filed,
                filed_late=filed - published > timedelta(days=28),
                filing_number=f"X-{i}",
                last_drill_on=filed + timedelta(days=rng.randint(0, 500))
                if rng.random() < 0.5
                else None,
            )
            if roll < 0.25:
                row.update(
                    status="superseded", superseded_on=filed + timedelta(days=rng.randint(30, 900))
                )
            elif roll < 0.3:
                row.update(
                    status="withdrawn", withdrawn_on=filed + timedelta(days=rng.randint(30, 900))
                )
        rows.append(row)
    for begin in range(0, len(rows), 20000):
        db.session.execute(insert(Plan), rows[begin : begin + 20000])


def timed(fn: Callable[[], Any], runs: int) -> tuple[float, Any]:
    samples = []
    result = None
    for _ in range(runs):
        began = time.perf_counter()
        result = fn()
        samples.append((time.perf_counter() - began) * 1000)
    return statistics.median(samples), result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--enterprises", type=int, default=100_000)
    parser.add_argument("--plans", type=int, default=150_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--keep", type=Path, help="build the database in this folder")
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="time the database already in --keep instead of rebuilding it",
    )
    args = parser.parse_args()
    folder = args.keep or Path(tempfile.mkdtemp(prefix="bench_filing_"))
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "bench.sqlite"
    reuse = args.reuse and path.exists()
    if not reuse:
        path.unlink(missing_ok=True)
    app = create_app({"DATABASE_URL": f"sqlite:///{path}", "LOAD_ROADS": False})
    rng = random.Random(20240630)
    with app.app_context():
        from flask_migrate import upgrade

        upgrade()
        if not reuse:
            began = time.perf_counter()
            places = build_tree()
            enterprises = build_enterprises(args.enterprises, places, rng)
            build_plans(args.plans, enterprises, places, rng)
            # Bulk inserts bypass the ORM hook that keeps the coverage spans current.
            plan_coverage.rebuild(db.session, app.extensions["responder.rules"].counted_plan_types)
            db.session.commit()
            db.session.execute(db.text("ANALYZE"))
            db.session.commit()
            print(
                f"built {args.enterprises} enterprises, {args.plans} plans in "
                f"{time.perf_counter() - began:.1f} s ({path})"
            )
        rules = app.extensions["responder.rules"]
        city = db.session.get(Jurisdiction, 2)
        county = db.session.get(Jurisdiction, 3)
        queries: list[tuple[str, Callable[[], Any]]] = [
            (
                "rates by industry (province)",
                lambda: filing_rates.rates(db.session, by="industry", day=AS_OF, rules=rules),
            ),
            (
                "rates by jurisdiction (province › cities)",
                lambda: filing_rates.rates(db.session, by="jurisdiction", day=AS_OF, rules=rules),
            ),
            (
                "rates by jurisdiction (city › counties)",
                lambda: filing_rates.rates(
                    db.session, by="jurisdiction", day=AS_OF, rules=rules, root=city
                ),
            ),
            (
                "rates by grade (province)",
                lambda: filing_rates.rates(db.session, by="grade", day=AS_OF, rules=rules),
            ),
            (
                "rates by industry as of 2022-12-31",
                lambda: filing_rates.rates(db.session, by="industry", day=PAST, rules=rules),
            ),
            (
                "rates by industry (one county)",
                lambda: filing_rates.rates(
                    db.session, by="industry", day=AS_OF, rules=rules, root=county
                ),
            ),
            ("total (province)", lambda: filing_rates.total(db.session, day=AS_OF, rules=rules)),
            (
                "trend, 12 month ends (province)",
                lambda: filing_rates.trend(
                    db.session, first=date(2023, 7, 1), last=AS_OF, rules=rules
                ),
            ),
        ]
        for kind in filing_rates.LISTS:
            queries.append(
                (
                    f"list {kind}, page 1 + count",
                    lambda kind=kind: filing_rates.listing(
                        db.session, kind, day=AS_OF, rules=rules
                    ),
                )
            )
            queries.append(
                (
                    f"list {kind}, city page 1",
                    lambda kind=kind: filing_rates.listing(
                        db.session, kind, day=AS_OF, rules=rules, root=city
                    ),
                )
            )
        # Sorted by a column: in SQL (a name), and the derived columns sorted in Python.
        for kind, column in (
            ("missing", "enterprise"),
            ("overdue_evaluation", "days_overdue"),
            ("overdue_drill", "title"),
            ("overdue_drill", "due"),
            ("filed_late", "days_late"),
        ):
            queries.append(
                (
                    f"list {kind} sorted by {column} desc, page 1",
                    lambda kind=kind, column=column: filing_rates.listing(
                        db.session, kind, day=AS_OF, rules=rules, sort=column, descending=True
                    ),
                )
            )
        worst = 0.0
        for name, query in queries:
            ms, result = timed(query, args.runs)
            worst = max(worst, ms)
            print(f"{ms:8.1f} ms  {name}  {_describe(result)}")
        print(f"slowest: {worst:.1f} ms (target 500 ms)")
        db.session.remove()
        db.engine.dispose()
    return 0


def _describe(result: Any) -> str:
    if isinstance(result, filing_rates.Listing):
        return f"[{result.total} rows]"
    if isinstance(result, filing_rates.Point):
        return f"[{result.filed}/{result.required}]"
    if isinstance(result, list) and result and isinstance(result[0], filing_rates.Point):
        return f"[{len(result)} points]"
    if isinstance(result, list):
        return f"[{len(result)} groups, {sum(r.required for r in result)} required]"
    return ""


if __name__ == "__main__":
    raise SystemExit(main())
