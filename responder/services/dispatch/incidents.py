"""Live incidents: recording one, reading one, and the hazard sources near it."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from responder.errors import InvalidInput, NotFound
from responder.models import (
    Enterprise,
    HazardSource,
    Incident,
    utcnow,
)
from responder.routing import (
    RoadNetwork,
)
from responder.services import audit, jurisdictions
from responder.services.actors import Actor
from responder.services.dispatch import severity
from responder.services.dispatch.placing import snap_point
from responder.services.geodesy import degree_box, haversine_m
from responder.vocabulary import INCIDENT_TYPES


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
    far from every road is refused (dispatch could not route to it).  Its grade is derived
    from the figures (deaths, serious injuries, direct loss; missing = 0); a ``severity``
    above that needs a ``severity_reason``, one below it is refused."""
    if data["type"] not in INCIDENT_TYPES:
        raise InvalidInput(f"unknown incident type '{data['type']}'", field="type")
    figures = severity.Figures(
        deaths=data.get("deaths", 0),
        serious_injuries=data.get("serious_injuries", 0),
        direct_loss_yuan=data.get("direct_loss_yuan", 0.0),
    )
    grade, derived, reason = severity.grade_for(
        figures, data.get("severity"), data.get("severity_reason", "")
    )
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
        severity=grade,
        derived_severity=derived,
        severity_reason=reason,
        deaths=figures.deaths,
        serious_injuries=figures.serious_injuries,
        direct_loss_yuan=float(figures.direct_loss_yuan),
        figures_estimated=data.get("figures_estimated", True),
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
