"""Plan feasibility: can the teams and materials a filed plan counts on reach its site in time?

For each plan in force that names resources (``team_needs``, ``material_needs``), this
checks the registry: enough teams of each specialty (not retired, not out of service)
whose arrival time — mobilization plus road travel to the site — is within the
arrival-time standard of that specialty (``rules.toml``), and enough non-expired stock of
each material in depots that reach the site within the materials standard.  Plans that
cannot be met are reported with why: ``no_team``, ``too_far`` or ``not_enough_stock``.

Road travel is an explicit dependency, ``travel_minutes(from_points, to_point)``, returning
minutes per source (``inf`` when unreachable): the road engine in production
(:func:`road_travel`), a straight-line fake in unit tests.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import exists, or_, select
from sqlalchemy.orm import Session

from responder.models import (
    Depot,
    Enterprise,
    InventoryLine,
    Jurisdiction,
    Material,
    Plan,
    PlanMaterialNeed,
    PlanTeamNeed,
    RescueTeam,
    TeamSpecialty,
)
from responder.rules import Rules
from responder.services import jurisdictions
from responder.services.actors import Actor
from responder.services.filing_rates import valid_on

Point = tuple[float, float]
TravelMinutes = Callable[[Sequence[Point], Point], list[float]]
#: Team statuses a plan cannot count on (long-term out of service).
OUT_OF_SERVICE = frozenset({"unavailable"})
#: The arrival-standard key for material deliveries (falls back to ``default``).
MATERIALS_STANDARD = "materials"


@dataclass(frozen=True)
class Shortfall:
    """One need of a plan that cannot be met, and why."""

    kind: str  # "team" or "material"
    need: str  # specialty code or material code
    required: float
    in_time: float  # how many teams / how much stock arrives within the standard
    reason: str  # "no_team" | "too_far" | "not_enough_stock"
    standard_min: float
    nearest_min: float | None = None  # the best arrival time found (None: nothing at all)
    unit: str = ""


@dataclass(frozen=True)
class PlanCheck:
    """The verdict for one plan."""

    plan_id: int
    title: str
    enterprise_id: int
    enterprise: str
    site: Point
    shortfalls: list[Shortfall] = field(default_factory=list)

    @property
    def feasible(self) -> bool:
        return not self.shortfalls


@dataclass(frozen=True)
class _Team:
    point: Point
    mobilization: float
    specialties: frozenset[str]


@dataclass(frozen=True)
class _Stock:
    point: Point
    material_id: int
    quantity: float


def check_plans(
    session: Session,
    actor: Actor,
    *,
    travel_minutes: TravelMinutes,
    rules: Rules,
    today: date,
    root: Jurisdiction | None = None,
    plan_ids: Sequence[int] | None = None,
) -> list[PlanCheck]:
    """Check every enterprise plan in force on ``today`` that names resources (within
    ``root``, or only ``plan_ids``); returns one :class:`PlanCheck` per plan."""
    actor.require("plans.read")
    plans = _plans(session, actor, today, rules, root, plan_ids)
    if not plans:
        return []
    specialties = {n.specialty for p in plans for n in p.team_needs}
    material_ids = {n.material_id for p in plans for n in p.material_needs}
    teams = _teams(session, specialties, rules)
    stock = _stock(session, material_ids, today)
    materials = (
        {m.id: m for m in session.scalars(select(Material).where(Material.id.in_(material_ids)))}
        if material_ids
        else {}
    )
    checks = []
    for plan in plans:
        enterprise = plan.enterprise
        assert enterprise is not None  # only enterprise plans are selected
        site = (enterprise.lon, enterprise.lat)
        shortfalls = _team_shortfalls(plan, site, teams, travel_minutes, rules)
        shortfalls += _material_shortfalls(plan, site, stock, materials, travel_minutes, rules)
        checks.append(
            PlanCheck(plan.id, plan.title, enterprise.id, enterprise.name, site, shortfalls)
        )
    return checks


def _plans(
    session: Session,
    actor: Actor,
    today: date,
    rules: Rules,
    root: Jurisdiction | None,
    plan_ids: Sequence[int] | None,
) -> list[Plan]:
    names_resources = or_(
        exists().where(PlanTeamNeed.plan_id == Plan.id),
        exists().where(PlanMaterialNeed.plan_id == Plan.id),
    )
    stmt = (
        select(Plan)
        .join(Enterprise, Enterprise.id == Plan.enterprise_id)
        .where(valid_on(today, rules), names_resources)
        .order_by(Plan.id)
    )
    if actor.scope_path is not None:
        stmt = stmt.where(jurisdictions.subtree_filter(Plan.jurisdiction_id, actor.scope_path))
    if root is not None:
        stmt = stmt.where(jurisdictions.subtree_filter(Plan.jurisdiction_id, root.path))
    if plan_ids is not None:
        stmt = stmt.where(Plan.id.in_(plan_ids))
    return list(session.scalars(stmt))


def _teams(session: Session, specialties: set[str], rules: Rules) -> list[_Team]:
    if not specialties:
        return []
    rows = session.scalars(
        select(RescueTeam)
        .where(RescueTeam.retired_at.is_(None), RescueTeam.status.not_in(OUT_OF_SERVICE))
        .where(
            exists().where(
                TeamSpecialty.team_id == RescueTeam.id, TeamSpecialty.specialty.in_(specialties)
            )
        )
    )
    return [
        _Team(
            (team.lon, team.lat),
            team.mobilization_min
            if team.mobilization_min is not None
            else rules.mobilization_for(team.kind),
            frozenset(team.specialties),
        )
        for team in rows
    ]


def _stock(session: Session, material_ids: set[int], today: date) -> list[_Stock]:
    if not material_ids:
        return []
    rows = session.execute(
        select(Depot.lon, Depot.lat, InventoryLine.material_id, InventoryLine.quantity)
        .join(Depot, Depot.id == InventoryLine.depot_id)
        .where(
            Depot.retired_at.is_(None),
            InventoryLine.material_id.in_(material_ids),
            InventoryLine.quantity > 0,
            or_(InventoryLine.expiry_date.is_(None), InventoryLine.expiry_date >= today),
        )
    )
    return [_Stock((lon, lat), mid, float(qty)) for lon, lat, mid, qty in rows]


def _team_shortfalls(
    plan: Plan, site: Point, teams: list[_Team], travel: TravelMinutes, rules: Rules
) -> list[Shortfall]:
    shortfalls = []
    for need in plan.team_needs:
        standard = rules.arrival_standard_for(need.specialty)
        candidates = [t for t in teams if need.specialty in t.specialties]
        if not candidates:
            shortfalls.append(Shortfall("team", need.specialty, need.count, 0, "no_team", standard))
            continue
        minutes = travel([t.point for t in candidates], site)
        arrivals = sorted(t.mobilization + m for t, m in zip(candidates, minutes, strict=True))
        in_time = sum(1 for a in arrivals if a <= standard)
        if in_time < need.count:
            nearest = arrivals[0] if math.isfinite(arrivals[0]) else None
            shortfalls.append(
                Shortfall("team", need.specialty, need.count, in_time, "too_far", standard, nearest)
            )
    return shortfalls


def _material_shortfalls(
    plan: Plan,
    site: Point,
    stock: list[_Stock],
    materials: dict[int, Material],
    travel: TravelMinutes,
    rules: Rules,
) -> list[Shortfall]:
    standard = rules.arrival_standard_for(MATERIALS_STANDARD)
    shortfalls = []
    by_material: dict[int, list[_Stock]] = defaultdict(list)
    for line in stock:
        by_material[line.material_id].append(line)
    for need in plan.material_needs:
        material = materials.get(need.material_id)
        code, unit = (material.code, material.unit) if material else (str(need.material_id), "")
        lines = by_material.get(need.material_id, [])
        total = sum(line.quantity for line in lines)
        if total < need.quantity:
            shortfalls.append(
                Shortfall(
                    "material", code, need.quantity, total, "not_enough_stock", standard, unit=unit
                )
            )
            continue
        minutes = travel([line.point for line in lines], site)
        reachable = sum(
            line.quantity for line, m in zip(lines, minutes, strict=True) if m <= standard
        )
        if reachable < need.quantity:
            finite = [m for m in minutes if math.isfinite(m)]
            shortfalls.append(
                Shortfall(
                    "material",
                    code,
                    need.quantity,
                    reachable,
                    "too_far",
                    standard,
                    min(finite) if finite else None,
                    unit=unit,
                )
            )
    return shortfalls


def road_travel(network: Any, *, max_snap_m: float) -> TravelMinutes:
    """``travel_minutes`` backed by the road engine (a :class:`responder.routing.RoadNetwork`):
    many-to-one times towards the site, so one-way streets count in the right direction.
    Points too far from any road are unreachable (``inf``)."""
    from responder.routing import PointTooFarFromRoad

    def travel(sources: Sequence[Point], target: Point) -> list[float]:
        try:
            goal = network.snap(target[0], target[1], max_distance_m=max_snap_m)
        except PointTooFarFromRoad:
            return [math.inf] * len(sources)
        snaps, where = [], []
        for index, (lon, lat) in enumerate(sources):
            try:
                snaps.append(network.snap(lon, lat, max_distance_m=max_snap_m))
                where.append(index)
            except PointTooFarFromRoad:
                continue
        minutes = [math.inf] * len(sources)
        if snaps:
            for index, seconds in zip(where, network.times_to(goal, snaps), strict=True):
                minutes[index] = float(seconds) / 60.0
        return minutes

    return travel


def straight_line(speed_kmh: float) -> TravelMinutes:
    """``travel_minutes`` at a constant speed along the great circle (tests, estimates)."""

    def travel(sources: Sequence[Point], target: Point) -> list[float]:
        return [_km(source, target) / speed_kmh * 60.0 for source in sources]

    return travel


def _km(a: Point, b: Point) -> float:
    lon1, lat1, lon2, lat2 = map(math.radians, (*a, *b))
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * 6371.0088 * math.asin(math.sqrt(h))
