"""The demo loader: an ordered list of steps, run in one transaction with one seeded RNG.

To add demo content (plans, incidents, drills ...), write ``def load_x(demo: Demo) -> None``
in a module of this package and append ``("x", load_x)`` to :data:`STEPS` after the steps it
needs.  A step draws random choices only from ``demo.rng`` and dates from ``demo.today`` /
``demo.at()``, writes through the services with the ``SYSTEM`` actor, and bumps
``demo.counts``.  Because every step shares one RNG, a new step must go *after* the existing
ones (or draw from its own ``random.Random``) so earlier content stays the same.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from responder.demo import accounts, enterprises, plans, region, resources, stock
from responder.demo.context import Demo, Login
from responder.demo.roads import DEMO_OSM, read_road_nodes
from responder.errors import Conflict
from responder.models import Enterprise, Jurisdiction, RescueTeam, User
from responder.rules import Rules, load_rules
from responder.services import jurisdictions
from responder.services.actors import SYSTEM

DEFAULT_SEED = 20240601
Step = Callable[[Demo], None]


def _load_region(demo: Demo) -> None:
    demo.region = region.build(demo.session, demo.roads)
    demo.counts["jurisdictions"] = 2 + len(demo.region.counties)


def _mark_key_counties(demo: Demo) -> None:
    """Mark the demo's key counties (重点县) through the jurisdiction service (audited)."""
    for code, flags in region.KEY_COUNTIES.items():
        node = demo.tree.county(code)
        jurisdictions.update(demo.session, SYSTEM, node, dict.fromkeys(flags, True))
        demo.counts["key_counties"] += 1


STEPS: list[tuple[str, Step]] = [
    ("jurisdictions", _load_region),
    ("catalog", stock.load_catalog),
    ("response_matrix", stock.load_response_matrix),
    ("bases", resources.load_bases),
    ("teams", resources.load_teams),
    ("depots", stock.load_depots),
    ("experts", resources.load_experts),
    ("enterprises", enterprises.load_enterprises),
    ("hazard_sources", enterprises.load_hazard_sources),
    ("users", accounts.load_users),
    ("plans", plans.load_plans),
    ("key_counties", _mark_key_counties),
]


@dataclass
class DemoResult:
    counts: dict[str, int]
    logins: list[Login]
    seconds: dict[str, float] = field(default_factory=dict)


def existing_data(session: Session) -> dict[str, int]:
    """Rows already present in the tables the demo fills (empty dict: safe to load)."""
    counts = {
        "jurisdictions": session.scalar(select(func.count()).select_from(Jurisdiction)) or 0,
        "teams": session.scalar(select(func.count()).select_from(RescueTeam)) or 0,
        "enterprises": session.scalar(select(func.count()).select_from(Enterprise)) or 0,
        "users": session.scalar(select(func.count()).select_from(User)) or 0,
    }
    return {name: n for name, n in counts.items() if n}


def load(
    session: Session,
    *,
    seed: int = DEFAULT_SEED,
    today: date | None = None,
    password: str | None = None,
    rules: Rules | None = None,
    osm_path: Path = DEMO_OSM,
) -> DemoResult:
    """Fill an empty database with the demo region; the caller commits.

    The same ``seed`` and ``today`` give the same rows every time (``today`` anchors expiry
    and verification dates, so the demo always shows some stock expired and some records
    stale).  Passwords are random unless ``password`` is given.  ``rules`` (default: the
    built-in ones) scale the response matrix by severity.  Refuses (Conflict) when the
    database already holds jurisdictions, teams, enterprises or users.
    """
    present = existing_data(session)
    if present:
        summary = ", ".join(f"{n} {name}" for name, n in present.items())
        raise Conflict(f"the database already holds data ({summary})")
    started = time.perf_counter()
    demo = Demo(
        session=session,
        rng=random.Random(seed),
        today=today or date.today(),
        roads=read_road_nodes(osm_path),
        password=password,
        rules=rules or load_rules(),
    )
    seconds = {"read roads": time.perf_counter() - started}
    for name, step in STEPS:
        started = time.perf_counter()
        step(demo)
        seconds[name] = time.perf_counter() - started
    return DemoResult(counts=dict(demo.counts), logins=demo.logins, seconds=seconds)
