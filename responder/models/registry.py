"""The resource registry: bases, rescue teams, material catalog, depots and stock, experts."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import JSON, CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from responder.models.base import Base, Located, Timestamps, utcnow
from responder.models.geography import Jurisdiction
from responder.models.quantity import Quantity


class Retirable:
    """Records with history are retired, not deleted: lists hide them, references keep them."""

    retired_at: Mapped[datetime | None] = mapped_column(default=None)


class RescueBase(Located, Retirable, Timestamps, Base):
    """应急救援基地: a site hosting teams and often a depot."""

    __tablename__ = "bases"
    __table_args__ = (UniqueConstraint("jurisdiction_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    specialties: Mapped[list[str]] = mapped_column(JSON, default=list)
    level: Mapped[str] = mapped_column(String(20))
    jurisdiction_id: Mapped[int] = mapped_column(ForeignKey("jurisdictions.id"), index=True)
    address: Mapped[str] = mapped_column(String(300), default="")
    contact: Mapped[str] = mapped_column(String(200), default="")
    notes: Mapped[str] = mapped_column(Text, default="")

    jurisdiction: Mapped[Jurisdiction] = relationship()


class TeamSpecialty(Base):
    """One specialty of a team (a team has one or more); a table so filters use an index."""

    __tablename__ = "team_specialties"

    team_id: Mapped[int] = mapped_column(
        ForeignKey("teams.id", ondelete="CASCADE"), primary_key=True
    )
    specialty: Mapped[str] = mapped_column(String(32), primary_key=True, index=True)


class RescueTeam(Located, Retirable, Timestamps, Base):
    """应急救援队伍.  Its location is its own point (defaults to its base's when it has one).

    ``mobilization_min`` is the team's own 出动准备 time; None means the default for its kind
    (see :mod:`responder.rules`).  ``status_version`` increments on every status change so
    dispatch can take a team with a compare-and-set.
    """

    __tablename__ = "teams"
    __table_args__ = (
        UniqueConstraint("jurisdiction_id", "name"),
        CheckConstraint("headcount >= 0", name="headcount_nonnegative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    level: Mapped[str] = mapped_column(String(20))
    kind: Mapped[str] = mapped_column(String(20))
    headcount: Mapped[int] = mapped_column(default=0)
    mobilization_min: Mapped[float | None] = mapped_column()
    status: Mapped[str] = mapped_column(String(20), default="available", index=True)
    status_changed_at: Mapped[datetime | None] = mapped_column()
    status_version: Mapped[int] = mapped_column(default=0)
    base_id: Mapped[int | None] = mapped_column(ForeignKey("bases.id"), index=True)
    jurisdiction_id: Mapped[int] = mapped_column(ForeignKey("jurisdictions.id"), index=True)
    contact_name: Mapped[str] = mapped_column(String(100), default="")
    contact_phone: Mapped[str] = mapped_column(String(40), default="")
    equipment: Mapped[str] = mapped_column(Text, default="")
    #: While ``status`` is ``unavailable``: why (a code of ``UNAVAILABLE_REASONS``: 休整,
    #: 维修, 训练), the operator's note and when the team expects to be back (UTC).
    unavailable_reason: Mapped[str | None] = mapped_column(String(20), default=None)
    unavailable_note: Mapped[str] = mapped_column(String(500), default="")
    expected_back_at: Mapped[datetime | None] = mapped_column(default=None)

    specialty_rows: Mapped[list[TeamSpecialty]] = relationship(
        cascade="all, delete-orphan", lazy="selectin"
    )
    base: Mapped[RescueBase | None] = relationship()
    jurisdiction: Mapped[Jurisdiction] = relationship()

    @property
    def specialties(self) -> list[str]:
        return sorted(row.specialty for row in self.specialty_rows)

    @specialties.setter
    def specialties(self, codes: list[str]) -> None:
        wanted = set(codes)
        self.specialty_rows = [r for r in self.specialty_rows if r.specialty in wanted]
        have = {r.specialty for r in self.specialty_rows}
        self.specialty_rows.extend(TeamSpecialty(specialty=c) for c in sorted(wanted - have))


class Material(Retirable, Timestamps, Base):
    """A catalog entry: code, Chinese and English name, unit.  Inventory lines take their
    unit from here, so a quantity always means the same thing in every depot."""

    __tablename__ = "materials"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name_zh: Mapped[str] = mapped_column(String(100))
    name_en: Mapped[str] = mapped_column(String(100), default="")
    unit: Mapped[str] = mapped_column(String(20))
    category: Mapped[str] = mapped_column(String(40), default="")


class Depot(Located, Retirable, Timestamps, Base):
    """应急物资储备库 with its inventory lines."""

    __tablename__ = "depots"
    __table_args__ = (UniqueConstraint("jurisdiction_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    operator: Mapped[str] = mapped_column(String(200), default="")
    level: Mapped[str] = mapped_column(String(20), default="county")
    base_id: Mapped[int | None] = mapped_column(ForeignKey("bases.id"))
    jurisdiction_id: Mapped[int] = mapped_column(ForeignKey("jurisdictions.id"), index=True)
    address: Mapped[str] = mapped_column(String(300), default="")
    contact: Mapped[str] = mapped_column(String(200), default="")

    lines: Mapped[list[InventoryLine]] = relationship(
        back_populates="depot", cascade="all, delete-orphan", order_by="InventoryLine.id"
    )
    jurisdiction: Mapped[Jurisdiction] = relationship()


class InventoryLine(Timestamps, Base):
    """Stock of one material (and one expiry date) in one depot.  Never negative."""

    __tablename__ = "inventory_lines"
    __table_args__ = (
        UniqueConstraint("depot_id", "material_id", "expiry_date"),
        CheckConstraint("quantity >= 0", name="quantity_nonnegative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    depot_id: Mapped[int] = mapped_column(ForeignKey("depots.id", ondelete="CASCADE"), index=True)
    material_id: Mapped[int] = mapped_column(ForeignKey("materials.id"), index=True)
    quantity: Mapped[Decimal] = mapped_column(Quantity, default=Decimal(0))
    expiry_date: Mapped[date | None] = mapped_column()

    depot: Mapped[Depot] = relationship(back_populates="lines")
    material: Mapped[Material] = relationship(lazy="joined")


class Expert(Retirable, Timestamps, Base):
    """应急救援专家."""

    __tablename__ = "experts"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    specialties: Mapped[list[str]] = mapped_column(JSON, default=list)
    title: Mapped[str] = mapped_column(String(100), default="")
    organization: Mapped[str] = mapped_column(String(200), default="")
    phone: Mapped[str] = mapped_column(String(40), default="")
    jurisdiction_id: Mapped[int] = mapped_column(ForeignKey("jurisdictions.id"), index=True)

    jurisdiction: Mapped[Jurisdiction] = relationship()


class ExpertGroup(Retirable, Timestamps, Base):
    """应急救援专家组: experts of one specialty a jurisdiction calls on (e.g. 危化品专家组)."""

    __tablename__ = "expert_groups"
    __table_args__ = (UniqueConstraint("jurisdiction_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    specialty: Mapped[str] = mapped_column(String(32), index=True)
    jurisdiction_id: Mapped[int] = mapped_column(ForeignKey("jurisdictions.id"), index=True)

    jurisdiction: Mapped[Jurisdiction] = relationship()
    members: Mapped[list[ExpertGroupMember]] = relationship(
        back_populates="group", cascade="all, delete-orphan"
    )


class ExpertGroupMember(Base):
    """One expert in one group (an expert may sit in several groups)."""

    __tablename__ = "expert_group_members"

    group_id: Mapped[int] = mapped_column(
        ForeignKey("expert_groups.id", ondelete="CASCADE"), primary_key=True
    )
    expert_id: Mapped[int] = mapped_column(
        ForeignKey("experts.id", ondelete="CASCADE"), primary_key=True, index=True
    )

    group: Mapped[ExpertGroup] = relationship(back_populates="members")
    expert: Mapped[Expert] = relationship()


class ExpertOnCall(Base):
    """An expert on call (值班) from ``starts_on`` to ``ends_on``, both days included."""

    __tablename__ = "expert_on_call"
    __table_args__ = (CheckConstraint("ends_on >= starts_on", name="dates_ordered"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    expert_id: Mapped[int] = mapped_column(ForeignKey("experts.id", ondelete="CASCADE"), index=True)
    starts_on: Mapped[date] = mapped_column(index=True)
    ends_on: Mapped[date] = mapped_column(index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    expert: Mapped[Expert] = relationship()


class ExpertContact(Base):
    """A contact made with an expert (notified by phone, message ...), for an incident's
    timeline: who was called, when, by whom, and what was said."""

    __tablename__ = "expert_contacts"

    id: Mapped[int] = mapped_column(primary_key=True)
    expert_id: Mapped[int] = mapped_column(ForeignKey("experts.id"), index=True)
    incident_id: Mapped[int | None] = mapped_column(ForeignKey("incidents.id"), index=True)
    contacted_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    channel: Mapped[str] = mapped_column(String(20), default="phone")
    note: Mapped[str] = mapped_column(String(500), default="")
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    username: Mapped[str] = mapped_column(String(64), default="")

    expert: Mapped[Expert] = relationship()
