"""Plan feasibility: can the teams and materials a filed plan counts on reach its site in time?

For each plan in force that names resources (``team_needs``, ``material_needs``), this
checks the registry: enough teams of each specialty (not retired, not out of service)
whose arrival time, as the specialty's arrival-time standard counts it (``rules.toml``:
fire from the order with its own turnout, mine the drive only, the rest mobilization +
drive; ``services.standards``), is within that standard — a standard judged on urban land
only is not applied to sites outside it — and enough non-expired stock of
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

from sqlalchemy import exists, or_, select
from sqlalchemy.orm import Session

from responder.models import (
    Enterprise,
    Jurisdiction,
    Material,
    Plan,
    PlanMaterialNeed,
    PlanTeamNeed,
)
from responder.routing import RoadNetwork
from responder.rules import Rules
from responder.services import jurisdictions
from responder.services.actors import Actor
from responder.services.dispatch.placing import snap_all
from responder.services.dispatch.resources import (
    StockResource,
    TeamResource,
    team_resources,
    usable_stock,
)
from responder.services.filing_rates import valid_on
from responder.services.geodesy import haversine_m
from responder.services.standards import Land, land_for

Point = tuple[float, float]
TravelMinutes = Callable[[Sequence[Point], Point], list[float]]
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
    teams = (
        team_resources(session, rules, specialties=sorted(specialties), available_only=False)
        if specialties
        else []
    )
    stock = usable_stock(session, today=today, material_ids=sorted(material_ids))
    materials = (
        {m.id: m for m in session.scalars(select(Material).where(Material.id.in_(material_ids)))}
        if material_ids
        else {}
    )
    lands = {s: land_for(session, rules, rules.standard_for(s)) for s in specialties}
    checks = []
    for plan in plans:
        enterprise = plan.enterprise
        assert enterprise is not None  # only enterprise plans are selected
        site = (enterprise.lon, enterprise.lat)
        shortfalls = _team_shortfalls(plan, site, teams, travel_minutes, rules, lands)
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


def _team_shortfalls(
    plan: Plan,
    site: Point,
    teams: list[TeamResource],
    travel: TravelMinutes,
    rules: Rules,
    lands: dict[str, Land],
) -> list[Shortfall]:
    shortfalls = []
    for need in plan.team_needs:
        rule = rules.standard_for(need.specialty)
        if not lands[need.specialty].judges(*site):
            continue  # e.g. the fire standard outside urban land: not judged
        standard = rule.limit_min
        candidates = [t for t in teams if need.specialty in t.specialties]
        if not candidates:
            shortfalls.append(Shortfall("team", need.specialty, need.count, 0, "no_team", standard))
            continue
        minutes = travel([(t.lon, t.lat) for t in candidates], site)
        arrivals = sorted(
            rule.counted_min(t.mobilization_min, m)
            for t, m in zip(candidates, minutes, strict=True)
        )
        in_time = sum(1 for a in arrivals if a <= standard + 1e-9)
        if in_time < need.count:
            nearest = arrivals[0] if math.isfinite(arrivals[0]) else None
            shortfalls.append(
                Shortfall("team", need.specialty, need.count, in_time, "too_far", standard, nearest)
            )
    return shortfalls


def _material_shortfalls(
    plan: Plan,
    site: Point,
    stock: list[StockResource],
    materials: dict[int, Material],
    travel: TravelMinutes,
    rules: Rules,
) -> list[Shortfall]:
    standard = rules.arrival_standard_for(MATERIALS_STANDARD)
    shortfalls = []
    by_material: dict[int, list[StockResource]] = defaultdict(list)
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
        minutes = travel([(line.lon, line.lat) for line in lines], site)
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


def road_travel(network: RoadNetwork, *, max_snap_m: float) -> TravelMinutes:
    """``travel_minutes`` backed by the road engine: many-to-one times towards the site, so
    one-way streets count in the right direction.  Points that cannot be placed on a road
    are unreachable (``inf``).  Snaps go through the one snap cache dispatch uses."""

    def travel(sources: Sequence[Point], target: Point) -> list[float]:
        minutes = [math.inf] * len(sources)
        goal, _, off_road = snap_all(network, [_Place(*target)], max_snap_m)
        if off_road:
            return minutes
        places = [_Place(lon, lat, index) for index, (lon, lat) in enumerate(sources)]
        snaps, kept, _ = snap_all(network, places, max_snap_m)
        if snaps:
            for place, seconds in zip(kept, network.times_to(goal[0], snaps), strict=True):
                minutes[place.index] = float(seconds) / 60.0
        return minutes

    return travel


@dataclass(frozen=True)
class _Place:
    lon: float
    lat: float
    index: int = 0


def straight_line(speed_kmh: float) -> TravelMinutes:
    """``travel_minutes`` at a constant speed along the great circle (tests, estimates)."""

    def travel(sources: Sequence[Point], target: Point) -> list[float]:
        return [haversine_m(*source, *target) / 1000.0 / speed_kmh * 60.0 for source in sources]

    return travel
