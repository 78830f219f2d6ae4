"""Expert groups (应急救援专家组), on-call dates and contacts made with experts.

Plans call on expert groups by specialty (a hazchem leak: the 危险化学品 group).  An expert
sits in one or more groups and is on call (值班) for given dates; :func:`on_call_experts`
answers "whom do we phone for these specialties today", and :func:`notify` records the
contact made (time, channel, who called) so an incident's timeline can show it.

Writes use the registry permission of experts (``registry.write``), inside the actor's
jurisdiction, and are audited like every registry write.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from responder.errors import Conflict, InvalidInput, NotFound
from responder.models import (
    Expert,
    ExpertContact,
    ExpertGroup,
    ExpertGroupMember,
    ExpertOnCall,
    Incident,
    utcnow,
)
from responder.services import audit, jurisdictions
from responder.services.actors import Actor
from responder.services.resources import EXPERTS
from responder.vocabulary import SPECIALTIES

#: How an expert was reached; the pages show the labels.
CONTACT_CHANNELS: dict[str, tuple[str, str]] = {
    "phone": ("电话", "Phone"),
    "sms": ("短信", "Text message"),
    "in_person": ("当面", "In person"),
    "other": ("其他", "Other"),
}


@dataclass(frozen=True)
class OnCallExpert:
    """One expert to call for one specialty: what a proposal or drill report lists."""

    expert_id: int
    name: str
    unit: str  # 工作单位 (the expert's organisation)
    phone: str
    specialty: str  # the group's specialty that matched
    group: str  # the group's name
    title: str = ""


def _require(actor: Actor, jurisdiction_path: str) -> None:
    actor.require(EXPERTS.permission, path=jurisdiction_path, what="the expert group")


def create_group(
    session: Session,
    actor: Actor,
    *,
    name: str,
    specialty: str,
    jurisdiction_id: int,
) -> ExpertGroup:
    """Add an expert group of one specialty to a jurisdiction's roster."""
    name = name.strip()
    if not name or len(name) > 200:
        raise InvalidInput("name must be 1 to 200 characters", field="name")
    if specialty not in SPECIALTIES:
        raise InvalidInput(f"unknown specialty '{specialty}'", field="specialty")
    where = jurisdictions.get(session, jurisdiction_id)
    _require(actor, where.path)
    clash = select(ExpertGroup.id).where(
        ExpertGroup.jurisdiction_id == where.id, ExpertGroup.name == name
    )
    if session.scalar(clash) is not None:
        raise Conflict(f"an expert group named '{name}' already exists here", field="name")
    group = ExpertGroup(name=name, specialty=specialty, jurisdiction_id=where.id)
    session.add(group)
    session.flush()
    audit.record(session, actor, "create", "expert_group", group.id, after=audit.snapshot(group))
    return group


def _group(session: Session, group_id: int) -> ExpertGroup:
    group = session.get(ExpertGroup, group_id)
    if group is None or group.retired_at is not None:
        raise NotFound(f"expert group {group_id} not found", field="group_id")
    return group


def _expert(session: Session, expert_id: int) -> Expert:
    expert = session.get(Expert, expert_id)
    if expert is None or expert.retired_at is not None:
        raise NotFound(f"expert {expert_id} not found", field="expert_id")
    return expert


def add_member(session: Session, actor: Actor, *, group_id: int, expert_id: int) -> None:
    """Put an expert into a group (idempotent: a member already there stays once)."""
    group = _group(session, group_id)
    _require(actor, group.jurisdiction.path)
    _expert(session, expert_id)
    if session.get(ExpertGroupMember, (group_id, expert_id)) is not None:
        return
    session.add(ExpertGroupMember(group_id=group_id, expert_id=expert_id))
    session.flush()
    audit.record(
        session, actor, "add_member", "expert_group", group_id, after={"expert_id": expert_id}
    )


def set_on_call(
    session: Session, actor: Actor, *, expert_id: int, starts_on: date, ends_on: date
) -> ExpertOnCall:
    """Put an expert on call for ``starts_on``..``ends_on`` (both days included)."""
    if ends_on < starts_on:
        raise InvalidInput("ends_on must not be before starts_on", field="ends_on")
    expert = _expert(session, expert_id)
    actor.require(EXPERTS.permission, path=expert.jurisdiction.path, what="the expert")
    duty = ExpertOnCall(expert_id=expert.id, starts_on=starts_on, ends_on=ends_on)
    session.add(duty)
    session.flush()
    audit.record(
        session,
        actor,
        "on_call",
        "expert",
        expert.id,
        after={"starts_on": starts_on.isoformat(), "ends_on": ends_on.isoformat()},
    )
    return duty


def on_call_experts(
    session: Session,
    *,
    specialties: Collection[str],
    on: date,
    jurisdiction_path: str | None = None,
) -> list[OnCallExpert]:
    """The experts to call for ``specialties`` on day ``on``.

    An expert is listed once per matching specialty when they sit in a (current) group of
    that specialty and have an on-call period covering ``on``; retired experts and groups
    are left out.  ``jurisdiction_path`` keeps groups of that jurisdiction and those above
    it (a county incident may call the city's and the province's groups); ``None`` keeps
    all.  Sorted by the order of ``specialties`` given, then by name.

    For proposals and drill reports: pass the incident's needed specialties and its local
    date.
    """
    wanted = [s for s in dict.fromkeys(specialties) if s]
    if not wanted:
        return []
    on_duty = select(ExpertOnCall.expert_id).where(
        ExpertOnCall.starts_on <= on, ExpertOnCall.ends_on >= on
    )
    rows = session.execute(
        select(Expert, ExpertGroup)
        .join(ExpertGroupMember, ExpertGroupMember.expert_id == Expert.id)
        .join(ExpertGroup, ExpertGroup.id == ExpertGroupMember.group_id)
        .where(
            ExpertGroup.specialty.in_(wanted),
            ExpertGroup.retired_at.is_(None),
            Expert.retired_at.is_(None),
            Expert.id.in_(on_duty),
        )
    ).all()
    found: dict[tuple[int, str], OnCallExpert] = {}
    for expert, group in rows:
        if jurisdiction_path is not None and not jurisdiction_path.startswith(
            group.jurisdiction.path
        ):
            continue
        found.setdefault(
            (expert.id, group.specialty),
            OnCallExpert(
                expert_id=expert.id,
                name=expert.name,
                unit=expert.organization,
                phone=expert.phone,
                specialty=group.specialty,
                group=group.name,
                title=expert.title,
            ),
        )
    order = {code: i for i, code in enumerate(wanted)}
    return sorted(found.values(), key=lambda e: (order[e.specialty], e.name, e.expert_id))


def notify(
    session: Session,
    actor: Actor,
    *,
    expert_id: int,
    incident_id: int | None = None,
    channel: str = "phone",
    note: str = "",
    at: datetime | None = None,
) -> ExpertContact:
    """Record that ``actor`` contacted an expert (for an incident, when given).

    The row is the fact an incident timeline shows: when, how, by whom.  Contacting is a
    dispatch act, so it needs ``dispatch.write``.
    """
    actor.require("dispatch.write")
    if channel not in CONTACT_CHANNELS:
        raise InvalidInput(f"unknown channel '{channel}'", field="channel")
    if len(note) > 500:
        raise InvalidInput("note must be at most 500 characters", field="note")
    expert = _expert(session, expert_id)
    if incident_id is not None and session.get(Incident, incident_id) is None:
        raise InvalidInput(f"incident {incident_id} does not exist", field="incident_id")
    contact = ExpertContact(
        expert_id=expert.id,
        incident_id=incident_id,
        contacted_at=at or utcnow(),
        channel=channel,
        note=note.strip(),
        user_id=actor.user_id,
        username=actor.username,
    )
    session.add(contact)
    session.flush()
    audit.record(session, actor, "notify", "expert", expert.id, after=audit.snapshot(contact))
    return contact


def contacts(
    session: Session, *, incident_id: int | None = None, expert_id: int | None = None
) -> list[ExpertContact]:
    """Contacts made, oldest first, for one incident and/or one expert."""
    stmt = select(ExpertContact).order_by(ExpertContact.contacted_at, ExpertContact.id)
    if incident_id is not None:
        stmt = stmt.where(ExpertContact.incident_id == incident_id)
    if expert_id is not None:
        stmt = stmt.where(ExpertContact.expert_id == expert_id)
    return list(session.scalars(stmt))


def groups_of(session: Session, expert_id: int) -> list[ExpertGroup]:
    """The current groups an expert sits in."""
    return list(
        session.scalars(
            select(ExpertGroup)
            .join(ExpertGroupMember, ExpertGroupMember.group_id == ExpertGroup.id)
            .where(ExpertGroupMember.expert_id == expert_id, ExpertGroup.retired_at.is_(None))
            .order_by(ExpertGroup.name)
        )
    )


def duties_of(session: Session, expert_id: int, *, from_day: date) -> list[ExpertOnCall]:
    """The expert's on-call periods that end on or after ``from_day``."""
    return list(
        session.scalars(
            select(ExpertOnCall)
            .where(ExpertOnCall.expert_id == expert_id, ExpertOnCall.ends_on >= from_day)
            .order_by(ExpertOnCall.starts_on)
        )
    )


def describe(expert: OnCallExpert) -> dict[str, Any]:
    """The JSON shape of an on-call expert (for API answers and reports)."""
    return {
        "expert_id": expert.expert_id,
        "name": expert.name,
        "unit": expert.unit,
        "phone": expert.phone,
        "specialty": expert.specialty,
        "group": expert.group,
        "title": expert.title,
    }
