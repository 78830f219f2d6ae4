"""The simulation: replay a drill's incidents and injects in time order against a snapshot
(pure: no database).

Times are seconds after the drill start.  Events are replayed in time order; at the same
moment road closures and teams going unavailable come first, then incidents, then severity
raises (so "from +10 min" includes +10 min itself).  The rules, kept simple on purpose:

- **dispatch**: each incident is dispatched at its own time with
  :func:`responder.services.dispatch.compute_proposal` against the teams free then and the
  stock left then.  A team sent is busy until dispatch + arrival + on scene + the road back
  to its base; stock taken is gone for later incidents.
- **road closure at +T**: every route chosen at or after +T (a team setting off at or after
  +T, including reinforcements) avoids the closed roads; the trip back is timed with the
  roads as they were when the team set off.  A team already on the road at +T keeps the
  route it set off on (it is treated as past the closure).  A team whose route is longer
  because of drill closures carries ``detour_s`` (its time minus the time without them).
- **team unavailable at +T**: the team is not dispatched at or after +T; a job it was given
  before +T stands, but it does not come back into the drill.
- **severity raised at +T**: at +T the incident needs what the matrix asks for at the new
  severity; the teams and stock it lacks (new need minus what it already got) are sent at
  +T as reinforcements (``reinforcement: True`` on the team, added to the incident's entry),
  never a team the incident already had.
- a **second incident** is an ordinary planned incident at its own time (``inject_id`` in
  its incident dict says which inject it came from).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from responder.errors import InvalidInput, Unprocessable
from responder.routing import Closures, Snap
from responder.rules import Standard
from responder.services import dispatch, matrix
from responder.services.dispatch import Resources, RoutingContext, TeamResource
from responder.services.standards import EVERYWHERE, Land, judge

#: Replay order of events at the same moment (lower first).
_ORDER = {"road_closure": 0, "team_unavailable": 0, "incident": 1, "severity_raised": 2}


@dataclass(frozen=True)
class Planned:
    """One simulated incident with what it needs, read from the database up front."""

    incident: dict[str, Any]
    county_id: int | None
    team_needs: list[matrix.TeamNeed]
    material_needs: list[matrix.MaterialNeed]


@dataclass(frozen=True)
class Inject:
    """A timed inject as the simulation replays it, resolved up front.

    ``kind`` is ``road_closure`` (``closed_edges``), ``team_unavailable`` (``team_id``) or
    ``severity_raised`` (``incident_id``, the scenario id, with ``severity`` and the
    needs at that severity).  Second incidents are :class:`Planned` items instead.
    """

    id: int
    kind: str
    at_s: float
    closed_edges: tuple[int, ...] = ()
    team_id: int | None = None
    incident_id: int | None = None
    severity: str | None = None
    team_needs: list[matrix.TeamNeed] = field(default_factory=list)
    material_needs: list[matrix.MaterialNeed] = field(default_factory=list)


@dataclass
class _State:
    """What the replay carries from one event to the next."""

    free_at: dict[int, float] = field(default_factory=dict)
    out_from: dict[int, float] = field(default_factory=dict)
    left: dict[int, float] = field(default_factory=dict)
    closed: dict[int, int] = field(default_factory=dict)  # edge -> inject id
    entries: dict[int, dict[str, Any]] = field(default_factory=dict)  # scenario id -> entry
    targets: dict[int, tuple[Snap, int | None]] = field(default_factory=dict)  # index ->


def simulate(
    ctx: RoutingContext,
    plan: Sequence[Planned],
    resources: Resources,
    *,
    on_scene_s: Callable[[str], float],
    standards: Callable[[str], tuple[Standard, Land]] | None = None,
    injects: Sequence[Inject] = (),
    effects: dict[int, dict[str, Any]] | None = None,
) -> list[dict[str, Any]]:
    """Replay ``plan`` and ``injects`` in time order against ``resources`` (see the module
    docstring for the rules); returns one timeline entry per planned incident.

    Each arrival is judged by its specialty's standard on that standard's land
    (``standards``; default: the rules' standard, judged everywhere): ``met`` is ``None``
    where it is not judged.  ``effects``, when given, is filled with what each inject did
    (by inject id), for the report.
    """

    def standard_and_land(specialty: str) -> tuple[Standard, Land]:
        if standards is not None:
            return standards(specialty)
        return ctx.rules.standard_for(specialty), EVERYWHERE

    state = _State(left={s.line_id: s.quantity for s in resources.stock})
    by_id = {t.id: t for t in resources.teams}
    out = effects if effects is not None else {}
    events: list[tuple[float, int, int, Any]] = [
        (item.incident["offset_min"] * 60.0, _ORDER["incident"], n, item)
        for n, item in enumerate(plan)
    ]
    events += [(i.at_s, _ORDER[i.kind], n, i) for n, i in enumerate(injects)]
    events.sort(key=lambda e: (e[0], e[1], e[2]))
    timeline: list[dict[str, Any]] = []

    def run_dispatch(
        entry: dict[str, Any],
        target: Snap,
        county_id: int | None,
        team_needs: list[matrix.TeamNeed],
        material_needs: list[matrix.MaterialNeed],
        t0: float,
        *,
        reinforcement: bool,
    ) -> list[dict[str, Any]]:
        already = {t["team_id"] for t in entry["teams"]}  # counted in what it got
        free = [
            t
            for t in resources.teams
            if state.free_at.get(t.id, 0.0) <= t0
            and state.out_from.get(t.id, math.inf) > t0
            and t.id not in already
        ]
        stock = [
            replace(s, quantity=state.left[s.line_id])
            for s in resources.stock
            if state.left[s.line_id] > 1e-9
        ]
        closures = _closures_at(ctx, state)
        result = dispatch.compute_proposal(
            ctx.network,
            target,
            incident_county_id=county_id,
            team_needs=team_needs,
            material_needs=material_needs,
            resources=Resources(teams=free, stock=stock),
            closures=closures,
            snap_max_m=ctx.snap_max_m,
            alternatives=0,
            with_routes=True,
        )
        sent = []
        for specialty, options in result.teams.items():
            for option in options:
                if not option.recommended:
                    continue
                team = by_id[option.team_id]
                back = _travel_back(ctx, target, team, closures)
                standard, land = standard_and_land(specialty)
                verdict = judge(
                    standard,
                    option.mobilization_s,
                    option.travel_s,
                    judged=land.judges(entry["incident"]["lon"], entry["incident"]["lat"]),
                )
                arrival = t0 + option.arrival_s
                released = arrival + on_scene_s(specialty) + back
                state.free_at[team.id] = released
                record = {
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
                    "reinforcement": reinforcement,
                    **_detour(ctx, state, target, team, option.travel_s),
                }
                entry["teams"].append(record)
                sent.append(record)
        for fill in result.materials:
            sources = []
            for source in fill.sources:
                state.left[source["inventory_line_id"]] -= source["quantity"]
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
                    "reinforcement": reinforcement,
                }
            )
        entry["unmet"].extend(
            {**u, "at_s": t0, "reinforcement": True} if reinforcement else u for u in result.unmet
        )
        entry["excluded"] = entry["excluded"] + list(result.excluded)
        if not reinforcement:
            entry["needs"] = result.needs
        return sent

    for at_s, _rank, _n, event in events:
        if isinstance(event, Planned):
            entry = _new_entry(len(timeline) + 1, event)
            timeline.append(entry)
            if event.incident.get("id") is not None:
                state.entries[event.incident["id"]] = entry
            try:
                target = dispatch.snap_point(
                    ctx.network, event.incident["lon"], event.incident["lat"], max_m=ctx.snap_max_m
                )
            except (InvalidInput, Unprocessable) as error:
                entry["unmet"].append({"kind": "location", "message": error.message})
                continue
            state.targets[entry["index"]] = (target, event.county_id)
            needed = {n.specialty for n in event.team_needs}
            entry["busy"] = [
                {
                    "team_id": t.id,
                    "name": t.name,
                    "specialties": list(t.specialties),
                    "free_at_s": math.inf if out else state.free_at[t.id],
                    "unavailable": out,
                }
                for t in resources.teams
                if needed.intersection(t.specialties)
                for out in [state.out_from.get(t.id, math.inf) <= at_s]
                if out or state.free_at.get(t.id, 0.0) > at_s
            ]
            run_dispatch(
                entry,
                target,
                event.county_id,
                event.team_needs,
                event.material_needs,
                at_s,
                reinforcement=False,
            )
            entry["snapped_to"] = [round(target.lon, 6), round(target.lat, 6)]
        elif event.kind == "road_closure":
            for edge in event.closed_edges:
                state.closed.setdefault(edge, event.id)
            out[event.id] = {"edges_closed": len(event.closed_edges), "detoured": []}
        elif event.kind == "team_unavailable":
            assert event.team_id is not None
            state.out_from[event.team_id] = min(state.out_from.get(event.team_id, at_s), at_s)
            team = by_id.get(event.team_id)
            busy_until = state.free_at.get(event.team_id, 0.0)
            out[event.id] = {
                "in_drill": team is not None,
                "was_busy": team is not None and busy_until > at_s,
            }
        else:  # severity_raised
            out[event.id] = _raise(event, at_s, state, run_dispatch)
    for entry in timeline:
        for team in entry["teams"]:
            for inject_id in team.get("detour_injects", []):
                out.setdefault(inject_id, {"detoured": []})["detoured"].append(
                    {"index": entry["index"], "team_id": team["team_id"], "name": team["name"]}
                )
    return timeline


def _new_entry(index: int, item: Planned) -> dict[str, Any]:
    return {
        "index": index,
        "incident": item.incident,
        "dispatched_s": item.incident["offset_min"] * 60.0,
        "teams": [],
        "materials": [],
        "unmet": [],
        "busy": [],
        "excluded": [],
    }


def _raise(
    event: Inject,
    at_s: float,
    state: _State,
    run_dispatch: Callable[..., list[dict[str, Any]]],
) -> dict[str, Any]:
    """Send what the incident lacks at its raised severity (new need minus what it got)."""
    entry = state.entries.get(event.incident_id or -1)
    if entry is None or entry["index"] not in state.targets:
        return {"applied": False, "teams_sent": 0}
    t0 = max(at_s, entry["dispatched_s"])
    got: dict[str, int] = {}
    for team in entry["teams"]:
        got[team["specialty"]] = got.get(team["specialty"], 0) + 1
    delivered: dict[str, float] = {}
    for fill in entry["materials"]:
        delivered[fill["material"]] = delivered.get(fill["material"], 0.0) + sum(
            s["quantity"] for s in fill["sources"]
        )
    team_needs = [
        matrix.TeamNeed(n.specialty, n.count - got.get(n.specialty, 0))
        for n in event.team_needs
        if n.count > got.get(n.specialty, 0)
    ]
    material_needs = [
        replace(m, quantity=m.quantity - delivered.get(m.code, 0.0))
        for m in event.material_needs
        if m.quantity - delivered.get(m.code, 0.0) > 1e-9
    ]
    entry["raised"] = {"inject_id": event.id, "severity": event.severity, "at_s": t0}
    target, county_id = state.targets[entry["index"]]
    sent = run_dispatch(
        entry,
        target,
        county_id,
        team_needs,
        material_needs,
        t0,
        reinforcement=True,
    )
    return {"applied": True, "index": entry["index"], "teams_sent": len(sent)}


def _closures_at(ctx: RoutingContext, state: _State) -> Closures | None:
    """Live closures in force at the run plus the drill's closures in force now."""
    drill = Closures.closed(state.closed) if state.closed else None
    if drill is None:
        return ctx.closures
    return drill if ctx.closures is None else ctx.closures | drill


def _detour(
    ctx: RoutingContext, state: _State, target: Snap, team: TeamResource, travel_s: float
) -> dict[str, Any]:
    """How much longer the team's road is because of the drill's closures, and which
    closure injects lengthen it on their own (empty when the closures cost it nothing)."""
    if not state.closed or not math.isfinite(travel_s):
        return {}
    home = dispatch.snap_point(ctx.network, team.lon, team.lat, max_m=ctx.snap_max_m)

    def time_with(edges: list[int]) -> float:
        extra = Closures.closed(edges) if edges else None
        closures = (
            ctx.closures
            if extra is None
            else (extra if ctx.closures is None else ctx.closures | extra)
        )
        return float(ctx.network.times_to(target, [home], closures=closures)[0])

    open_s = time_with([])
    if travel_s - open_s <= 0.5:
        return {}
    by_inject: dict[int, list[int]] = {}
    for edge, inject_id in state.closed.items():
        by_inject.setdefault(inject_id, []).append(edge)
    causes = [i for i, edges in sorted(by_inject.items()) if time_with(edges) - open_s > 0.5]
    return {
        "detour_s": travel_s - open_s,
        "open_travel_s": open_s,
        "detour_injects": causes or sorted(by_inject),
    }


def _travel_back(
    ctx: RoutingContext, target: Snap, team: TeamResource, closures: Closures | None
) -> float:
    """Road time from the incident back to the team's own location (inf if none)."""
    home = dispatch.snap_point(ctx.network, team.lon, team.lat, max_m=ctx.snap_max_m)
    return float(ctx.network.times_from(target, [home], closures=closures)[0])
