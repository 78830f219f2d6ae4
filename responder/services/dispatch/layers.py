"""What the operator console's map shows from our own data: teams with their status,
depots, enterprises, hazard sources with their grade and substances, and where to write
the names of the major roads.  Plain values only; the page turns them into map layers."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

from responder.models import Depot, Enterprise, HazardSource, RescueTeam

if TYPE_CHECKING:
    from responder.routing.names import RoadLabel, RoadNames


@dataclass(frozen=True)
class TeamPlace:
    name: str
    lon: float
    lat: float
    specialties: tuple[str, ...]
    status: str


@dataclass(frozen=True)
class Place:
    """A depot or an enterprise (``detail``: the enterprise's credit code)."""

    name: str
    lon: float
    lat: float
    detail: str = ""


@dataclass(frozen=True)
class HazardPlace:
    """A hazard source, drawn at its enterprise."""

    name: str
    enterprise: str
    lon: float
    lat: float
    grade: int
    substances: tuple[tuple[str, float], ...]  # (substance, tonnes)


@dataclass(frozen=True)
class ConsoleLayers:
    teams: list[TeamPlace]
    depots: list[Place]
    enterprises: list[Place]
    hazard_sources: list[HazardPlace]
    road_labels: list[RoadLabel]


def console_layers(
    session: Session,
    *,
    streets: RoadNames | None = None,
    bbox: tuple[float, float, float, float] | None = None,
) -> ConsoleLayers:
    """Every live (not retired) team, depot, enterprise and hazard source, and the label
    points of the major roads inside ``bbox`` (none without ``streets``)."""
    teams = [
        TeamPlace(t.name, t.lon, t.lat, tuple(t.specialties), t.status)
        for t in session.scalars(
            select(RescueTeam).where(RescueTeam.retired_at.is_(None)).order_by(RescueTeam.id)
        )
    ]
    depots = [
        Place(d.name, d.lon, d.lat)
        for d in session.scalars(select(Depot).where(Depot.retired_at.is_(None)).order_by(Depot.id))
    ]
    enterprises = [
        Place(e.name, e.lon, e.lat, e.credit_code)
        for e in session.scalars(
            select(Enterprise).where(Enterprise.retired_at.is_(None)).order_by(Enterprise.id)
        )
    ]
    sources = [
        HazardPlace(
            source.name,
            owner.name,
            owner.lon,
            owner.lat,
            source.grade,
            tuple((str(s["name"]), float(s["quantity_t"])) for s in source.substances),
        )
        for source, owner in session.execute(
            select(HazardSource, Enterprise)
            .join(Enterprise, Enterprise.id == HazardSource.enterprise_id)
            .where(HazardSource.retired_at.is_(None))
            .order_by(HazardSource.id)
        )
    ]
    labels = streets.labels(bbox=bbox) if streets is not None else []
    return ConsoleLayers(teams, depots, enterprises, sources, labels)
