"""The simulation: dispatch each planned incident in order against a snapshot (pure)."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any

from responder.errors import InvalidInput, Unprocessable
from responder.rules import Standard
from responder.services import dispatch, matrix
from responder.services.dispatch import Resources, RoutingContext, TeamResource
from responder.services.standards import EVERYWHERE, Land, judge


@dataclass(frozen=True)
class Planned:
    """One simulated incident with what it needs, read from the database up front."""

    incident: dict[str, Any]
    county_id: int | None
    team_needs: list[matrix.TeamNeed]
    material_needs: list[matrix.MaterialNeed]


def simulate(
    ctx: RoutingContext,
    plan: Sequence[Planned],
    resources: Resources,
    *,
    on_scene_s: Callable[[str], float],
    standards: Callable[[str], tuple[Standard, Land]] | None = None,
) -> list[dict[str, Any]]:
    """Dispatch each planned incident in order against ``resources`` (pure: no database).

    Times are seconds after the drill start.  A team is free again at dispatch + arrival +
    on scene + travel back; stock lines shrink as incidents take from them.  Each arrival
    is judged by its specialty's standard on that standard's land (``standards``; default:
    the rules' standard, judged everywhere): ``met`` is ``None`` where it is not judged.
    """

    def standard_and_land(specialty: str) -> tuple[Standard, Land]:
        if standards is not None:
            return standards(specialty)
        return ctx.rules.standard_for(specialty), EVERYWHERE

    free_at: dict[int, float] = {}
    left = {s.line_id: s.quantity for s in resources.stock}
    by_id = {t.id: t for t in resources.teams}
    timeline = []
    for index, item in enumerate(plan, start=1):
        incident = item.incident
        t0 = incident["offset_min"] * 60.0
        entry: dict[str, Any] = {
            "index": index,
            "incident": incident,
            "dispatched_s": t0,
            "teams": [],
            "materials": [],
            "unmet": [],
            "busy": [],
            "excluded": [],
        }
        timeline.append(entry)
        try:
            target = dispatch.snap_point(
                ctx.network, incident["lon"], incident["lat"], max_m=ctx.snap_max_m
            )
        except (InvalidInput, Unprocessable) as error:
            entry["unmet"].append({"kind": "location", "message": error.message})
            continue
        needed = {n.specialty for n in item.team_needs}
        free = [t for t in resources.teams if free_at.get(t.id, 0.0) <= t0]
        entry["busy"] = [
            {
                "team_id": t.id,
                "name": t.name,
                "specialties": list(t.specialties),
                "free_at_s": free_at[t.id],
            }
            for t in resources.teams
            if free_at.get(t.id, 0.0) > t0 and needed.intersection(t.specialties)
        ]
        stock = [
            replace(s, quantity=left[s.line_id]) for s in resources.stock if left[s.line_id] > 1e-9
        ]
        result = dispatch.compute_proposal(
            ctx.network,
            target,
            incident_county_id=item.county_id,
            team_needs=item.team_needs,
            material_needs=item.material_needs,
            resources=Resources(teams=free, stock=stock),
            closures=ctx.closures,
            snap_max_m=ctx.snap_max_m,
            alternatives=0,
            with_routes=True,
        )
        for specialty, options in result.teams.items():
            for option in options:
                if not option.recommended:
                    continue
                team = by_id[option.team_id]
                back = _travel_back(ctx, target, team)
                standard, land = standard_and_land(specialty)
                verdict = judge(
                    standard,
                    option.mobilization_s,
                    option.travel_s,
                    judged=land.judges(incident["lon"], incident["lat"]),
                )
                arrival = t0 + option.arrival_s
                released = arrival + on_scene_s(specialty) + back
                free_at[team.id] = released
                entry["teams"].append(
                    {
                        "team_id": team.id,
                        "name": team.name,
                        "specialty": specialty,
                        "kind": team.kind,
                        "cross_jurisdiction": option.cross_jurisdiction,
                        "dispatched_s": t0,
                        "mobilization_s": option.mobilization_s,
                        "travel_s": option.travel_s,
                        "response_s": option.arrival_s,
                        "arrival_s": arrival,
                        "standard_min": standard.limit_min,
                        "counted_s": verdict.counted_s,
                        "met": verdict.met,
                        "on_scene_s": on_scene_s(specialty),
                        "return_s": back,
                        "free_at_s": released if math.isfinite(released) else None,
                        "road_m": option.road_m,
                        "route": option.route,
                        "lon": team.lon,
                        "lat": team.lat,
                    }
                )
        for fill in result.materials:
            sources = []
            for source in fill.sources:
                left[source["inventory_line_id"]] -= source["quantity"]
                sources.append(
                    {
                        **source,
                        "arrival_s": t0 + source["arrival_s"],
                        "travel_s": source["arrival_s"],
                    }
                )
            entry["materials"].append(
                {
                    "material": fill.code,
                    "name": fill.name,
                    "unit": fill.unit,
                    "needed": fill.needed,
                    "shortfall": fill.shortfall,
                    "sources": sources,
                }
            )
        entry["unmet"].extend(result.unmet)
        entry["excluded"] = result.excluded
        entry["needs"] = result.needs
        entry["snapped_to"] = [round(target.lon, 6), round(target.lat, 6)]
    return timeline


def _travel_back(ctx: RoutingContext, target: Any, team: TeamResource) -> float:
    """Road time from the incident back to the team's own location (inf if none)."""
    home = dispatch.snap_point(ctx.network, team.lon, team.lat, max_m=ctx.snap_max_m)
    return float(ctx.network.times_from(target, [home], closures=ctx.closures)[0])
