"""What every demo loader step shares: the session, one seeded RNG, the load date, the
road nodes, and the records earlier steps made (so later steps can refer to them)."""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from shapely.geometry import Point
from sqlalchemy.orm import Session

from responder.demo.region import Area, Region
from responder.demo.roads import RoadNodes, near
from responder.rules import Rules, load_rules


@dataclass(frozen=True)
class Login:
    """A demo account as printed after loading."""

    username: str
    password: str
    role: str
    jurisdiction: str


@dataclass
class Demo:
    """State handed from step to step.  Steps draw every random choice from ``rng`` in a
    fixed order, so a given seed and load date always produce the same database."""

    session: Session
    rng: random.Random
    today: date
    roads: RoadNodes
    password: str | None = None
    rules: Rules = field(default_factory=load_rules)
    region: Region | None = None
    #: Records later steps refer to, by a short key (``bases["mine"]``, ``materials[code]``).
    bases: dict[str, Any] = field(default_factory=dict)
    materials: dict[str, Any] = field(default_factory=dict)
    enterprises: list[Any] = field(default_factory=list)
    counts: Counter[str] = field(default_factory=Counter)
    logins: list[Login] = field(default_factory=list)

    @property
    def tree(self) -> Region:
        if self.region is None:
            raise RuntimeError("the jurisdiction step must run first")
        return self.region

    def site(self, district: str, street: str | None = None) -> tuple[float, float, str]:
        """``(lon, lat, street)``: a point up to 25 m from a node of ``street`` (default: a
        named street drawn by its length) in the demo district ``district``, inside it."""
        area: Area = self.tree.district(district)
        if street is None:
            names = list(area.streets)
            street = self.rng.choices(names, weights=[len(area.streets[n]) for n in names])[0]
        nodes = area.streets.get(street)
        if not nodes:
            raise ValueError(f"no street {street!r} in {area.node.name} {district}")
        node = self.rng.choice(nodes)
        for _ in range(5):
            point = near(node, self.rng, max_m=25.0)
            if area.shape.contains(Point(point)):
                return point[0], point[1], street
        return node[0], node[1], street

    def address(self, district: str, street: str) -> str:
        """A street address: 杭州市 + district + the real street + a house number."""
        name = self.tree.district(district).node.name
        return f"{self.tree.city.name}{name}{street}{self.rng.randint(1, 600)}号"

    def at(self) -> datetime:
        """The load date at 09:00 UTC: the reference time for dates the demo sets."""
        return datetime.combine(self.today, time(9, 0), tzinfo=UTC)

    def verified_at(self) -> datetime | None:
        """When the owner last confirmed a record: mostly recent, some stale, a few never."""
        roll = self.rng.random()
        if roll < 0.05:
            return None
        days = self.rng.randint(400, 900) if roll < 0.15 else self.rng.randint(1, 120)
        return self.at() - timedelta(days=days, minutes=self.rng.randint(0, 600))
