"""Drills (应急演练): saved scenarios of simulated incidents, and the runs made of them.

Drill data lives only in these tables, each row carrying its drill id; running a drill
reads the live registry once and writes nothing outside them (plus one audit entry).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from responder.models.base import Base, Located, utcnow
from responder.models.geography import Jurisdiction


class Drill(Base):
    """A named drill scenario owned by a drill organizer: a start time and incidents."""

    __tablename__ = "drills"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    start_at: Mapped[datetime] = mapped_column()
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    jurisdiction_id: Mapped[int | None] = mapped_column(ForeignKey("jurisdictions.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    jurisdiction: Mapped[Jurisdiction | None] = relationship()
    incidents: Mapped[list[DrillIncident]] = relationship(
        back_populates="drill",
        cascade="all, delete-orphan",
        order_by="(DrillIncident.offset_min, DrillIncident.id)",
    )
    runs: Mapped[list[DrillRun]] = relationship(
        back_populates="drill", order_by="DrillRun.id.desc()"
    )


class DrillIncident(Located, Base):
    """A simulated incident: where, what, how bad, and minutes after the drill start."""

    __tablename__ = "drill_incidents"
    __table_args__ = (CheckConstraint("offset_min >= 0", name="offset_nonnegative"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    drill_id: Mapped[int] = mapped_column(ForeignKey("drills.id", ondelete="CASCADE"), index=True)
    type: Mapped[str] = mapped_column(String(32))
    severity: Mapped[str] = mapped_column(String(20))
    offset_min: Mapped[float] = mapped_column(default=0.0)
    note: Mapped[str] = mapped_column(String(500), default="")

    drill: Mapped[Drill] = relationship(back_populates="incidents")


class DrillRun(Base):
    """One run of a drill: the registry snapshot it used and the simulated outcome.

    ``registry_snapshot`` is the snapshot of teams and stock taken at the start (so two runs can
    say what changed in the registry); ``fingerprint`` is its hash; ``results`` holds the
    timeline per incident and team.
    """

    __tablename__ = "drill_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    drill_id: Mapped[int] = mapped_column(ForeignKey("drills.id"), index=True)
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    started_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    summary: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    registry_snapshot: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    fingerprint: Mapped[str] = mapped_column(String(64), default="")
    results: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    drill: Mapped[Drill] = relationship(back_populates="runs")
