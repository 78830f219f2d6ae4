"""Coverage by the live registry, and the what-if with some teams away."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy.orm import Session

from responder.services.actors import Actor
from responder.services.coverage.areas import area_of, check_away, check_specialty, sites_in
from responder.services.coverage.figures import CoverageResult, compute
from responder.services.dispatch.context import RoutingContext
from responder.services.dispatch.resources import TeamResource, team_resources


def coverage(
    session: Session,
    actor: Actor,
    ctx: RoutingContext,
    *,
    specialty: str,
    jurisdiction_id: int | None = None,
    away: Iterable[int] = (),
) -> CoverageResult:
    """Coverage of one specialty in a jurisdiction by the available teams (minus ``away``).

    With ``away`` the figures also say which hazard sources become uncovered compared to
    all available teams (the what-if).
    """
    actor.require("coverage.read")
    check_specialty(specialty)
    away_ids = check_away(session, away)
    area = area_of(session, jurisdiction_id)
    teams = team_resources(session, ctx.rules, specialties=[specialty])
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


def _basis(ctx: RoutingContext) -> dict[str, Any]:
    return {
        "network_version": ctx.network.version,
        "closures_in_force": list(ctx.closure_ids),
        "arrival": "mobilization time + road travel time from the team to the place",
        "road_rule": "a road counts by the share of its length reached within the standard",
    }
