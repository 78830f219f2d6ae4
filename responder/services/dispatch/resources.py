"""What dispatch can send, as plain values: available teams and usable stock."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from responder.models import (
    Depot,
    InventoryLine,
    RescueTeam,
    TeamSpecialty,
)
from responder.rules import Rules
from responder.services import jurisdictions


@dataclass(frozen=True)
class TeamResource:
    id: int
    name: str
    specialties: tuple[str, ...]
    level: str
    kind: str
    lon: float
    lat: float
    mobilization_min: float
    jurisdiction_id: int
    county_id: int | None


@dataclass(frozen=True)
class StockResource:
    line_id: int
    depot_id: int
    depot_name: str
    lon: float
    lat: float
    material_id: int
    quantity: float
    expiry_date: date | None


@dataclass
class Resources:
    """What can be sent: available teams and usable stock."""

    teams: list[TeamResource]
    stock: list[StockResource]


def live_resources(
    session: Session,
    rules: Rules,
    *,
    today: date,
    specialties: Sequence[str] | None = None,
    material_ids: Sequence[int] | None = None,
) -> Resources:
    """Available, non-retired teams (of the given specialties) and non-expired stock.

    Reads plain columns (no ORM objects): this runs on every proposal.
    """
    team_query = select(
        RescueTeam.id,
        RescueTeam.name,
        RescueTeam.level,
        RescueTeam.kind,
        RescueTeam.lon,
        RescueTeam.lat,
        RescueTeam.mobilization_min,
        RescueTeam.jurisdiction_id,
    ).where(RescueTeam.status == "available", RescueTeam.retired_at.is_(None))
    specialty_query = (
        select(TeamSpecialty.team_id, TeamSpecialty.specialty)
        .join(RescueTeam, RescueTeam.id == TeamSpecialty.team_id)
        .where(RescueTeam.status == "available", RescueTeam.retired_at.is_(None))
    )
    if specialties is not None:
        capable = select(TeamSpecialty.team_id).where(TeamSpecialty.specialty.in_(specialties))
        team_query = team_query.where(RescueTeam.id.in_(capable))
        specialty_query = specialty_query.where(TeamSpecialty.team_id.in_(capable))
    codes: dict[int, list[str]] = {}
    for team_id, code in session.execute(specialty_query):
        codes.setdefault(team_id, []).append(code)
    rows = session.execute(team_query.order_by(RescueTeam.id)).all()
    counties = _county_ids(session, {row.jurisdiction_id for row in rows})
    teams = [
        TeamResource(
            id=row.id,
            name=row.name,
            specialties=tuple(sorted(codes.get(row.id, ()))),
            level=row.level,
            kind=row.kind,
            lon=row.lon,
            lat=row.lat,
            mobilization_min=(
                row.mobilization_min
                if row.mobilization_min is not None
                else rules.mobilization_for(row.kind)
            ),
            jurisdiction_id=row.jurisdiction_id,
            county_id=counties.get(row.jurisdiction_id),
        )
        for row in rows
    ]
    stock_query = (
        select(
            InventoryLine.id,
            InventoryLine.depot_id,
            Depot.name,
            Depot.lon,
            Depot.lat,
            InventoryLine.material_id,
            InventoryLine.quantity,
            InventoryLine.expiry_date,
        )
        .join(Depot, Depot.id == InventoryLine.depot_id)
        .where(InventoryLine.quantity > 0, Depot.retired_at.is_(None))
        .where(or_(InventoryLine.expiry_date.is_(None), InventoryLine.expiry_date >= today))
        .order_by(InventoryLine.id)
    )
    if material_ids is not None:
        stock_query = stock_query.where(InventoryLine.material_id.in_(material_ids))
    stock = [StockResource(*row) for row in session.execute(stock_query)]
    return Resources(teams=teams, stock=stock)


def _county_ids(session: Session, jurisdiction_ids: set[int]) -> dict[int, int | None]:
    return jurisdictions.county_ids_of(session, jurisdiction_ids)
