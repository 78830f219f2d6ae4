"""Dispatch pages: the operator console, incident pages and the incident map export."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, current_app, render_template, request
from flask_login import login_required

from responder.http.context import loaded_road_network, snap_max_m
from responder.http.pages import display
from responder.http.pages.maps import embed, new_map, standalone_html
from responder.mapping import incident as incident_map
from responder.models import Incident, db
from responder.services import dispatch
from responder.vocabulary import INCIDENT_TYPES, SEVERITIES, SPECIALTIES, TEAM_STATUSES, label

bp = Blueprint("dispatch_pages", __name__)

ISOCHRONE_MINUTES = (5.0, 15.0, 30.0)


@bp.get("/console")
@login_required
def console() -> Any:
    """Map first: place an incident by clicking, see the ranked proposal, confirm, follow."""
    network = loaded_road_network()
    fmap = new_map(network.bounds if network is not None else None)
    open_incidents = dispatch.live_incidents(db.session, status="open", limit=50)
    return render_template(
        "dispatch/console.html",
        map_html=embed(fmap, height="72vh", title="console map"),
        incident_types=INCIDENT_TYPES,
        severities=SEVERITIES,
        specialties=SPECIALTIES,
        open_incidents=open_incidents,
        roads_loaded=network is not None,
        specialty_labels={code: display.label(code, SPECIALTIES) for code in SPECIALTIES},
        status_labels={code: display.label(code, TEAM_STATUSES) for code in TEAM_STATUSES},
    )


@bp.get("/incidents")
@login_required
def incidents() -> Any:
    items = dispatch.live_incidents(db.session, limit=200)
    return render_template(
        "dispatch/incidents.html",
        incidents=items,
        incident_types=INCIDENT_TYPES,
        severities=SEVERITIES,
    )


@bp.get("/incidents/<int:incident_id>")
@login_required
def incident_page(incident_id: int) -> Any:
    incident = dispatch.get_live_incident(db.session, incident_id)
    proposal = _latest_proposal(incident_id)
    return render_template(
        "dispatch/incident.html",
        incident=incident,
        proposal=proposal,
        map_html=embed(_incident_map(incident, proposal), height="60vh", title="incident map"),
        incident_types=INCIDENT_TYPES,
        severities=SEVERITIES,
        specialties=SPECIALTIES,
    )


@bp.get("/incidents/<int:incident_id>/map.html")
@login_required
def incident_map_html(incident_id: int) -> Response:
    """The incident map as one standalone HTML file (scripts and styles inlined, so it opens
    offline; add ``?download=1`` to save it)."""
    incident = dispatch.get_live_incident(db.session, incident_id)
    fmap = _incident_map(incident, _latest_proposal(incident_id))
    document = standalone_html(fmap)
    response = Response(document, mimetype="text/html")
    if request.args.get("download"):
        response.headers["Content-Disposition"] = (
            f'attachment; filename="incident-{incident_id}-map.html"'
        )
    return response


def _latest_proposal(incident_id: int) -> dict[str, Any] | None:
    proposal = dispatch.latest_proposal(db.session, incident_id)
    return {**proposal.body, "proposal_id": proposal.id} if proposal else None


def _incident_map(incident: Incident, proposal: dict[str, Any] | None) -> Any:
    network = loaded_road_network()
    span = 0.03
    fmap = new_map(
        (incident.lon - span, incident.lat - span, incident.lon + span, incident.lat + span),
        road_margin_deg=0.0,  # the frame already leaves room around the incident
    )
    if network is not None:
        try:
            rings = dispatch.reach_rings(
                network, incident.lon, incident.lat, ISOCHRONE_MINUTES, snap_max_m=snap_max_m()
            )
            incident_map.add_isochrones(fmap, rings)
        except ValueError:  # rings are context: the map must render without them
            current_app.logger.exception("isochrones failed for incident %s", incident.id)
    title = (
        f"#{incident.id} {label(INCIDENT_TYPES, incident.type)} "
        f"({label(SEVERITIES, incident.severity)})"
    )
    dispatched = [
        {
            "lon": a.team.lon,
            "lat": a.team.lat,
            "name": a.team.name,
            "specialty": a.specialty,
            "status": a.status,
        }
        for a in incident.assignments
        if a.status != "released"
    ]
    incident_map.add_incident(
        fmap,
        {
            "lon": incident.lon,
            "lat": incident.lat,
            "title": title,
            "rows": (("上报 reported", incident.reported_at.strftime("%Y-%m-%d %H:%M")),),
        },
        proposal if incident.status == "open" else None,
        dispatched=dispatched,
    )
    return fmap
