"""Coverage (救援圈): which roads, enterprises and major hazard sources of a jurisdiction
can be reached within the arrival-time standard by at least one available team.

Arrival = the team's mobilization time + road travel time from the team TO the point.
Per specialty this is ONE multi-source search (:func:`responder.routing.coverage.
arrival_times`) in which every team starts at its own mobilization time, so the work does
not grow with the number of points asked about.

What-if ("if these teams leave, what is uncovered?") is the same with those teams left
out.  Site suggestions add teams greedily where they cover the most still-uncovered major
hazard sources (maximal covering), using one bounded search per uncovered source on the
reversed graph.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from typing import Any

import numpy as np
import scipy.sparse as sp
import shapely
from numpy.typing import NDArray
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry
from sqlalchemy import select
from sqlalchemy.orm import Session

from responder.errors import InvalidInput
from responder.models import (
    Depot,
    Enterprise,
    HazardSource,
    Jurisdiction,
    RescueBase,
    RescueTeam,
)
from responder.routing import Closures, InvalidCoordinates, PointTooFarFromRoad, RoadNetwork, Snap
from responder.routing import coverage as search
from responder.rules import Rules
from responder.services import jurisdictions
from responder.services.actors import Actor
from responder.services.dispatch import TeamResource, live_resources
from responder.vocabulary import SPECIALTIES

#: Arrival times are searched this far past the standard, so uncovered places still show
#: how late help would be.
REPORT_FACTOR = 2.0


@dataclass(frozen=True)
class Site:
    """A place whose coverage is counted: an enterprise or a major hazard source."""

    kind: str
    id: int
    name: str
    lon: float
    lat: float
    grade: int | None = None
    enterprise: str = ""


@dataclass
class Area:
    """The jurisdiction asked about (``None`` node: the whole network)."""

    node: Jurisdiction | None
    geometry: BaseGeometry | None
    children: list[tuple[Jurisdiction, BaseGeometry]] = field(default_factory=list)


@dataclass
class CoverageResult:
    """Figures for one specialty, plus the arrays maps are drawn from."""

    specialty: str
    standard_min: float
    teams: list[TeamResource]
    node_times: NDArray[np.float64]
    road_share: NDArray[np.float64]
    road_mask: NDArray[np.bool_]
    site_times: dict[tuple[str, int], float]
    figures: dict[str, Any]
    hazards: list[Site] = field(default_factory=list)


# ---------------------------------------------------------------- inputs from the database
def area_of(session: Session, jurisdiction_id: int | None) -> Area:
    if jurisdiction_id is None:
        return Area(None, None)
    node = jurisdictions.get(session, jurisdiction_id)
    children = session.scalars(
        select(Jurisdiction)
        .where(Jurisdiction.parent_id == node.id, Jurisdiction.boundary.is_not(None))
        .order_by(Jurisdiction.code)
    ).all()
    return Area(
        node,
        _geometry(node.boundary) if node.boundary else None,
        [(child, _geometry(child.boundary)) for child in children if child.boundary],
    )


@lru_cache(maxsize=256)
def _geometry(boundary: str) -> BaseGeometry:
    geometry = shape(json.loads(boundary))
    shapely.prepare(geometry)
    return geometry


def sites_in(session: Session, area: Area) -> tuple[list[Site], list[Site]]:
    """Active enterprises and major hazard sources in the area's jurisdiction subtree
    (plain column reads: coverage is asked often and needs no ORM objects)."""
    enterprises = select(Enterprise.id, Enterprise.name, Enterprise.lon, Enterprise.lat).where(
        Enterprise.retired_at.is_(None)
    )
    sources = (
        select(
            HazardSource.id,
            HazardSource.name,
            Enterprise.lon,
            Enterprise.lat,
            HazardSource.grade,
            Enterprise.name,
        )
        .join(Enterprise, Enterprise.id == HazardSource.enterprise_id)
        .where(HazardSource.retired_at.is_(None), Enterprise.retired_at.is_(None))
    )
    if area.node is not None:
        inside = jurisdictions.subtree_filter(Enterprise.jurisdiction_id, area.node.path)
        enterprises, sources = enterprises.where(inside), sources.where(inside)
    firms = [
        Site("enterprise", *row) for row in session.execute(enterprises.order_by(Enterprise.id))
    ]
    hazards = [
        Site("hazard_source", *row) for row in session.execute(sources.order_by(HazardSource.id))
    ]
    return firms, hazards


def check_away(session: Session, away: Iterable[int]) -> set[int]:
    """The ids of teams to leave out; each must name a team."""
    ids = set(away)
    if ids:
        known = set(session.scalars(select(RescueTeam.id).where(RescueTeam.id.in_(ids))))
        missing = sorted(ids - known)
        if missing:
            raise InvalidInput(f"no team with id {missing[0]}", field="away")
    return ids


def check_specialty(specialty: str) -> str:
    if specialty not in SPECIALTIES:
        raise InvalidInput(f"unknown specialty '{specialty}'", field="specialty")
    return specialty


# ---------------------------------------------------------------- the computation (pure)
def snap_sites(
    network: RoadNetwork, items: Sequence[Any], snap_max_m: float
) -> tuple[list[Snap], list[Any], list[Any]]:
    """Snap items with ``lon``/``lat``; returns snaps, the items kept, the items refused."""
    snaps, kept, refused = [], [], []
    for item in items:
        try:
            snaps.append(_snap(network, float(item.lon), float(item.lat), float(snap_max_m)))
            kept.append(item)
        except (PointTooFarFromRoad, InvalidCoordinates):
            refused.append(item)
    return snaps, kept, refused


@lru_cache(maxsize=100_000)
def _snap(network: RoadNetwork, lon: float, lat: float, max_m: float) -> Snap:
    return network.snap(lon, lat, max_distance_m=max_m)


@lru_cache(maxsize=64)
def _road_mask(network: RoadNetwork, geometry: BaseGeometry | None) -> NDArray[np.bool_]:
    """Roads whose middle vertex lies in ``geometry`` (every road when None)."""
    if geometry is None:
        return np.ones(network.road_count, dtype=bool)
    mid = search.road_midpoints(network)
    return shapely.contains_xy(geometry, mid[:, 0], mid[:, 1])


def compute(
    network: RoadNetwork,
    *,
    specialty: str,
    standard_min: float,
    teams: Sequence[TeamResource],
    enterprises: Sequence[Site],
    hazards: Sequence[Site],
    area: Area,
    closures: Closures | None,
    snap_max_m: float,
) -> CoverageResult:
    """Coverage figures of one specialty in one area for the given teams (no database)."""
    standard_s = standard_min * 60.0
    team_snaps, kept, _ = snap_sites(network, teams, snap_max_m)
    offsets = [t.mobilization_min * 60.0 for t in kept]
    times, _nearest = search.arrival_times(
        network, team_snaps, offsets, cutoff_s=standard_s * REPORT_FACTOR, closures=closures
    )
    share = search.road_shares(network, times, standard_s, closures=closures)
    mask = _road_mask(network, area.geometry)
    lengths = network.road_length_m
    site_times: dict[tuple[str, int], float] = {}
    for group in (enterprises, hazards):
        snaps, ok, refused = snap_sites(network, group, snap_max_m)
        arrive = search.point_times(network, times, snaps, closures=closures)
        for site, seconds in zip(ok, arrive, strict=True):
            site_times[(site.kind, site.id)] = float(seconds)
        for site in refused:
            site_times[(site.kind, site.id)] = float("inf")
    figures = {
        "specialty": specialty,
        "standard_min": standard_min,
        "teams": len(kept),
        "roads": _road_figures(share, lengths, mask),
        "enterprises": _site_figures(enterprises, site_times, standard_s),
        "hazard_sources": _site_figures(hazards, site_times, standard_s),
        "uncovered_hazard_sources": _uncovered(hazards, site_times, standard_s, kept),
        "by_area": [
            {
                "jurisdiction_id": child.id,
                "name": child.name,
                "roads": _road_figures(share, lengths, _road_mask(network, geometry)),
            }
            for child, geometry in area.children
        ],
    }
    return CoverageResult(
        specialty,
        standard_min,
        list(kept),
        times,
        share,
        mask,
        site_times,
        figures,
        list(hazards),
    )


def _road_figures(
    share: NDArray[np.float64], lengths: NDArray[np.float64], mask: NDArray[np.bool_]
) -> dict[str, Any]:
    total = float(lengths[mask].sum())
    covered = float(np.dot(share[mask], lengths[mask]))
    return {
        "covered_km": round(covered / 1000, 3),
        "total_km": round(total / 1000, 3),
        "share": round(covered / total, 4) if total > 0 else None,
    }


def _site_figures(
    sites: Sequence[Site], times: dict[tuple[str, int], float], standard_s: float
) -> dict[str, Any]:
    covered = sum(1 for s in sites if times[(s.kind, s.id)] <= standard_s)
    return {
        "covered": covered,
        "total": len(sites),
        "share": round(covered / len(sites), 4) if sites else None,
    }


def _uncovered(
    hazards: Sequence[Site],
    times: dict[tuple[str, int], float],
    standard_s: float,
    teams: Sequence[TeamResource],
) -> list[dict[str, Any]]:
    rows = []
    for site in hazards:
        seconds = times[(site.kind, site.id)]
        if seconds <= standard_s:
            continue
        rows.append(
            {
                "id": site.id,
                "name": site.name,
                "grade": site.grade,
                "enterprise": site.enterprise,
                "lon": site.lon,
                "lat": site.lat,
                "arrival_s": round(seconds, 1) if np.isfinite(seconds) else None,
            }
        )
    return sorted(rows, key=lambda r: (r["grade"] or 9, r["id"]))


# ---------------------------------------------------------------- services
@dataclass(frozen=True)
class CoverageContext:
    """What coverage needs besides the database."""

    network: RoadNetwork
    rules: Rules
    closures: Closures | None
    closure_ids: list[int]
    snap_max_m: float


def coverage(
    session: Session,
    actor: Actor,
    ctx: CoverageContext,
    *,
    specialty: str,
    jurisdiction_id: int | None = None,
    away: Iterable[int] = (),
    today: date | None = None,
) -> CoverageResult:
    """Coverage of one specialty in a jurisdiction by the available teams (minus ``away``).

    With ``away`` the figures also say which hazard sources become uncovered compared to
    all available teams (the what-if).
    """
    actor.require("coverage.read")
    check_specialty(specialty)
    away_ids = check_away(session, away)
    area = area_of(session, jurisdiction_id)
    teams = live_resources(
        session, ctx.rules, today=today or date.today(), specialties=[specialty], material_ids=[]
    ).teams
    enterprises, hazards = sites_in(session, area)

    def figures_for(chosen: Sequence[TeamResource]) -> CoverageResult:
        return compute(
            ctx.network,
            specialty=specialty,
            standard_min=ctx.rules.arrival_standard_for(specialty),
            teams=chosen,
            enterprises=enterprises,
            hazards=hazards,
            area=area,
            closures=ctx.closures,
            snap_max_m=ctx.snap_max_m,
        )

    result = figures_for([t for t in teams if t.id not in away_ids])
    result.figures["jurisdiction_id"] = area.node.id if area.node else None
    result.figures["jurisdiction"] = area.node.name if area.node else None
    result.figures["basis"] = _basis(ctx)
    if away_ids:
        baseline = figures_for(teams)
        removed = sorted(t.id for t in teams if t.id in away_ids)
        before = {h["id"] for h in baseline.figures["uncovered_hazard_sources"]}
        result.figures["what_if"] = {
            "away": removed,
            "not_available_anyway": sorted(away_ids - set(removed)),
            "baseline": {
                k: baseline.figures[k] for k in ("teams", "roads", "enterprises", "hazard_sources")
            },
            "newly_uncovered_hazard_sources": [
                h for h in result.figures["uncovered_hazard_sources"] if h["id"] not in before
            ],
        }
    return result


def _basis(ctx: CoverageContext) -> dict[str, Any]:
    return {
        "network_version": ctx.network.version,
        "closures_in_force": list(ctx.closure_ids),
        "arrival": "mobilization time + road travel time from the team to the place",
        "road_rule": "a road counts by the share of its length reached within the standard",
    }


# ---------------------------------------------------------------- where to add a team
@dataclass(frozen=True)
class Candidate:
    kind: str  # base | depot | node
    id: int | None
    name: str
    lon: float
    lat: float


def registry_candidates(session: Session, area: Area) -> list[Candidate]:
    """Existing bases and depots (in the area's subtree, when one is given)."""
    out: list[Candidate] = []
    models: tuple[tuple[type[RescueBase] | type[Depot], str], ...] = (
        (RescueBase, "base"),
        (Depot, "depot"),
    )
    for model, kind in models:
        query = select(model.id, model.name, model.lon, model.lat).where(model.retired_at.is_(None))
        if area.node is not None:
            query = query.where(jurisdictions.subtree_filter(model.jurisdiction_id, area.node.path))
        out += [Candidate(kind, *row) for row in session.execute(query.order_by(model.id))]
    return out


def greedy_cover(
    cover: sp.csr_matrix, k: int, weights: NDArray[np.float64] | None = None
) -> list[tuple[int, list[int], float]]:
    """Greedy maximal covering: ``cover[c, h]`` true when candidate ``c`` covers target
    ``h``.  Picks up to ``k`` candidates, each the one adding the most (weighted) still-
    uncovered targets (ties: lowest index); stops when nothing more can be gained.

    Returns (candidate, newly covered targets, gain) per pick.
    """
    n_targets = cover.shape[1]
    w = np.ones(n_targets) if weights is None else np.asarray(weights, dtype=np.float64)
    open_ = np.ones(n_targets, dtype=bool)
    matrix = cover.tocsr().astype(np.float64)
    picks: list[tuple[int, list[int], float]] = []
    for _ in range(k):
        gains = matrix @ (w * open_)
        if gains.size == 0:
            break
        best = int(np.argmax(gains))
        if gains[best] <= 0:
            break
        row = matrix.getrow(best).indices
        newly = sorted(int(h) for h in row if open_[h])
        open_[newly] = False
        picks.append((best, newly, float(gains[best])))
    return picks


def suggest_sites(
    session: Session,
    actor: Actor,
    ctx: CoverageContext,
    *,
    specialty: str,
    jurisdiction_id: int | None = None,
    k: int = 3,
    candidates: str = "registry",
    mobilization_min: float | None = None,
    away: Iterable[int] = (),
    today: date | None = None,
) -> dict[str, Any]:
    """The best ``k`` sites for a new team of ``specialty``: each covers the most major
    hazard sources still uncovered (after the earlier picks), with its gain.

    ``candidates``: ``"registry"`` (existing bases and depots) or ``"nodes"`` (any road node
    in the area).  The new team mobilizes in ``mobilization_min`` (default: a professional
    team's, from the rules).
    """
    if candidates not in ("registry", "nodes"):
        raise InvalidInput("candidates must be 'registry' or 'nodes'", field="candidates")
    if not 1 <= k <= 50:
        raise InvalidInput("k must be between 1 and 50", field="k")
    base = coverage(
        session,
        actor,
        ctx,
        specialty=specialty,
        jurisdiction_id=jurisdiction_id,
        away=away,
        today=today,
    )
    mobilization = (
        ctx.rules.mobilization_for("professional")
        if mobilization_min is None
        else float(mobilization_min)
    )
    if mobilization < 0:
        raise InvalidInput("mobilization_min must be >= 0", field="mobilization_min")
    area = area_of(session, jurisdiction_id)
    uncovered = base.figures["uncovered_hazard_sources"]
    budget = base.standard_min * 60.0 - mobilization * 60.0
    answer: dict[str, Any] = {
        "specialty": specialty,
        "standard_min": base.standard_min,
        "mobilization_min": mobilization,
        "candidates": candidates,
        "uncovered_before": len(uncovered),
        "picks": [],
        "coverage": base.figures,
    }
    if not uncovered or budget < 0:
        return answer
    targets = [
        Site("hazard_source", h["id"], h["name"], h["lon"], h["lat"], h["grade"]) for h in uncovered
    ]
    target_snaps, reachable, _ = snap_sites(ctx.network, targets, ctx.snap_max_m)
    reach = search.reach_sets(ctx.network, target_snaps, budget, closures=ctx.closures)
    if candidates == "registry":
        options = registry_candidates(session, area)
        snaps, options, _ = snap_sites(ctx.network, options, ctx.snap_max_m)
        columns = [
            np.flatnonzero(
                search.snap_times_to(ctx.network, hit, snaps, closures=ctx.closures) <= budget
            )
            for hit in reach
        ]
    else:
        inside = _nodes_in(ctx.network, area.geometry)
        options = [
            Candidate(
                "node",
                int(n),
                f"road node {int(n)}",
                float(ctx.network.node_lon[n]),
                float(ctx.network.node_lat[n]),
            )
            for n in np.flatnonzero(inside)
        ]
        row_of = np.full(ctx.network.node_count, -1, dtype=np.int64)
        row_of[np.flatnonzero(inside)] = np.arange(len(options))
        columns = [row_of[nodes][row_of[nodes] >= 0] for nodes, _ in reach]
    cover = _cover_matrix(columns, len(options))
    for rank, (row, newly, gain) in enumerate(greedy_cover(cover, k), start=1):
        option = options[row]
        answer["picks"].append(
            {
                "rank": rank,
                "kind": option.kind,
                "id": option.id,
                "name": option.name,
                "lon": option.lon,
                "lat": option.lat,
                "gain": int(gain),
                "covers": [
                    {"id": reachable[h].id, "name": reachable[h].name, "grade": reachable[h].grade}
                    for h in newly
                ],
            }
        )
    return answer


def _cover_matrix(columns: Sequence[NDArray[np.int64]], rows: int) -> sp.csr_matrix:
    counts = [len(c) for c in columns]
    row_idx = np.concatenate(columns) if columns else np.zeros(0, dtype=np.int64)
    col_idx = np.repeat(np.arange(len(columns)), counts)
    data = np.ones(row_idx.size, dtype=np.float64)
    return sp.csr_matrix((data, (row_idx, col_idx)), shape=(rows, len(columns)))


def _nodes_in(network: RoadNetwork, geometry: BaseGeometry | None) -> NDArray[np.bool_]:
    if geometry is None:
        return np.ones(network.node_count, dtype=bool)
    return shapely.contains_xy(geometry, network.node_lon, network.node_lat)
