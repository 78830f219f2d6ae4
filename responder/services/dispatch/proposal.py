"""The proposal itself, a pure function over plain resources (live dispatch and drills)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, TypedDict

import numpy as np

from responder.routing import (
    Closures,
    RoadNetwork,
    Snap,
    TargetSearch,
)
from responder.services import matrix
from responder.services.dispatch.placing import snap_all
from responder.services.dispatch.resources import Resources, StockResource, TeamResource
from responder.services.geodesy import haversine_m
from responder.vocabulary import SPECIALTIES, label


class Need(TypedDict):
    """A team need of the incident, as the proposal lists it."""

    specialty: str
    count: int
    label: str


class Unmet(TypedDict, total=False):
    """A need the proposal cannot fill: ``kind`` is ``team`` or ``material`` (drills add
    ``location``); ``message`` says why in words."""

    kind: str
    message: str
    specialty: str
    needed: float
    found: int
    material: str
    name: str
    unit: str
    shortfall: float


class Excluded(TypedDict):
    """A team or depot left out because it cannot be placed on the road network."""

    kind: str
    id: int
    name: str
    message: str


class Source(TypedDict):
    """Stock taken from one inventory line for one material need."""

    inventory_line_id: int
    depot_id: int
    depot: str
    lon: float
    lat: float
    quantity: float
    arrival_s: float
    expiry_date: str | None


@dataclass
class TeamOption:
    """One team for one specialty, with when it would arrive and the road it would take."""

    team_id: int
    name: str
    specialty: str
    specialties: list[str]
    level: str
    kind: str
    lon: float
    lat: float
    mobilization_s: float
    travel_s: float
    arrival_s: float
    road_m: float | None
    straight_m: float
    cross_jurisdiction: bool
    recommended: bool
    route: list[tuple[float, float]] = field(default_factory=list)


@dataclass
class MaterialFill:
    """How one material need is filled, nearest depot first, and what is missing."""

    material_id: int
    code: str
    name: str
    unit: str
    needed: float
    sources: list[Source]
    shortfall: float


@dataclass
class ProposalResult:
    """Ranked team options per specialty, material fills, and what cannot be met."""

    teams: dict[str, list[TeamOption]]
    needs: list[Need]
    unmet: list[Unmet]
    materials: list[MaterialFill]
    excluded: list[Excluded]

    def recommended(self) -> dict[str, Any]:
        """The team ids and ``[line, quantity]`` pairs the proposal recommends, sorted."""
        return {
            "teams": sorted(
                o.team_id for opts in self.teams.values() for o in opts if o.recommended
            ),
            "materials": sorted(
                [s["inventory_line_id"], s["quantity"]]
                for fill in self.materials
                for s in fill.sources
            ),
        }


def compute_proposal(
    network: RoadNetwork,
    target: Snap,
    *,
    incident_county_id: int | None,
    team_needs: Sequence[matrix.TeamNeed],
    material_needs: Sequence[matrix.MaterialNeed],
    resources: Resources,
    closures: Closures | None,
    snap_max_m: float,
    alternatives: int = 2,
    with_routes: bool = True,
) -> ProposalResult:
    """Rank capable teams by arrival time and fill materials from the nearest depots.

    Pure: reads nothing but its arguments, so live dispatch and drills share it.  A team
    is recommended for at most one specialty (the first need it can fill in matrix order).
    """
    needed = {n.specialty for n in team_needs}
    capable_teams = [t for t in resources.teams if needed.intersection(t.specialties)]
    team_snaps, teams, off_road_teams = snap_all(network, capable_teams, snap_max_m)
    wanted = {n.material_id for n in material_needs}
    lines = [s for s in resources.stock if s.material_id in wanted and s.quantity > 0]
    one_line_per_depot = list({s.depot_id: s for s in lines}.values())
    depot_snaps, depots, off_road_depots = snap_all(network, one_line_per_depot, snap_max_m)
    excluded = [
        Excluded(kind="team", id=t.id, name=t.name, message=why) for t, why in off_road_teams
    ] + [
        Excluded(kind="depot", id=s.depot_id, name=s.depot_name, message=why)
        for s, why in off_road_depots
    ]
    # One search on the reversed graph times every team and depot to the incident and
    # later gives the routes of the options.
    tree = network.search_to(target, closures=closures)
    times = tree.times(team_snaps + depot_snaps)
    travel = times[: len(team_snaps)]
    depot_time = {
        d.depot_id: float(t) for d, t in zip(depots, times[len(team_snaps) :], strict=True)
    }
    timed = [(t, float(s)) for t, s in zip(teams, travel, strict=True)]
    snaps_by_team = {t.id: s for t, s in zip(teams, team_snaps, strict=True)}

    taken: set[int] = set()
    options: dict[str, list[TeamOption]] = {}
    unmet: list[Unmet] = []
    for need in team_needs:
        capable = [(t, s) for t, s in timed if need.specialty in t.specialties]
        reachable = sorted(
            ((t.mobilization_min * 60 + s, t, s) for t, s in capable if math.isfinite(s)),
            key=lambda row: (row[0], row[1].id),
        )
        chosen: list[TeamOption] = []
        picked = 0
        for arrival, team, seconds in reachable:
            recommended = picked < need.count and team.id not in taken
            if recommended:
                picked += 1
                taken.add(team.id)
            elif len(chosen) >= need.count + alternatives:
                continue
            chosen.append(
                _option(
                    team, need.specialty, seconds, arrival, target, incident_county_id, recommended
                )
            )
            if picked >= need.count and len(chosen) >= need.count + alternatives:
                break
        options[need.specialty] = chosen
        if picked < need.count:
            unmet.append(_unmet_team_need(need, picked, len(capable), len(reachable)))
    if with_routes:
        _attach_routes(tree, options, snaps_by_team)
    fills = _fill_materials(material_needs, lines, depot_time)
    unmet.extend(
        {
            "kind": "material",
            "material": f.code,
            "name": f.name,
            "unit": f.unit,
            "needed": f.needed,
            "shortfall": f.shortfall,
            "message": f"{f.name} short by {f.shortfall:g} {f.unit} "
            f"(needed {f.needed:g}, reachable stock {f.needed - f.shortfall:g})",
        }
        for f in fills
        if f.shortfall > 0
    )
    needs = [
        Need(specialty=n.specialty, count=n.count, label=label(SPECIALTIES, n.specialty))
        for n in team_needs
    ]
    return ProposalResult(
        teams=options, needs=needs, unmet=unmet, materials=fills, excluded=excluded
    )


def _option(
    team: TeamResource,
    specialty: str,
    travel_s: float,
    arrival_s: float,
    target: Snap,
    incident_county_id: int | None,
    recommended: bool,
) -> TeamOption:
    return TeamOption(
        team_id=team.id,
        name=team.name,
        specialty=specialty,
        specialties=list(team.specialties),
        level=team.level,
        kind=team.kind,
        lon=team.lon,
        lat=team.lat,
        mobilization_s=team.mobilization_min * 60,
        travel_s=travel_s,
        arrival_s=arrival_s,
        road_m=None,
        straight_m=haversine_m(team.lon, team.lat, target.lon, target.lat),
        cross_jurisdiction=(
            incident_county_id is not None and team.county_id != incident_county_id
        ),
        recommended=recommended,
    )


def _unmet_team_need(need: matrix.TeamNeed, picked: int, capable: int, reachable: int) -> Unmet:
    name = label(SPECIALTIES, need.specialty, "en")
    if capable == 0:
        why = f"no available {name} team"
    elif reachable == 0:
        why = f"{capable} available {name} team(s), none can reach the incident by road"
    else:
        why = f"only {picked} of {need.count} {name} team(s) available"
    return {
        "kind": "team",
        "specialty": need.specialty,
        "needed": need.count,
        "found": picked,
        "message": why,
    }


def _attach_routes(
    tree: TargetSearch, options: dict[str, list[TeamOption]], snaps: dict[int, Snap]
) -> None:
    """Road distance and geometry for every option, from the search already made."""
    team_ids = sorted({o.team_id for opts in options.values() for o in opts})
    routes = dict(zip(team_ids, tree.routes([snaps[i] for i in team_ids]), strict=True))
    for opts in options.values():
        for option in opts:
            route = routes[option.team_id]
            if route is None:
                continue
            option.road_m = route.length_m
            # ~0.1 m is plenty on a map and keeps the stored proposal small
            xy = np.round(np.asarray(route.coords), 6).tolist()
            option.route = [(x, y) for x, y in xy]


def _fill_materials(
    needs: Sequence[matrix.MaterialNeed],
    lines: Sequence[StockResource],
    depot_time: dict[int, float],
) -> list[MaterialFill]:
    """Fill each need from the stock lines, nearest depot first (then soonest expiry),
    splitting across depots; what cannot be reached is the shortfall."""
    fills = []
    for need in needs:
        remaining = need.quantity
        sources: list[Source] = []
        candidates = sorted(
            (
                s
                for s in lines
                if s.material_id == need.material_id
                and math.isfinite(depot_time.get(s.depot_id, math.inf))
            ),
            key=lambda s: (depot_time[s.depot_id], s.expiry_date or date.max, s.line_id),
        )
        for line in candidates:
            if remaining <= 1e-9:
                break
            take = min(line.quantity, remaining)
            remaining -= take
            sources.append(
                {
                    "inventory_line_id": line.line_id,
                    "depot_id": line.depot_id,
                    "depot": line.depot_name,
                    "lon": line.lon,
                    "lat": line.lat,
                    "quantity": take,
                    "arrival_s": depot_time[line.depot_id],
                    "expiry_date": line.expiry_date.isoformat() if line.expiry_date else None,
                }
            )
        fills.append(
            MaterialFill(
                need.material_id,
                need.code,
                need.name,
                need.unit,
                need.quantity,
                sources,
                max(0.0, round(remaining, 6)),
            )
        )
    return fills
