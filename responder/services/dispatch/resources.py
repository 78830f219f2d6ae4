"""What can be sent, as plain values: teams and usable stock.

The two rules every reader of the registry shares live here, once: a team's effective
mobilization time (its own, or the rules' default for its kind) and which stock is usable
(a positive quantity, in a depot that is not retired, not past its expiry date).  Dispatch,
coverage, drills and plan feasibility all read teams and stock through these functions.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, Row, or_, select
from sqlalchemy.orm import Session

from responder.models import (
    Depot,
    InventoryLine,
    RescueTeam,
    TeamSpecialty,
)
from responder.rules import Rules
from responder.services import jurisdictions

#: Team statuses a plan cannot count on (long-term out of service).
OUT_OF_SERVICE = frozenset({"unavailable"})


@dataclass(frozen=True)
class TeamResource:
    """A team as dispatch sees it; ``mobilization_min`` is already the effective one."""

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
    """One usable inventory line and where its depot is."""

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


def effective_mobilization_min(rules: Rules, kind: str, own_min: float | None) -> float:
    """The team's own mobilization minutes, or the rules' default for its kind."""
    return own_min if own_min is not None else rules.mobilization_for(kind)


def not_expired(today: date) -> ColumnElement[bool]:
    """SQL: the inventory line has no expiry date or expires ``today`` or later."""
    return or_(InventoryLine.expiry_date.is_(None), InventoryLine.expiry_date >= today)


def is_expired(expiry_date: date | None, today: date) -> bool:
    """The same expiry rule as :func:`not_expired`, for a line already read."""
    return expiry_date is not None and expiry_date < today


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
    return Resources(
        teams=team_resources(session, rules, specialties=specialties),
        stock=usable_stock(session, today=today, material_ids=material_ids),
    )


def team_resources(
    session: Session,
    rules: Rules,
    *,
    specialties: Sequence[str] | None = None,
    available_only: bool = True,
) -> list[TeamResource]:
    """Non-retired teams with any of ``specialties`` (all when None), ordered by id.

    ``available_only``: only teams free to be sent now (dispatch, coverage, drills);
    otherwise every team not out of service (what a plan may count on).
    """
    in_state = (
        RescueTeam.status == "available"
        if available_only
        else RescueTeam.status.not_in(OUT_OF_SERVICE)
    )
    # One row per (team, specialty); the team columns repeat, the specialties are grouped.
    query = (
        select(
            RescueTeam.id,
            RescueTeam.name,
            RescueTeam.level,
            RescueTeam.kind,
            RescueTeam.lon,
            RescueTeam.lat,
            RescueTeam.mobilization_min,
            RescueTeam.jurisdiction_id,
            TeamSpecialty.specialty,
        )
        .outerjoin(TeamSpecialty, TeamSpecialty.team_id == RescueTeam.id)
        .where(in_state, RescueTeam.retired_at.is_(None))
        .order_by(RescueTeam.id)
    )
    if specialties is not None:
        capable = select(TeamSpecialty.team_id).where(TeamSpecialty.specialty.in_(specialties))
        query = query.where(RescueTeam.id.in_(capable))
    rows: dict[int, Row[Any]] = {}  # first row of each team
    codes: dict[int, list[str]] = {}
    for row in session.execute(query):
        rows.setdefault(row.id, row)  # type: ignore[arg-type]
        if row.specialty is not None:
            codes.setdefault(row.id, []).append(row.specialty)
    counties = jurisdictions.county_ids_of(session, {row.jurisdiction_id for row in rows.values()})
    return [
        TeamResource(
            id=row.id,
            name=row.name,
            specialties=tuple(sorted(codes.get(row.id, ()))),
            level=row.level,
            kind=row.kind,
            lon=row.lon,
            lat=row.lat,
            mobilization_min=effective_mobilization_min(rules, row.kind, row.mobilization_min),
            jurisdiction_id=row.jurisdiction_id,
            county_id=counties.get(row.jurisdiction_id),
        )
        for row in rows.values()
    ]


def usable_stock(
    session: Session, *, today: date, material_ids: Sequence[int] | None = None
) -> list[StockResource]:
    """Stock lines that can be sent on ``today`` (of the given materials), ordered by id."""
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
        .where(InventoryLine.quantity > 0, Depot.retired_at.is_(None), not_expired(today))
        .order_by(InventoryLine.id)
    )
    if material_ids is not None:
        stock_query = stock_query.where(InventoryLine.material_id.in_(material_ids))
    # Proposals rank and fill in floats; the stored stock is an exact Decimal.
    return [StockResource(*row[:6], float(row[6]), row[7]) for row in session.execute(stock_query)]
