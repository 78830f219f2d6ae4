"""Enterprises (生产经营单位) and their major hazard sources (重大危险源)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from responder.models.base import Base, Located, Timestamps
from responder.models.geography import Jurisdiction
from responder.models.registry import Retirable


class Enterprise(Located, Retirable, Timestamps, Base):
    __tablename__ = "enterprises"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    credit_code: Mapped[str] = mapped_column(String(18), unique=True)
    industry: Mapped[str] = mapped_column(String(32), index=True)
    scale: Mapped[str] = mapped_column(String(8), default="below")
    jurisdiction_id: Mapped[int] = mapped_column(ForeignKey("jurisdictions.id"), index=True)
    address: Mapped[str] = mapped_column(String(300), default="")
    contact: Mapped[str] = mapped_column(String(200), default="")

    hazard_sources: Mapped[list[HazardSource]] = relationship(back_populates="enterprise")
    jurisdiction: Mapped[Jurisdiction] = relationship()


class HazardSource(Retirable, Timestamps, Base):
    """A major hazard source; grade 1 is the highest.  ``substances`` is a list of
    ``{"name": str, "quantity_t": float}``."""

    __tablename__ = "hazard_sources"
    __table_args__ = (CheckConstraint("grade BETWEEN 1 AND 4", name="grade_range"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    grade: Mapped[int] = mapped_column()
    substances: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    monitored: Mapped[bool] = mapped_column(default=False)

    enterprise: Mapped[Enterprise] = relationship(back_populates="hazard_sources")
