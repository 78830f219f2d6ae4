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
from responder.models.registry import RescueTeam


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
    injects: Mapped[list[DrillInject]] = relationship(
        back_populates="drill",
        cascade="all, delete-orphan",
        order_by="(DrillInject.at_min, DrillInject.id)",
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
    #: The enterprise the incident was placed on (its plans are the ones it exercises).
    enterprise_id: Mapped[int | None] = mapped_column(ForeignKey("enterprises.id"))

    drill: Mapped[Drill] = relationship(back_populates="incidents")


class DrillInject(Base):
    """A timed event in a drill's scenario script, ``at_min`` minutes after the start.

    ``kind`` says which columns it uses: ``road_closure`` closes the roads within
    ``radius_m`` of the point (``lon``, ``lat``) or along ``line`` ([[lon, lat], ...]);
    ``team_unavailable`` takes ``team_id`` out of the drill; ``second_incident`` is a
    further simulated incident (``incident_type``, ``severity``, the point and optionally
    ``enterprise_id``); ``severity_raised`` raises ``incident_id`` to ``severity``.
    """

    __tablename__ = "drill_injects"
    __table_args__ = (CheckConstraint("at_min >= 0", name="at_nonnegative"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    drill_id: Mapped[int] = mapped_column(ForeignKey("drills.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(24))
    at_min: Mapped[float] = mapped_column(default=0.0)
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id"))
    incident_id: Mapped[int | None] = mapped_column(
        ForeignKey("drill_incidents.id", ondelete="CASCADE")
    )
    incident_type: Mapped[str | None] = mapped_column(String(32))
    severity: Mapped[str | None] = mapped_column(String(20))
    enterprise_id: Mapped[int | None] = mapped_column(ForeignKey("enterprises.id"))
    lon: Mapped[float | None] = mapped_column()
    lat: Mapped[float | None] = mapped_column()
    radius_m: Mapped[float | None] = mapped_column()
    line: Mapped[list[list[float]] | None] = mapped_column(JSON)
    note: Mapped[str] = mapped_column(String(500), default="")

    drill: Mapped[Drill] = relationship(back_populates="injects")
    team: Mapped[RescueTeam | None] = relationship()


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
    #: The organizers' evaluation (what went well, gaps, actions with owners and due dates)
    #: and the plan drill records made of the run; None until first saved.
    evaluation: Mapped[dict[str, Any] | None] = mapped_column(JSON)

    drill: Mapped[Drill] = relationship(back_populates="runs")
