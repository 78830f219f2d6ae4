"""Dispatch: propose the nearest capable teams and the materials for an incident, confirm
them atomically, and follow each team until it is released.

Arrival time = the team's mobilization time + road travel time from the team's location TO
the incident (the engine searches the reversed graph, so one-way streets count the right
way).  The proposal is computed by :func:`compute_proposal`, a pure function over plain
resource lists, so drills can run it against a snapshot instead of live state.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, fields
from datetime import date, datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from responder.errors import Conflict, InvalidInput, NotFound, Unprocessable
from responder.models import (
    Assignment,
    Depot,
    Enterprise,
    HazardSource,
    Incident,
    InventoryLine,
    MaterialDispatch,
    Proposal,
    RescueTeam,
    TeamSpecialty,
    utcnow,
)
from responder.models.base import begin_write, rows_changed
from responder.models.quantity import as_quantity
from responder.routing import (
    Closures,
    InvalidCoordinates,
    PointTooFarFromRoad,
    RoadNetwork,
    Snap,
    TargetSearch,
)
from responder.rules import Rules
from responder.services import audit, inventory, jurisdictions, matrix
from responder.services.actors import Actor
from responder.services.geodesy import degree_box, haversine_m
from responder.vocabulary import INCIDENT_TYPES, SEVERITIES, SPECIALTIES, label

#: Team states while it belongs to an incident, in the order they happen.
ACTIVE_STATES = ("dispatched", "on_scene", "returning")
NEXT_STATE = {"dispatched": "on_scene", "on_scene": "returning", "returning": "available"}

RelatedPlans = Callable[[Session, Incident], list[dict[str, Any]]]


# ---------------------------------------------------------------- resources (plain values)
@dataclass(frozen=True)
class TeamResource:
    id: int
    name: str
    specialties: tuple[str, ...]
    level: str
    kind: str
    lon: float
    lat: float
    mobilization_min: float
    jurisdiction_id: int
    county_id: int | None


@dataclass(frozen=True)
class StockResource:
    line_id: int
    depot_id: int
    depot_name: str
    lon: float
    lat: float
    material_id: int
    quantity: float
    expiry_date: date | None


@dataclass
class Resources:
    """What can be sent: available teams and usable stock."""

    teams: list[TeamResource]
    stock: list[StockResource]


def live_resources(
    session: Session,
    rules: Rules,
    *,
    today: date,
    specialties: Sequence[str] | None = None,
    material_ids: Sequence[int] | None = None,
) -> Resources:
    """Available, non-retired teams (of the given specialties) and non-expired stock.

    Reads plain columns (no ORM objects): this runs on every proposal.
    """
    team_query = select(
        RescueTeam.id,
        RescueTeam.name,
        RescueTeam.level,
        RescueTeam.kind,
        RescueTeam.lon,
        RescueTeam.lat,
        RescueTeam.mobilization_min,
        RescueTeam.jurisdiction_id,
    ).where(RescueTeam.status == "available", RescueTeam.retired_at.is_(None))
    specialty_query = (
        select(TeamSpecialty.team_id, TeamSpecialty.specialty)
        .join(RescueTeam, RescueTeam.id == TeamSpecialty.team_id)
        .where(RescueTeam.status == "available", RescueTeam.retired_at.is_(None))
    )
    if specialties is not None:
        capable = select(TeamSpecialty.team_id).where(TeamSpecialty.specialty.in_(specialties))
        team_query = team_query.where(RescueTeam.id.in_(capable))
        specialty_query = specialty_query.where(TeamSpecialty.team_id.in_(capable))
    codes: dict[int, list[str]] = {}
    for team_id, code in session.execute(specialty_query):
        codes.setdefault(team_id, []).append(code)
    rows = session.execute(team_query.order_by(RescueTeam.id)).all()
    counties = _county_ids(session, {row.jurisdiction_id for row in rows})
    teams = [
        TeamResource(
            id=row.id,
            name=row.name,
            specialties=tuple(sorted(codes.get(row.id, ()))),
            level=row.level,
            kind=row.kind,
            lon=row.lon,
            lat=row.lat,
            mobilization_min=(
                row.mobilization_min
                if row.mobilization_min is not None
                else rules.mobilization_for(row.kind)
            ),
            jurisdiction_id=row.jurisdiction_id,
            county_id=counties.get(row.jurisdiction_id),
        )
        for row in rows
    ]
    stock_query = (
        select(
            InventoryLine.id,
            InventoryLine.depot_id,
            Depot.name,
            Depot.lon,
            Depot.lat,
            InventoryLine.material_id,
            InventoryLine.quantity,
            InventoryLine.expiry_date,
        )
        .join(Depot, Depot.id == InventoryLine.depot_id)
        .where(InventoryLine.quantity > 0, Depot.retired_at.is_(None))
        .where(or_(InventoryLine.expiry_date.is_(None), InventoryLine.expiry_date >= today))
        .order_by(InventoryLine.id)
    )
    if material_ids is not None:
        stock_query = stock_query.where(InventoryLine.material_id.in_(material_ids))
    # Proposals rank and fill in floats; the stored stock is an exact Decimal.
    stock = [StockResource(*row[:6], float(row[6]), row[7]) for row in session.execute(stock_query)]
    return Resources(teams=teams, stock=stock)


def _county_ids(session: Session, jurisdiction_ids: set[int]) -> dict[int, int | None]:
    return jurisdictions.county_ids_of(session, jurisdiction_ids)


# ---------------------------------------------------------------- snapping
def snap_point(
    network: RoadNetwork, lon: float, lat: float, *, max_m: float, field: str = "lon"
) -> Snap:
    """Place a point on the road network, as a domain error when it cannot be."""
    try:
        return _snap_cached(network, float(lon), float(lat), float(max_m))
    except PointTooFarFromRoad as error:
        raise Unprocessable(str(error), field=field, code="too_far_from_road") from error
    except InvalidCoordinates as error:
        raise InvalidInput(str(error), field=field) from error


@lru_cache(maxsize=50_000)
def _snap_cached(network: RoadNetwork, lon: float, lat: float, max_m: float) -> Snap:
    """Registry locations rarely move, so their snaps are remembered (per network)."""
    return network.snap(lon, lat, max_distance_m=max_m)


# ---------------------------------------------------------------- incidents
def create_incident(
    session: Session,
    actor: Actor,
    network: RoadNetwork | None,
    data: dict[str, Any],
    *,
    snap_max_m: float,
    drill_id: int | None = None,
) -> Incident:
    """Record an incident.  Its jurisdiction is derived from the point; a point that is
    far from every road is refused (dispatch could not route to it)."""
    if data["type"] not in INCIDENT_TYPES:
        raise InvalidInput(f"unknown incident type '{data['type']}'", field="type")
    if data["severity"] not in SEVERITIES:
        raise InvalidInput(f"unknown severity '{data['severity']}'", field="severity")
    where = jurisdictions.locate(session, data["lon"], data["lat"])
    permission = "drills.write" if drill_id is not None else "dispatch.write"
    actor.require(permission, path=where.path if where else None, what="the incident location")
    if network is not None:
        snap_point(network, data["lon"], data["lat"], max_m=snap_max_m)
    enterprise_id = data.get("enterprise_id")
    if enterprise_id is not None and session.get(Enterprise, enterprise_id) is None:
        raise InvalidInput(f"enterprise {enterprise_id} does not exist", field="enterprise_id")
    incident = Incident(
        type=data["type"],
        severity=data["severity"],
        lon=data["lon"],
        lat=data["lat"],
        reported_at=data.get("reported_at") or utcnow(),
        jurisdiction_id=where.id if where else None,
        enterprise_id=enterprise_id,
        description=data.get("description", ""),
        drill_id=drill_id,
        created_by=actor.user_id,
    )
    session.add(incident)
    session.flush()
    audit.record(session, actor, "create", "incident", incident.id, after=audit.snapshot(incident))
    return incident


def get_live_incident(session: Session, incident_id: int) -> Incident:
    incident = session.get(Incident, incident_id)
    if incident is None or incident.drill_id is not None:
        raise NotFound(f"incident {incident_id} not found")
    return incident


# ---------------------------------------------------------------- the proposal
@dataclass
class TeamOption:
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
    material_id: int
    code: str
    name: str
    unit: str
    needed: float
    sources: list[dict[str, Any]]
    shortfall: float


@dataclass
class ProposalResult:
    teams: dict[str, list[TeamOption]]
    needs: list[dict[str, Any]]
    unmet: list[dict[str, Any]]
    materials: list[MaterialFill]
    excluded: list[dict[str, Any]]

    def recommended(self) -> dict[str, Any]:
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
    excluded: list[dict[str, Any]] = []
    needed = {n.specialty for n in team_needs}
    teams = [t for t in resources.teams if needed.intersection(t.specialties)]
    team_snaps, teams = _snap_all(network, teams, snap_max_m, excluded, "team")
    wanted = {n.material_id for n in material_needs}
    lines = [s for s in resources.stock if s.material_id in wanted and s.quantity > 0]
    depot_snaps, depots = _snap_all(
        network, list({s.depot_id: s for s in lines}.values()), snap_max_m, excluded, "depot"
    )
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
    unmet: list[dict[str, Any]] = []
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
        {"specialty": n.specialty, "count": n.count, "label": label(SPECIALTIES, n.specialty)}
        for n in team_needs
    ]
    return ProposalResult(
        teams=options, needs=needs, unmet=unmet, materials=fills, excluded=excluded
    )


def _snap_all(
    network: RoadNetwork,
    items: Sequence[Any],
    snap_max_m: float,
    excluded: list[dict[str, Any]],
    what: str,
) -> tuple[list[Snap], list[Any]]:
    snaps, kept = [], []
    for item in items:
        try:
            snaps.append(_snap_cached(network, item.lon, item.lat, snap_max_m))
            kept.append(item)
        except (PointTooFarFromRoad, InvalidCoordinates) as error:
            ident = getattr(item, "id", None) or getattr(item, "depot_id", None)
            name = getattr(item, "name", None) or getattr(item, "depot_name", "")
            excluded.append({"kind": what, "id": ident, "name": name, "message": str(error)})
    return snaps, kept


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


def _unmet_team_need(
    need: matrix.TeamNeed, picked: int, capable: int, reachable: int
) -> dict[str, Any]:
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
            option.route = [(round(x, 6), round(y, 6)) for x, y in route.coords]


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
        sources = []
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


@dataclass
class DispatchContext:
    """What a proposal needs besides the database: roads, rules and settings."""

    network: RoadNetwork
    rules: Rules
    closures: Closures | None
    closure_ids: list[int]
    snap_max_m: float
    hazard_radius_m: float
    related_plans: RelatedPlans | None = None
    #: Closures recorded on another version of the road network, reported, not applied.
    stale_closures: list[dict[str, Any]] = field(default_factory=list)


def propose(
    session: Session,
    actor: Actor,
    ctx: DispatchContext,
    incident: Incident,
    *,
    alternatives: int = 2,
    today: date | None = None,
) -> Proposal:
    """Compute a proposal from live availability now, store it and return it."""
    actor.require(
        "dispatch.write",
        path=incident.jurisdiction.path if incident.jurisdiction else None,
        what="the incident",
    )
    if incident.status != "open":
        raise Conflict(f"incident {incident.id} is closed", field="incident")
    team_needs, material_needs = matrix.needs(session, incident.type, incident.severity)
    resources = live_resources(
        session,
        ctx.rules,
        today=today or date.today(),
        specialties=[n.specialty for n in team_needs],
        material_ids=[n.material_id for n in material_needs],
    )
    target = snap_point(ctx.network, incident.lon, incident.lat, max_m=ctx.snap_max_m)
    result = compute_proposal(
        ctx.network,
        target,
        incident_county_id=jurisdictions.county_id_of(session, incident.jurisdiction_id),
        team_needs=team_needs,
        material_needs=material_needs,
        resources=resources,
        closures=ctx.closures,
        snap_max_m=ctx.snap_max_m,
        alternatives=alternatives,
    )
    body = {
        "incident_id": incident.id,
        "computed_at": utcnow().isoformat(),
        "teams": {k: [_plain(o) for o in v] for k, v in result.teams.items()},
        "needs": result.needs,
        "materials": [_plain(f) for f in result.materials],
        "unmet": result.unmet,
        "excluded": result.excluded,
        "hazard_sources": hazard_sources_near(
            session, incident.lon, incident.lat, ctx.hazard_radius_m
        ),
        "plans": ctx.related_plans(session, incident) if ctx.related_plans else [],
        "recommended": result.recommended(),
        "basis": {
            "network_version": ctx.network.version,
            "network_nodes": ctx.network.node_count,
            "closures_in_force": ctx.closure_ids,
            "closures_not_applied": ctx.stale_closures,
            "incident_snap_m": round(target.distance_m, 1),
            "snapped_to": [round(target.lon, 6), round(target.lat, 6)],
            "arrival": "mobilization time + road travel time to the incident",
        },
    }
    proposal = Proposal(incident_id=incident.id, created_by=actor.user_id, body=body)
    session.add(proposal)
    session.flush()
    return proposal


def _plain(item: Any) -> dict[str, Any]:
    """A dataclass as a dict, shallow (``asdict`` deep-copies every route point)."""
    return {f.name: getattr(item, f.name) for f in fields(item)}


def hazard_sources_near(
    session: Session, lon: float, lat: float, radius_m: float
) -> list[dict[str, Any]]:
    """Active major hazard sources whose enterprise lies within ``radius_m``, nearest first."""
    min_lon, min_lat, max_lon, max_lat = degree_box(lon, lat, radius_m)
    rows = session.execute(
        select(
            HazardSource.id,
            HazardSource.name,
            HazardSource.grade,
            HazardSource.substances,
            HazardSource.monitored,
            Enterprise.id.label("enterprise_id"),
            Enterprise.name.label("enterprise"),
            Enterprise.lon,
            Enterprise.lat,
        )
        .join(Enterprise, Enterprise.id == HazardSource.enterprise_id)
        .where(HazardSource.retired_at.is_(None), Enterprise.retired_at.is_(None))
        .where(Enterprise.lon.between(min_lon, max_lon), Enterprise.lat.between(min_lat, max_lat))
    )
    found = []
    for row in rows:
        distance = haversine_m(lon, lat, row.lon, row.lat)
        if distance <= radius_m:
            found.append({**row._asdict(), "distance_m": round(distance, 1)})
    return sorted(found, key=lambda s: (s["distance_m"], s["id"]))


# ---------------------------------------------------------------- confirmation
@dataclass(frozen=True)
class TeamPick:
    team_id: int
    specialty: str = ""


@dataclass(frozen=True)
class MaterialPick:
    inventory_line_id: int
    quantity: float


def confirm(
    session: Session,
    actor: Actor,
    incident: Incident,
    *,
    proposal_id: int | None,
    teams: Sequence[TeamPick],
    materials: Sequence[MaterialPick],
    deviation_reason: str = "",
    today: date | None = None,
) -> tuple[list[Assignment], list[MaterialDispatch]]:
    """Take the chosen teams and stock for the incident, all or nothing.

    Each team moves from available to dispatched only if it is still available, and stock
    is decremented only if enough remains (conditional UPDATEs in one write transaction),
    so two operators can never get the same team or the same stock.  Otherwise a 409
    lists what changed and nothing is applied.
    """
    actor.require(
        "dispatch.write",
        path=incident.jurisdiction.path if incident.jurisdiction else None,
        what="the incident",
    )
    _check_selection(teams, materials)
    proposal = _proposal_for(session, incident, proposal_id)
    chosen = {
        "teams": sorted(t.team_id for t in teams),
        "materials": sorted([m.inventory_line_id, m.quantity] for m in materials),
    }
    deviates = proposal is None or chosen != proposal.body["recommended"]
    if deviates and not deviation_reason.strip():
        raise InvalidInput(
            "the selection differs from the proposal: give a short reason", field="deviation_reason"
        )
    incident_id = incident.id
    begin_write(session)
    incident = _reread(session, incident_id)
    if incident.status != "open":
        raise Conflict(f"incident {incident.id} is closed", field="incident")
    now = utcnow()
    conflicts = _take_teams(session, teams, now) + _take_stock(
        session, materials, today or date.today()
    )
    if conflicts:
        session.rollback()
        raise Conflict(
            "; ".join(c["message"] for c in conflicts),
            field=conflicts[0]["field"],
            details=conflicts,
            code="taken",
        )
    arrivals = _proposed_arrivals(proposal)
    assignments = [
        Assignment(
            incident_id=incident.id,
            team_id=pick.team_id,
            specialty=pick.specialty,
            proposal_id=proposal.id if proposal else None,
            expected_arrival_s=arrivals.get(pick.team_id),
            deviation_reason=deviation_reason.strip() if deviates else "",
            dispatched_by=actor.user_id,
            dispatched_at=now,
        )
        for pick in teams
    ]
    dispatches = [
        MaterialDispatch(
            incident_id=incident.id,
            inventory_line_id=pick.inventory_line_id,
            quantity=pick.quantity,
            dispatched_by=actor.user_id,
            dispatched_at=now,
        )
        for pick in materials
    ]
    session.add_all([*assignments, *dispatches])
    session.flush()
    audit.record(
        session,
        actor,
        "dispatch",
        "incident",
        incident.id,
        after={
            "teams": chosen["teams"],
            "materials": chosen["materials"],
            "proposal_id": proposal.id if proposal else None,
            "deviation_reason": deviation_reason.strip() if deviates else "",
        },
    )
    return assignments, dispatches


def _reread(session: Session, incident_id: int) -> Incident:
    """The incident as seen inside the write transaction just begun."""
    incident = session.get(Incident, incident_id)
    if incident is None:
        raise NotFound(f"incident {incident_id} not found")
    return incident


def _check_selection(teams: Sequence[TeamPick], materials: Sequence[MaterialPick]) -> None:
    if not teams and not materials:
        raise InvalidInput("choose at least one team or material line", field="teams")
    seen: set[int] = set()
    for i, pick in enumerate(teams):
        if pick.team_id in seen:
            raise InvalidInput(f"team {pick.team_id} is listed twice", field=f"teams.{i}.team_id")
        seen.add(pick.team_id)
    lines: set[int] = set()
    for i, m in enumerate(materials):
        if not m.quantity > 0 or not math.isfinite(m.quantity):
            raise InvalidInput("quantity must be positive", field=f"materials.{i}.quantity")
        if m.inventory_line_id in lines:
            raise InvalidInput(
                f"inventory line {m.inventory_line_id} is listed twice",
                field=f"materials.{i}.inventory_line_id",
            )
        lines.add(m.inventory_line_id)


def _proposal_for(session: Session, incident: Incident, proposal_id: int | None) -> Proposal | None:
    if proposal_id is None:
        return None
    proposal = session.get(Proposal, proposal_id)
    if proposal is None or proposal.incident_id != incident.id:
        raise InvalidInput(
            f"proposal {proposal_id} is not a proposal for this incident", field="proposal_id"
        )
    return proposal


def _proposed_arrivals(proposal: Proposal | None) -> dict[int, float]:
    if proposal is None:
        return {}
    return {o["team_id"]: o["arrival_s"] for opts in proposal.body["teams"].values() for o in opts}


def _take_teams(session: Session, teams: Sequence[TeamPick], now: datetime) -> list[dict[str, Any]]:
    conflicts = []
    for i, pick in enumerate(teams):
        taken = rows_changed(
            session,
            update(RescueTeam)
            .where(
                RescueTeam.id == pick.team_id,
                RescueTeam.status == "available",
                RescueTeam.retired_at.is_(None),
            )
            .values(
                status="dispatched",
                status_changed_at=now,
                status_version=RescueTeam.status_version + 1,
            )
            .execution_options(synchronize_session=False),
        )
        if taken != 1:
            team = session.get(RescueTeam, pick.team_id)
            now_status = "does not exist" if team is None else f"is now {team.status}"
            conflicts.append(
                {
                    "field": f"teams.{i}.team_id",
                    "team_id": pick.team_id,
                    "message": f"team {pick.team_id} is no longer available ({now_status})",
                }
            )
    return conflicts


def _take_stock(
    session: Session, materials: Sequence[MaterialPick], today: date
) -> list[dict[str, Any]]:
    conflicts = []
    for i, pick in enumerate(materials):
        line = session.get(InventoryLine, pick.inventory_line_id)
        expired = line is not None and line.expiry_date is not None and line.expiry_date < today
        if line is not None and not expired and inventory.take(session, line.id, pick.quantity):
            continue
        if line is None:
            why = "does not exist"
        elif expired:
            why = f"expired on {line.expiry_date}"
        else:
            session.refresh(line)
            why = f"holds only {line.quantity:g}"
        conflicts.append(
            {
                "field": f"materials.{i}.quantity",
                "inventory_line_id": pick.inventory_line_id,
                "message": f"inventory line {pick.inventory_line_id} cannot give "
                f"{pick.quantity:g} (it {why})",
            }
        )
    return conflicts


# ---------------------------------------------------------------- the life of a dispatch
def advance(session: Session, actor: Actor, assignment: Assignment, status: str) -> Assignment:
    """Move a team along dispatched → on_scene → returning → available (released)."""
    incident = assignment.incident
    actor.require(
        "dispatch.write",
        path=incident.jurisdiction.path if incident.jurisdiction else None,
        what="the incident",
    )
    if assignment.status not in NEXT_STATE or NEXT_STATE[assignment.status] != status:
        expected = NEXT_STATE.get(assignment.status, "nothing (released)")
        raise Conflict(f"assignment is {assignment.status}; next is {expected}", field="status")
    assignment_id = assignment.id
    begin_write(session)
    assignment = session.get(Assignment, assignment_id)  # type: ignore[assignment]
    _move_team(session, assignment, status)
    audit.record(
        session,
        actor,
        status,
        "assignment",
        assignment.id,
        after={
            "team_id": assignment.team_id,
            "incident_id": assignment.incident_id,
            "status": status,
        },
    )
    return assignment


def _move_team(session: Session, assignment: Assignment, status: str) -> None:
    now = utcnow()
    expected = assignment.status
    moved = rows_changed(
        session,
        update(RescueTeam)
        .where(RescueTeam.id == assignment.team_id, RescueTeam.status == expected)
        .values(status=status, status_changed_at=now, status_version=RescueTeam.status_version + 1)
        .execution_options(synchronize_session=False),
    )
    if moved != 1:
        raise Conflict(f"team {assignment.team_id} is not {expected} any more", field="status")
    stamp = {"on_scene": "on_scene_at", "returning": "returning_at", "available": "released_at"}
    setattr(assignment, stamp[status], now)
    assignment.status = "released" if status == "available" else status
    session.expire(assignment.team)


def close_incident(
    session: Session, actor: Actor, incident: Incident, *, reason: str, consumed: dict[int, float]
) -> Incident:
    """Close an incident: release its teams, return unused stock, record what was used.

    ``consumed`` maps material-dispatch id → quantity used (missing = all used).
    """
    actor.require(
        "dispatch.write",
        path=incident.jurisdiction.path if incident.jurisdiction else None,
        what="the incident",
    )
    if incident.status != "open":
        raise Conflict(f"incident {incident.id} is already closed", field="incident")
    if not reason.strip():
        raise InvalidInput("say why the incident is closed", field="reason")
    by_id = {d.id: d for d in incident.material_dispatches}
    for dispatch_id, used in consumed.items():
        item = by_id.get(dispatch_id)
        if item is None:
            raise InvalidInput(
                f"material dispatch {dispatch_id} is not part of this incident", field="consumed"
            )
        if not 0 <= used <= item.quantity:
            raise InvalidInput(
                f"consumed for {dispatch_id} must be between 0 and {item.quantity:g}",
                field="consumed",
            )
    incident_id = incident.id
    begin_write(session)
    incident = session.get(Incident, incident_id)  # type: ignore[assignment]
    now = utcnow()
    released = []
    for assignment in incident.assignments:
        if assignment.status in ACTIVE_STATES:
            session.execute(
                update(RescueTeam)
                .where(RescueTeam.id == assignment.team_id, RescueTeam.status.in_(ACTIVE_STATES))
                .values(
                    status="available",
                    status_changed_at=now,
                    status_version=RescueTeam.status_version + 1,
                )
                .execution_options(synchronize_session=False)
            )
            assignment.status, assignment.released_at = "released", now
            released.append(assignment.team_id)
    returned = []
    for item in incident.material_dispatches:
        if item.settled_at is not None:
            continue
        spent = as_quantity(consumed.get(item.id, item.quantity))
        back = item.quantity - spent
        if back > 0:
            session.execute(
                update(InventoryLine)
                .where(InventoryLine.id == item.inventory_line_id)
                .values(quantity=InventoryLine.quantity + back, updated_at=now)
                .execution_options(synchronize_session=False)
            )
        item.consumed, item.returned, item.settled_at = spent, back, now
        returned.append({"material_dispatch_id": item.id, "consumed": spent, "returned": back})
    incident.status, incident.closed_at, incident.closed_by = "closed", now, actor.user_id
    incident.close_reason = reason.strip()[:500]
    session.flush()
    audit.record(
        session,
        actor,
        "close",
        "incident",
        incident.id,
        after={"reason": incident.close_reason, "released_teams": released, "materials": returned},
    )
    return incident


def availability(session: Session) -> dict[str, Any]:
    """A cheap fingerprint of team availability, for consoles that poll for changes."""
    rows = session.execute(
        select(RescueTeam.id, RescueTeam.status, RescueTeam.status_version)
        .where(RescueTeam.retired_at.is_(None))
        .order_by(RescueTeam.id)
    ).all()
    version = sum(v for _, _, v in rows) * 1_000_003 + len(rows)
    return {"version": str(version), "teams": [{"id": i, "status": s} for i, s, _ in rows]}
