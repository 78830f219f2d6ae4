"""Incidents, the response matrix, proposals, dispatched teams and materials, road closures."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    ForeignKey,
    String,
    Text,
    UniqueConstraint,
    true,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from responder.models.base import Base, Located, utcnow
from responder.models.enterprises import Enterprise
from responder.models.geography import Jurisdiction
from responder.models.quantity import Quantity
from responder.models.registry import InventoryLine, Material, RescueTeam


class Incident(Located, Base):
    """A live incident (``drill_id`` empty) or a simulated one inside a drill.

    Incidents are never deleted; closing one records who, when and why.
    """

    __tablename__ = "incidents"

    id: Mapped[int] = mapped_column(primary_key=True)
    type: Mapped[str] = mapped_column(String(32), index=True)
    severity: Mapped[str] = mapped_column(String(20))
    reported_at: Mapped[datetime] = mapped_column(default=utcnow)
    jurisdiction_id: Mapped[int | None] = mapped_column(ForeignKey("jurisdictions.id"), index=True)
    enterprise_id: Mapped[int | None] = mapped_column(ForeignKey("enterprises.id"))
    description: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(10), default="open", index=True)
    drill_id: Mapped[int | None] = mapped_column(index=True)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    closed_at: Mapped[datetime | None] = mapped_column()
    closed_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    close_reason: Mapped[str] = mapped_column(String(500), default="")
    #: The three criteria of the national rule (国务院令493号 Art 3); early on estimates.
    deaths: Mapped[int] = mapped_column(default=0, server_default="0")
    serious_injuries: Mapped[int] = mapped_column(default=0, server_default="0")
    direct_loss_yuan: Mapped[float] = mapped_column(default=0.0, server_default="0")
    figures_estimated: Mapped[bool] = mapped_column(default=True, server_default=true())
    #: The grade the figures give; ``severity`` is this or the operator's higher grade.
    derived_severity: Mapped[str] = mapped_column(
        String(20), default="general", server_default="general"
    )
    severity_reason: Mapped[str] = mapped_column(String(500), default="", server_default="")

    jurisdiction: Mapped[Jurisdiction | None] = relationship()
    enterprise: Mapped[Enterprise | None] = relationship()
    assignments: Mapped[list[Assignment]] = relationship(
        back_populates="incident", order_by="Assignment.id"
    )
    material_dispatches: Mapped[list[MaterialDispatch]] = relationship(
        back_populates="incident", order_by="MaterialDispatch.id"
    )
    notes: Mapped[list[IncidentNote]] = relationship(
        back_populates="incident", order_by="IncidentNote.id"
    )


class IncidentNote(Base):
    """A free-text note an operator adds to an incident's timeline (never edited)."""

    __tablename__ = "incident_notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id"), index=True)
    body: Mapped[str] = mapped_column(Text)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    incident: Mapped[Incident] = relationship(back_populates="notes")


class MatrixTeamNeed(Base):
    """Response matrix: teams of a specialty an incident type needs, per severity."""

    __tablename__ = "matrix_team_needs"
    __table_args__ = (UniqueConstraint("incident_type", "specialty"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    incident_type: Mapped[str] = mapped_column(String(32), index=True)
    specialty: Mapped[str] = mapped_column(String(32))
    general: Mapped[int] = mapped_column(default=1)
    larger: Mapped[int] = mapped_column(default=2)
    major: Mapped[int] = mapped_column(default=3)
    especially_major: Mapped[int] = mapped_column(default=4)


class MatrixMaterialNeed(Base):
    """Response matrix: quantity of a material an incident type needs, per severity."""

    __tablename__ = "matrix_material_needs"
    __table_args__ = (UniqueConstraint("incident_type", "material_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    incident_type: Mapped[str] = mapped_column(String(32), index=True)
    material_id: Mapped[int] = mapped_column(ForeignKey("materials.id"))
    general: Mapped[float] = mapped_column(default=0.0)
    larger: Mapped[float] = mapped_column(default=0.0)
    major: Mapped[float] = mapped_column(default=0.0)
    especially_major: Mapped[float] = mapped_column(default=0.0)

    material: Mapped[Material] = relationship(lazy="joined")


class Proposal(Base):
    """A dispatch proposal as shown to the operator (kept: deviations are measured on it)."""

    __tablename__ = "proposals"

    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    body: Mapped[dict[str, Any]] = mapped_column(JSON)


class Assignment(Base):
    """One team sent to one incident, with the timestamps of its life."""

    __tablename__ = "assignments"

    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id"), index=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id"), index=True)
    proposal_id: Mapped[int | None] = mapped_column(ForeignKey("proposals.id"))
    specialty: Mapped[str] = mapped_column(String(32), default="")
    status: Mapped[str] = mapped_column(String(20), default="dispatched")
    expected_arrival_s: Mapped[float | None] = mapped_column()
    deviation_reason: Mapped[str] = mapped_column(String(500), default="")
    dispatched_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    dispatched_at: Mapped[datetime] = mapped_column(default=utcnow)
    on_scene_at: Mapped[datetime | None] = mapped_column()
    returning_at: Mapped[datetime | None] = mapped_column()
    released_at: Mapped[datetime | None] = mapped_column()

    incident: Mapped[Incident] = relationship(back_populates="assignments")
    team: Mapped[RescueTeam] = relationship()


class MaterialDispatch(Base):
    """Stock taken from one inventory line for one incident; what was used and returned."""

    __tablename__ = "material_dispatches"
    __table_args__ = (CheckConstraint("quantity > 0", name="quantity_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id"), index=True)
    inventory_line_id: Mapped[int] = mapped_column(ForeignKey("inventory_lines.id"))
    quantity: Mapped[Decimal] = mapped_column(Quantity)
    consumed: Mapped[Decimal | None] = mapped_column(Quantity)
    returned: Mapped[Decimal | None] = mapped_column(Quantity)
    dispatched_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    dispatched_at: Mapped[datetime] = mapped_column(default=utcnow)
    settled_at: Mapped[datetime | None] = mapped_column()

    incident: Mapped[Incident] = relationship(back_populates="material_dispatches")
    line: Mapped[InventoryLine] = relationship(lazy="joined")


class RoadClosure(Base):
    """An operator's closure (factor = inf) or slowdown (factor > 1) of road edges.

    ``edge_ids`` are valid for ``network_version``; a closure made on another version of
    the network is reported, not silently applied.
    """

    __tablename__ = "road_closures"

    id: Mapped[int] = mapped_column(primary_key=True)
    network_version: Mapped[str] = mapped_column(String(80))
    edge_ids: Mapped[list[int]] = mapped_column(JSON)
    factor: Mapped[float | None] = mapped_column()  # None = closed
    reason: Mapped[str] = mapped_column(String(500))
    lon: Mapped[float | None] = mapped_column()
    lat: Mapped[float | None] = mapped_column()
    radius_m: Mapped[float | None] = mapped_column()
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    lifted_at: Mapped[datetime | None] = mapped_column()
    lifted_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
