"""Coverage figures of one specialty for given teams and sites (pure: no database)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import numpy as np
import shapely
from numpy.typing import NDArray
from shapely.geometry.base import BaseGeometry

from responder.models import (
    Jurisdiction,
)
from responder.routing import Closures, RoadNetwork
from responder.routing import coverage as search
from responder.rules import Standard
from responder.services.dispatch.placing import snap_all
from responder.services.dispatch.resources import TeamResource
from responder.services.standards import EPSILON_S, EVERYWHERE, Land

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

    def as_row(self) -> dict[str, Any]:
        """The site as figures and maps list it."""
        return {
            "id": self.id,
            "name": self.name,
            "grade": self.grade,
            "enterprise": self.enterprise,
            "lon": self.lon,
            "lat": self.lat,
        }


@dataclass
class Area:
    """The jurisdiction asked about (``None`` node: the whole network)."""

    node: Jurisdiction | None
    geometry: BaseGeometry | None
    children: list[tuple[Jurisdiction, BaseGeometry]] = field(default_factory=list)


@dataclass
class CoverageResult:
    """Figures for one specialty, plus the arrays maps are drawn from.  ``site_times``
    are the times the standard counts; ``judged`` the sites on the standard's land."""

    specialty: str
    standard_min: float
    teams: list[TeamResource]
    node_times: NDArray[np.float64]
    road_share: NDArray[np.float64]
    road_mask: NDArray[np.bool_]
    site_times: dict[tuple[str, int], float]
    figures: dict[str, Any]
    hazards: list[Site] = field(default_factory=list)
    judged: frozenset[tuple[str, int]] = frozenset()


@lru_cache(maxsize=64)
def road_mask(network: RoadNetwork, geometry: BaseGeometry | None) -> NDArray[np.bool_]:
    """Roads whose middle vertex lies in ``geometry`` (every road when None)."""
    if geometry is None:
        return np.ones(network.road_count, dtype=bool)
    mid = search.road_midpoints(network)
    inside: NDArray[np.bool_] = shapely.contains_xy(geometry, mid[:, 0], mid[:, 1])
    return inside


def compute(
    network: RoadNetwork,
    *,
    specialty: str,
    standard: Standard,
    teams: Sequence[TeamResource],
    enterprises: Sequence[Site],
    hazards: Sequence[Site],
    area: Area,
    closures: Closures | None,
    snap_max_m: float,
    land: Land = EVERYWHERE,
) -> CoverageResult:
    """Coverage figures of one specialty in one area for the given teams (no database).

    Times are what ``standard`` counts (each team starts with the standard's offset: its
    own turnout, nothing, or the team's mobilization); roads and sites are judged only on
    ``land``; sites elsewhere are counted under ``not_judged``."""
    standard_s = standard.limit_min * 60.0 + EPSILON_S
    team_snaps, kept, _ = snap_all(network, teams, snap_max_m)
    offsets = [standard.offset_min(t.mobilization_min) * 60.0 for t in kept]
    times, _nearest = search.arrival_times(
        network, team_snaps, offsets, cutoff_s=standard_s * REPORT_FACTOR, closures=closures
    )
    share = search.road_shares(network, times, standard_s, closures=closures)
    on_land = _land_mask(network, land)
    mask = road_mask(network, area.geometry) & on_land
    lengths = network.road_length_m
    every_site = [*enterprises, *hazards]
    judged = frozenset((s.kind, s.id) for s in every_site if land.judges(s.lon, s.lat))
    firms = [s for s in enterprises if (s.kind, s.id) in judged]
    sources = [s for s in hazards if (s.kind, s.id) in judged]
    site_times: dict[tuple[str, int], float] = {}
    for group in (enterprises, hazards):
        snaps, ok, refused = snap_all(network, group, snap_max_m)
        arrive = search.point_times(network, times, snaps, closures=closures)
        for site, seconds in zip(ok, arrive, strict=True):
            site_times[(site.kind, site.id)] = float(seconds)
        for site, _why in refused:
            site_times[(site.kind, site.id)] = float("inf")
    figures = {
        "specialty": specialty,
        "standard_min": standard.limit_min,
        "standard": standard_figures(standard, land),
        "teams": len(kept),
        "roads": _road_figures(share, lengths, mask),
        "enterprises": site_figures(firms, site_times, standard_s),
        "hazard_sources": site_figures(sources, site_times, standard_s),
        "not_judged": {
            "enterprises": len(enterprises) - len(firms),
            "hazard_sources": len(hazards) - len(sources),
        },
        "uncovered_hazard_sources": _uncovered(sources, site_times, standard_s, kept),
        "by_area": [
            {
                "jurisdiction_id": child.id,
                "name": child.name,
                "roads": _road_figures(share, lengths, road_mask(network, geometry) & on_land),
            }
            for child, geometry in area.children
        ],
    }
    return CoverageResult(
        specialty,
        standard.limit_min,
        list(kept),
        times,
        share,
        mask,
        site_times,
        figures,
        list(hazards),
        judged,
    )


def standard_figures(standard: Standard, land: Land) -> dict[str, Any]:
    """What a standard counts and where it is judged, as figures report it."""
    return {
        "limit_min": standard.limit_min,
        "counts": standard.counts,
        "turnout_min": standard.turnout_min,
        "land": land.kind,
        "land_known": land.everywhere or land.geometry is not None,
    }


def _land_mask(network: RoadNetwork, land: Land) -> NDArray[np.bool_]:
    """Roads on the standard's land (none when that land is not known)."""
    if land.everywhere:
        return np.ones(network.road_count, dtype=bool)
    if land.geometry is None:
        return np.zeros(network.road_count, dtype=bool)
    return road_mask(network, land.geometry)


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


def site_figures(
    sites: Sequence[Site], times: dict[tuple[str, int], float], standard_s: float
) -> dict[str, Any]:
    """How many of ``sites`` (judged ones) help reaches within ``standard_s`` seconds."""
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
            {**site.as_row(), "arrival_s": round(seconds, 1) if np.isfinite(seconds) else None}
        )
    return sorted(rows, key=lambda r: (r["grade"] or 9, r["id"]))
