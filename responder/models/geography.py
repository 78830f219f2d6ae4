"""Jurisdictions (行政区划): a tree with boundary polygons."""

from __future__ import annotations

from sqlalchemy import ForeignKey, String, Text, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from responder.models.base import Base, Timestamps


class Jurisdiction(Timestamps, Base):
    """One node of province › city › county › township › grid.

    ``path`` is the materialized chain of ids (``/1/4/17/``) so "this one and everything
    under it" is a single ``LIKE 'path%'`` query.  The boundary is GeoJSON text; its
    bounding box is kept in columns to pre-filter point-in-polygon tests.

    ``key_hazchem`` / ``key_mining`` mark a county as a key county (重点县) for hazardous
    chemicals (危化品重点县) or mining (矿山重点县): the plans ask for full coverage of
    professional rescue forces there (see :mod:`responder.services.coverage.county_targets`).
    """

    __tablename__ = "jurisdictions"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(12), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    level: Mapped[str] = mapped_column(String(16))
    depth: Mapped[int] = mapped_column(default=0)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("jurisdictions.id"), index=True)
    path: Mapped[str] = mapped_column(String(255), default="/", index=True)
    boundary: Mapped[str | None] = mapped_column(Text)
    min_lon: Mapped[float | None] = mapped_column()
    min_lat: Mapped[float | None] = mapped_column()
    max_lon: Mapped[float | None] = mapped_column()
    max_lat: Mapped[float | None] = mapped_column()
    key_hazchem: Mapped[bool] = mapped_column(default=False, server_default=false())
    key_mining: Mapped[bool] = mapped_column(default=False, server_default=false())

    parent: Mapped[Jurisdiction | None] = relationship(remote_side=[id])
