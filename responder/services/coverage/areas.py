"""What coverage reads from the database: the area asked about, its sites, the teams."""

from __future__ import annotations

import json
from collections.abc import Iterable
from functools import lru_cache

import shapely
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry
from sqlalchemy import select
from sqlalchemy.orm import Session

from responder.errors import InvalidInput
from responder.models import (
    Enterprise,
    HazardSource,
    Jurisdiction,
    RescueTeam,
)
from responder.services import jurisdictions
from responder.services.coverage.figures import Area, Site
from responder.vocabulary import SPECIALTIES


def area_of(session: Session, jurisdiction_id: int | None) -> Area:
    if jurisdiction_id is None:
        return Area(None, None)
    node = jurisdictions.get(session, jurisdiction_id)
    children = session.scalars(
        select(Jurisdiction)
        .where(Jurisdiction.parent_id == node.id, Jurisdiction.boundary.is_not(None))
        .order_by(Jurisdiction.code)
    ).all()
    return Area(
        node,
        _geometry(node.boundary) if node.boundary else None,
        [(child, _geometry(child.boundary)) for child in children if child.boundary],
    )


@lru_cache(maxsize=256)
def _geometry(boundary: str) -> BaseGeometry:
    geometry = shape(json.loads(boundary))
    shapely.prepare(geometry)
    return geometry


def area_choices(session: Session) -> list[Jurisdiction]:
    """Jurisdictions coverage and drills can be scoped to (province, city, county)."""
    return list(
        session.scalars(
            select(Jurisdiction)
            .where(Jurisdiction.level.in_(["province", "city", "county"]))
            .order_by(Jurisdiction.path)
        )
    )


def teams_of(session: Session, specialty: str) -> list[RescueTeam]:
    """Every non-retired team of ``specialty``, by name (whatever its status): the teams
    a what-if can send away."""
    teams = session.scalars(
        select(RescueTeam).where(RescueTeam.retired_at.is_(None)).order_by(RescueTeam.name)
    )
    return [t for t in teams if specialty in t.specialties]


def sites_in(session: Session, area: Area) -> tuple[list[Site], list[Site]]:
    """Active enterprises and major hazard sources in the area's jurisdiction subtree
    (plain column reads: coverage is asked often and needs no ORM objects)."""
    enterprises = select(Enterprise.id, Enterprise.name, Enterprise.lon, Enterprise.lat).where(
        Enterprise.retired_at.is_(None)
    )
    sources = (
        select(
            HazardSource.id,
            HazardSource.name,
            Enterprise.lon,
            Enterprise.lat,
            HazardSource.grade,
            Enterprise.name,
        )
        .join(Enterprise, Enterprise.id == HazardSource.enterprise_id)
        .where(HazardSource.retired_at.is_(None), Enterprise.retired_at.is_(None))
    )
    if area.node is not None:
        inside = jurisdictions.subtree_filter(Enterprise.jurisdiction_id, area.node.path)
        enterprises, sources = enterprises.where(inside), sources.where(inside)
    firms = [
        Site("enterprise", *row) for row in session.execute(enterprises.order_by(Enterprise.id))
    ]
    hazards = [
        Site("hazard_source", *row) for row in session.execute(sources.order_by(HazardSource.id))
    ]
    return firms, hazards


def check_away(session: Session, away: Iterable[int]) -> set[int]:
    """The ids of teams to leave out; each must name a team."""
    ids = set(away)
    if ids:
        known = set(session.scalars(select(RescueTeam.id).where(RescueTeam.id.in_(ids))))
        missing = sorted(ids - known)
        if missing:
            raise InvalidInput(f"no team with id {missing[0]}", field="away")
    return ids


def check_specialty(specialty: str) -> str:
    if specialty not in SPECIALTIES:
        raise InvalidInput(f"unknown specialty '{specialty}'", field="specialty")
    return specialty
