"""Proposals computed from live availability and stored for an incident."""

from __future__ import annotations

from dataclasses import asdict, fields
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from responder.errors import Conflict
from responder.models import (
    Incident,
    Proposal,
    utcnow,
)
from responder.models.base import begin_write
from responder.services import experts, jurisdictions, matrix
from responder.services.actors import Actor
from responder.services.dispatch import commitments
from responder.services.dispatch.context import RoutingContext
from responder.services.dispatch.incidents import hazard_sources_near, require_dispatch
from responder.services.dispatch.placing import snap_point
from responder.services.dispatch.proposal import compute_proposal
from responder.services.dispatch.resources import live_resources


def propose(
    session: Session,
    actor: Actor,
    ctx: RoutingContext,
    incident: Incident,
    *,
    alternatives: int = 2,
    today: date,
    reinforce: bool = False,
) -> Proposal:
    """Compute a proposal from live availability now, store it and return it.

    ``reinforce`` asks only for what is still outstanding at the incident's current grade
    (needs minus the teams and stock already committed, see :mod:`.commitments`).
    """
    require_dispatch(actor, incident)
    if incident.status != "open":
        raise Conflict(f"incident {incident.id} is closed", field="incident")
    team_needs, material_needs = matrix.needs(session, incident.type, incident.severity)
    open_needs = commitments.outstanding(incident, team_needs, material_needs)
    if reinforce:
        team_needs, material_needs = open_needs.teams, open_needs.materials
    resources = live_resources(
        session,
        ctx.rules,
        today=today,
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
        "severity": incident.severity,
        "reinforcement": reinforce,
        "committed": {
            "teams": open_needs.committed_team_ids,
            "by_specialty": open_needs.committed_teams,
            "stock": {str(k): v for k, v in open_needs.committed_stock.items()},
        },
        "teams": {k: [_plain(o) for o in v] for k, v in result.teams.items()},
        "needs": result.needs,
        "materials": [_plain(f) for f in result.materials],
        "unmet": result.unmet,
        "excluded": result.excluded,
        "hazard_sources": hazard_sources_near(
            session, incident.lon, incident.lat, ctx.hazard_radius_m
        ),
        "plans": ctx.related_plans(session, incident) if ctx.related_plans else [],
        "experts": [
            asdict(expert)
            for expert in experts.on_call_experts(
                session,
                specialties=[n.specialty for n in team_needs],
                on=today,
                jurisdiction_path=incident.jurisdiction.path if incident.jurisdiction else None,
            )
        ],
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
    begin_write(session)  # the lock only for storing it, not for the search above
    proposal = Proposal(incident_id=incident.id, created_by=actor.user_id, body=body)
    session.add(proposal)
    session.flush()
    return proposal


def _plain(item: Any) -> dict[str, Any]:
    """A dataclass as a dict, shallow (``asdict`` deep-copies every route point)."""
    return {f.name: getattr(item, f.name) for f in fields(item)}


def latest_proposal(session: Session, incident_id: int) -> Proposal | None:
    """The proposal most recently stored for the incident, if any."""
    return session.scalar(
        select(Proposal)
        .where(Proposal.incident_id == incident_id)
        .order_by(Proposal.id.desc())
        .limit(1)
    )
