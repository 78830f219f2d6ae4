"""Emergency plans (应急预案), their documents, resources counted on, and filing numbers.

A plan belongs to an enterprise or to a government body of a jurisdiction.  The dates that
decide whether a plan was *valid on a given day* are kept as plain calendar dates
(``filed_on``, ``superseded_on``, ``withdrawn_on``) so filing rates can be computed as of any
past date with one indexed comparison.  Due dates (evaluation, drills) are derived from the
rules in force and are not stored (see :mod:`responder.services.plans`).
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    CheckConstraint,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from responder.models.base import Base, Timestamps, utcnow
from responder.models.enterprises import Enterprise
from responder.models.geography import Jurisdiction
from responder.models.registry import Material


class PlanHazardSource(Base):
    """A major hazard source a plan covers."""

    __tablename__ = "plan_hazard_sources"

    plan_id: Mapped[int] = mapped_column(
        ForeignKey("plans.id", ondelete="CASCADE"), primary_key=True
    )
    hazard_source_id: Mapped[int] = mapped_column(
        ForeignKey("hazard_sources.id"), primary_key=True, index=True
    )


class PlanLink(Base):
    """政企衔接: a plan (usually an enterprise's) dovetails with a parent plan (usually a
    government special plan for the same incident type)."""

    __tablename__ = "plan_links"

    plan_id: Mapped[int] = mapped_column(
        ForeignKey("plans.id", ondelete="CASCADE"), primary_key=True
    )
    parent_plan_id: Mapped[int] = mapped_column(
        ForeignKey("plans.id"), primary_key=True, index=True
    )


class PlanTeamNeed(Base):
    """Rescue teams a plan counts on: ``count`` teams of one specialty."""

    __tablename__ = "plan_team_needs"
    __table_args__ = (CheckConstraint("count > 0", name="count_positive"),)

    plan_id: Mapped[int] = mapped_column(
        ForeignKey("plans.id", ondelete="CASCADE"), primary_key=True
    )
    specialty: Mapped[str] = mapped_column(String(32), primary_key=True)
    count: Mapped[int] = mapped_column(default=1)


class PlanMaterialNeed(Base):
    """Materials a plan counts on: ``quantity`` of one catalog material (in its unit)."""

    __tablename__ = "plan_material_needs"
    __table_args__ = (CheckConstraint("quantity > 0", name="quantity_positive"),)

    plan_id: Mapped[int] = mapped_column(
        ForeignKey("plans.id", ondelete="CASCADE"), primary_key=True
    )
    material_id: Mapped[int] = mapped_column(ForeignKey("materials.id"), primary_key=True)
    quantity: Mapped[float] = mapped_column()

    material: Mapped[Material] = relationship(lazy="joined")


class Plan(Timestamps, Base):
    """One version of an emergency plan.

    ``owner_kind`` is ``enterprise`` (then ``enterprise_id`` is set) or ``government``
    (then ``owner_body`` names the department).  ``jurisdiction_id`` is the owner's
    jurisdiction (the enterprise's, copied at creation) and scopes who may act on it.
    ``filing_authority_id`` is the jurisdiction whose clerk filed it; ``filing_number`` is
    ``{authority code}-{year}-{sequence}``.  A new version points at the one it replaces
    with ``supersedes_id``; the old one becomes ``superseded`` when the new one is filed.
    """

    __tablename__ = "plans"
    __table_args__ = (
        CheckConstraint(
            "(owner_kind = 'enterprise') = (enterprise_id IS NOT NULL)", name="owner_matches"
        ),
        # The filing-rate queries: "does enterprise E have a plan valid on day D?"
        Index(
            "ix_plans_validity",
            "enterprise_id",
            "filed_on",
            "superseded_on",
            "withdrawn_on",
            "plan_type",
        ),
        Index("ix_plans_status_jurisdiction", "status", "jurisdiction_id"),
        # The "filed late" list (a small part of the plans): its rows newest first, and
        # their count, from this index alone.  Partial, so that no other query is tempted
        # into a range on ``filed_on``: "filed on or before D" matches nearly every plan,
        # and SQLite reading them in index order is several times slower than a scan.
        Index(
            "ix_plans_filed_late",
            "filed_on",
            "enterprise_id",
            sqlite_where=text("filed_late IS 1"),
            postgresql_where=text("filed_late"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_kind: Mapped[str] = mapped_column(String(16))
    enterprise_id: Mapped[int | None] = mapped_column(ForeignKey("enterprises.id"))
    owner_body: Mapped[str] = mapped_column(String(200), default="")
    jurisdiction_id: Mapped[int] = mapped_column(ForeignKey("jurisdictions.id"), index=True)
    title: Mapped[str] = mapped_column(String(300))
    plan_type: Mapped[str] = mapped_column(String(20))
    incident_types: Mapped[list[str]] = mapped_column(JSON, default=list)
    version: Mapped[str] = mapped_column(String(20), default="1.0")
    summary: Mapped[str] = mapped_column(Text, default="")

    published_on: Mapped[date | None] = mapped_column()
    submitted_at: Mapped[datetime | None] = mapped_column()
    #: The local calendar day of the (last) submission: lateness is judged on it.
    submitted_on: Mapped[date | None] = mapped_column()
    #: Set when a *complete* submission arrives: the day it counts as filed if the
    #: authority neither files nor returns it within its check window (视为已经备案);
    #: cleared when it is returned in time.
    deemed_filed_on: Mapped[date | None] = mapped_column(index=True)
    filed_on: Mapped[date | None] = mapped_column()
    last_evaluated_on: Mapped[date | None] = mapped_column()
    last_drill_on: Mapped[date | None] = mapped_column()
    superseded_on: Mapped[date | None] = mapped_column()
    withdrawn_on: Mapped[date | None] = mapped_column()
    returned_at: Mapped[datetime | None] = mapped_column()

    status: Mapped[str] = mapped_column(String(16), default="draft")
    filing_number: Mapped[str | None] = mapped_column(String(40), unique=True)
    filing_authority_id: Mapped[int | None] = mapped_column(ForeignKey("jurisdictions.id"))
    filed_late: Mapped[bool] = mapped_column(default=False)
    status_note: Mapped[str] = mapped_column(String(1000), default="")
    supersedes_id: Mapped[int | None] = mapped_column(ForeignKey("plans.id"), index=True)
    superseded_by_id: Mapped[int | None] = mapped_column(ForeignKey("plans.id"))

    enterprise: Mapped[Enterprise | None] = relationship()
    jurisdiction: Mapped[Jurisdiction] = relationship(foreign_keys=[jurisdiction_id])
    filing_authority: Mapped[Jurisdiction | None] = relationship(foreign_keys=[filing_authority_id])
    hazard_source_rows: Mapped[list[PlanHazardSource]] = relationship(
        cascade="all, delete-orphan", lazy="selectin"
    )
    parent_rows: Mapped[list[PlanLink]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", foreign_keys=[PlanLink.plan_id]
    )
    team_needs: Mapped[list[PlanTeamNeed]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by=PlanTeamNeed.specialty
    )
    material_needs: Mapped[list[PlanMaterialNeed]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by=PlanMaterialNeed.material_id
    )
    documents: Mapped[list[PlanDocument]] = relationship(
        back_populates="plan", order_by="PlanDocument.id"
    )

    @property
    def hazard_source_ids(self) -> list[int]:
        return sorted(row.hazard_source_id for row in self.hazard_source_rows)

    @property
    def parent_plan_ids(self) -> list[int]:
        return sorted(row.parent_plan_id for row in self.parent_rows)


class PlanDocument(Base):
    """An uploaded file of a plan.  The bytes live on disk under ``DOCUMENTS_DIR`` named by
    their SHA-256 (so names from clients never reach the file system); ``filename`` is
    only the cleaned display name offered on download."""

    __tablename__ = "plan_documents"
    __table_args__ = (UniqueConstraint("plan_id", "sha256"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id"), index=True)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    filename: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column()
    uploaded_at: Mapped[datetime] = mapped_column(default=utcnow)
    uploaded_by: Mapped[str] = mapped_column(String(64), default="")
    #: Which filing material this is (``PLAN_MATERIALS``: plan text, review opinion, ...).
    material: Mapped[str] = mapped_column(String(32), default="other")

    plan: Mapped[Plan] = relationship(back_populates="documents")


class DrillRecord(Base):
    """A drill actually held (办法 Art 33): of one or more plans, on a day, tabletop or live.

    Recording one moves the drilled plans' ``last_drill_on`` (and so their drill due dates
    and the overdue lists).  ``drill_id`` links a simulator drill recorded as a tabletop
    exercise.  The attachment (a report, photos) is stored like plan documents.
    """

    __tablename__ = "drill_records"

    id: Mapped[int] = mapped_column(primary_key=True)
    held_on: Mapped[date] = mapped_column(index=True)
    kind: Mapped[str] = mapped_column(String(16))
    enterprise_id: Mapped[int | None] = mapped_column(ForeignKey("enterprises.id"), index=True)
    jurisdiction_id: Mapped[int] = mapped_column(ForeignKey("jurisdictions.id"), index=True)
    participants: Mapped[int] = mapped_column(default=0)
    notes: Mapped[str] = mapped_column(Text, default="")
    drill_id: Mapped[int | None] = mapped_column(ForeignKey("drills.id"))
    attachment_sha256: Mapped[str | None] = mapped_column(String(64))
    attachment_name: Mapped[str] = mapped_column(String(200), default="")
    attachment_type: Mapped[str] = mapped_column(String(100), default="")
    recorded_by: Mapped[str] = mapped_column(String(64), default="")
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)

    plan_rows: Mapped[list[DrillRecordPlan]] = relationship(
        cascade="all, delete-orphan", lazy="selectin"
    )

    @property
    def plan_ids(self) -> list[int]:
        return sorted(row.plan_id for row in self.plan_rows)


class DrillRecordPlan(Base):
    """A plan exercised by a drill record."""

    __tablename__ = "drill_record_plans"

    drill_record_id: Mapped[int] = mapped_column(
        ForeignKey("drill_records.id", ondelete="CASCADE"), primary_key=True
    )
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id"), primary_key=True, index=True)


class EvaluationRecord(Base):
    """An evaluation of a plan held (办法 Art 35): its conclusion and whether the plan must
    be revised.  Recording one moves the plan's ``last_evaluated_on``."""

    __tablename__ = "evaluation_records"

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id"), index=True)
    held_on: Mapped[date] = mapped_column()
    conclusion: Mapped[str] = mapped_column(Text)
    revision_needed: Mapped[bool] = mapped_column(default=False)
    recorded_by: Mapped[str] = mapped_column(String(64), default="")
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)


class FilingSequence(Base):
    """The last filing number issued by one authority in one year.

    Filing increments this row with a conditional ``UPDATE`` inside the filing transaction:
    the row lock (PostgreSQL) or the write lock (SQLite) makes concurrent filings queue, and
    a rolled-back filing rolls its number back too, so numbers are unique and gap-free.
    """

    __tablename__ = "filing_sequences"

    authority_id: Mapped[int] = mapped_column(ForeignKey("jurisdictions.id"), primary_key=True)
    year: Mapped[int] = mapped_column(primary_key=True)
    last_number: Mapped[int] = mapped_column(default=0)


#: ``PlanCoverage.ends_on`` of a span no plan has ended yet.
OPEN_END = date(9999, 12, 31)


class PlanCoverage(Base):
    """A span of days on which an enterprise had a plan of a counted type in force:
    ``starts_on`` ≤ day < ``ends_on`` (``OPEN_END`` while it lasts).

    Derived from the plans (see :mod:`responder.services.plan_coverage`), rewritten for an
    enterprise in the same flush as any change to its plans' dates, type or status.  An
    enterprise's spans never overlap nor touch, so "covered on day D" is at most one row
    and the filing-rate trend is a count of dates instead of a pass over every plan.
    """

    __tablename__ = "plan_coverage"
    __table_args__ = (
        CheckConstraint("starts_on < ends_on", name="span_not_empty"),
        # Clustered on the key, so "enterprise E's span holding D" reads no second b-tree.
        {"sqlite_with_rowid": False},
    )

    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id"), primary_key=True)
    starts_on: Mapped[date] = mapped_column(primary_key=True)
    ends_on: Mapped[date] = mapped_column()


class EnterpriseStaff(Base):
    """A user who acts for an enterprise (may draft and submit its plans, read them)."""

    __tablename__ = "enterprise_staff"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    enterprise_id: Mapped[int] = mapped_column(
        ForeignKey("enterprises.id"), primary_key=True, index=True
    )


__all__ = [
    "DrillRecord",
    "DrillRecordPlan",
    "EnterpriseStaff",
    "EvaluationRecord",
    "FilingSequence",
    "Plan",
    "PlanCoverage",
    "PlanDocument",
    "PlanHazardSource",
    "PlanLink",
    "PlanMaterialNeed",
    "PlanTeamNeed",
]
