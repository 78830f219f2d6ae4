"""Live incidents: recording one, reading one, and the hazard sources near it."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from shapely.geometry.base import BaseGeometry
from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from responder.errors import InvalidInput, NotFound
from responder.models import (
    Enterprise,
    HazardSource,
    Incident,
    Jurisdiction,
    utcnow,
)
from responder.routing import (
    RoadNetwork,
)
from responder.routing.hulls import reachable_hulls
from responder.services import audit, jurisdictions
from responder.services.actors import Actor
from responder.services.dispatch import severity
from responder.services.dispatch.placing import snap_point
from responder.services.geodesy import degree_box, haversine_m
from responder.vocabulary import INCIDENT_TYPES, SEVERITIES


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
    permission = "drills.write" if drill_id is not None else "dispatch.write"
    where = check_incident(
        session, actor, network, data, permission=permission, snap_max_m=snap_max_m
    )
    figures = severity.Figures(
        deaths=data.get("deaths", 0),
        serious_injuries=data.get("serious_injuries", 0),
        direct_loss_yuan=data.get("direct_loss_yuan", 0.0),
    )
    grade, derived, reason = severity.grade_for(
        figures, data.get("severity"), data.get("severity_reason", "")
    )
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


def check_incident(
    session: Session,
    actor: Actor,
    network: RoadNetwork | None,
    data: dict[str, Any],
    *,
    permission: str,
    snap_max_m: float,
    prefix: str = "",
) -> Jurisdiction | None:
    """Check what live and simulated incidents share: a known type (and severity, if given), a
    WGS-84 point the actor may act at (``permission`` in the point's jurisdiction) and,
    with a road network, within reach of a road.  Returns the point's jurisdiction.

    ``prefix`` names the fields of an incident inside a list (``incidents.3``).
    """

    def name(field: str) -> str:
        return f"{prefix}.{field}" if prefix else field

    if data.get("type") not in INCIDENT_TYPES:
        raise InvalidInput(f"unknown incident type '{data.get('type')}'", field=name("type"))
    if data.get("severity") is not None and data["severity"] not in SEVERITIES:
        raise InvalidInput(f"unknown severity '{data.get('severity')}'", field=name("severity"))
    lon, lat = data.get("lon"), data.get("lat")
    if not isinstance(lon, int | float) or not -180 <= lon <= 180:
        raise InvalidInput("lon must be within [-180, 180]", field=name("lon"))
    if not isinstance(lat, int | float) or not -90 <= lat <= 90:
        raise InvalidInput("lat must be within [-90, 90]", field=name("lat"))
    where = jurisdictions.locate(session, lon, lat)
    actor.require(permission, path=where.path if where else None, what="the incident location")
    if network is not None:
        snap_point(network, lon, lat, max_m=snap_max_m, field=name("lon"))
    return where


def require_dispatch(actor: Actor, incident: Incident) -> None:
    """Refuse unless ``actor`` may dispatch for an incident in its jurisdiction."""
    actor.require(
        "dispatch.write",
        path=incident.jurisdiction.path if incident.jurisdiction else None,
        what="the incident",
    )


def get_live_incident(session: Session, incident_id: int) -> Incident:
    """A live incident (drill incidents are not found here)."""
    incident = session.get(Incident, incident_id)
    if incident is None or incident.drill_id is not None:
        raise NotFound(f"incident {incident_id} not found")
    return incident


def live_incidents(
    session: Session,
    *,
    status: str | None = None,
    type: str | None = None,
    jurisdiction_id: int | None = None,
    limit: int | None = None,
    offset: int = 0,
) -> list[Incident]:
    """Live incidents (never drill ones), newest first, optionally by status, type and
    jurisdiction subtree."""
    query = _live(session, status, type, jurisdiction_id).order_by(Incident.id.desc())
    return list(session.scalars(query.offset(offset).limit(limit)))


def count_live_incidents(
    session: Session,
    *,
    status: str | None = None,
    type: str | None = None,
    jurisdiction_id: int | None = None,
) -> int:
    """How many live incidents :func:`live_incidents` would list without a limit."""
    query = _live(session, status, type, jurisdiction_id)
    return session.scalar(select(func.count()).select_from(query.subquery())) or 0


def _live(
    session: Session, status: str | None, type: str | None, jurisdiction_id: int | None
) -> Select[Incident]:
    query = select(Incident).where(Incident.drill_id.is_(None))
    if status is not None:
        query = query.where(Incident.status == status)
    if type is not None:
        query = query.where(Incident.type == type)
    if jurisdiction_id is not None:
        path = jurisdictions.get(session, jurisdiction_id).path
        query = query.where(jurisdictions.subtree_filter(Incident.jurisdiction_id, path))
    return query


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


def reach_rings(
    network: RoadNetwork, lon: float, lat: float, minutes: Sequence[float], *, snap_max_m: float
) -> list[tuple[float, BaseGeometry]]:
    """Outlines of where help arrives from within each time budget, for the incident map:
    one search towards the point (the direction teams drive), one ring per budget."""
    target = snap_point(network, lon, lat, max_m=snap_max_m)
    rings = reachable_hulls(network, target, minutes, direction="to")
    return list(zip(minutes, rings, strict=True))
