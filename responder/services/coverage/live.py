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
from responder.services.standards import land_for


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
    standard = ctx.rules.standard_for(specialty)
    land = land_for(session, ctx.rules, standard)

    def figures_for(chosen: Sequence[TeamResource]) -> CoverageResult:
        return compute(
            ctx.network,
            specialty=specialty,
            standard=standard,
            teams=chosen,
            enterprises=enterprises,
            hazards=hazards,
            area=area,
            closures=ctx.closures,
            snap_max_m=ctx.snap_max_m,
            land=land,
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
        "arrival": "what the standard counts (standard.counts): from_order = the standard's"
        " own turnout + drive; drive = drive only; mobilization_drive = the team's"
        " mobilization + drive",
        "land": "a standard with land 'urban' judges only roads and sites on urban land",
        "road_rule": "a road counts by the share of its length reached within the standard",
    }
