"""Real events in a plan's life: drills held (办法 Art 33) and evaluations (办法 Art 35).

Each is a record of its own (who, when, what was found) and moves the plans' cycle dates:
a drill sets ``last_drill_on`` of every plan it exercised, an evaluation the plan's
``last_evaluated_on`` (a later record only ever moves them forward, so recording an old
drill after a newer one changes nothing).  The due dates and the overdue lists read those
columns, so they follow the records at once.

:func:`record_drill` is the one write for drills: the pages, the API and the drill
simulator (a simulator run recorded as a tabletop drill of a plan) all call it.
"""

from __future__ import annotations

import hashlib
from datetime import date
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from responder.errors import Conflict, InvalidInput
from responder.models import Drill, DrillRecord, DrillRecordPlan, EvaluationRecord, Plan
from responder.services import audit, documents
from responder.services import plans as plan_service
from responder.services.actors import Actor
from responder.vocabulary import DRILL_KINDS

#: Plans in these states can be drilled or evaluated (the ones in force or on their way).
LIVE_STATUSES = frozenset({"filed", "submitted", "returned", "draft"})


def record_drill(
    session: Session,
    actor: Actor,
    *,
    plan_ids: list[int],
    held_on: date,
    kind: str,
    today: date,
    participants: int = 0,
    notes: str = "",
    drill_id: int | None = None,
    attachment: bytes | None = None,
    attachment_name: str | None = None,
    documents_root: Path | None = None,
    max_bytes: int = 20 * 1024 * 1024,
) -> DrillRecord:
    """Record a drill held on ``held_on`` exercising ``plan_ids`` (one owner's plans).

    ``kind`` is a :data:`~responder.vocabulary.DRILL_KINDS` code (``tabletop`` for a
    simulator run).  The actor needs ``plans.submit`` on every plan (their own enterprise's
    for enterprise staff); ``drill_id`` links the simulator drill it came from, and a
    drill organizer (``drills.write`` in the plan's jurisdiction) may record a tabletop
    drill of that simulator drill too.  An
    attachment (report, photos: PDF, DOCX, PNG, JPEG) is stored like plan documents.
    """
    wanted = sorted(set(plan_ids))
    if not wanted:
        raise InvalidInput("name the plan or plans the drill exercised", field="plan_ids")
    if kind not in DRILL_KINDS:
        raise InvalidInput(f"unknown drill kind '{kind}'", field="kind")
    if held_on > today:
        raise InvalidInput("held_on cannot be in the future", field="held_on")
    if not isinstance(participants, int) or participants < 0 or participants > 100000:
        raise InvalidInput("participants must be between 0 and 100000", field="participants")
    if len(notes) > 10000:
        raise InvalidInput("notes are limited to 10000 characters", field="notes")
    found = {p.id: p for p in session.scalars(select(Plan).where(Plan.id.in_(wanted)))}
    for plan_id in wanted:
        plan = found.get(plan_id)
        if plan is None:
            raise InvalidInput(f"plan {plan_id} does not exist", field="plan_ids")
        _require_may_record(session, actor, plan, drill_id, kind)
        if plan.status not in LIVE_STATUSES:
            raise Conflict(
                f"plan {plan_id} is {plan.status}; drill its current version", field="plan_ids"
            )
    plans = [found[i] for i in wanted]
    owners = {p.enterprise_id or -p.jurisdiction_id for p in plans}
    if len(owners) > 1:
        raise InvalidInput("a drill record covers the plans of one owner", field="plan_ids")
    record = DrillRecord(
        held_on=held_on,
        kind=kind,
        enterprise_id=plans[0].enterprise_id,
        jurisdiction_id=plans[0].jurisdiction_id,
        participants=participants,
        notes=notes.strip(),
        drill_id=drill_id,
        recorded_by=actor.username,
        plan_rows=[DrillRecordPlan(plan_id=i) for i in wanted],
    )
    if attachment:
        _attach(record, attachment, attachment_name, documents_root, max_bytes)
    session.add(record)
    for plan in plans:
        if plan.last_drill_on is None or plan.last_drill_on < held_on:
            plan.last_drill_on = held_on
    session.flush()
    audit.record(
        session,
        actor,
        "record_drill",
        "drill_record",
        record.id,
        after={
            "held_on": held_on.isoformat(),
            "kind": kind,
            "plan_ids": wanted,
            "participants": participants,
            "drill_id": drill_id,
            "attachment_sha256": record.attachment_sha256,
        },
    )
    return record


def _require_may_record(
    session: Session, actor: Actor, plan: Plan, drill_id: int | None, kind: str
) -> None:
    """Plan staff record drills of their plans; the organizer of a simulator drill records
    it as a tabletop drill of plans in their jurisdiction."""
    if drill_id is not None and kind == "tabletop" and actor.can("drills.write"):
        if session.get(Drill, drill_id) is None:
            raise InvalidInput(f"drill {drill_id} does not exist", field="drill_id")
        actor.require("drills.write", path=plan.jurisdiction.path, what="the plan")
        return
    plan_service.require_on(session, actor, "plans.submit", plan)


def _attach(
    record: DrillRecord,
    content: bytes,
    name: str | None,
    root: Path | None,
    max_bytes: int,
) -> None:
    if root is None:
        raise InvalidInput("attachments need the documents directory", field="attachment")
    if len(content) > max_bytes:
        raise InvalidInput(
            f"the file is {len(content)} bytes; the limit is {max_bytes}",
            field="attachment",
            code="too_large",
        )
    content_type = documents.sniff(content)
    if content_type is None:
        raise InvalidInput(
            "only PDF, DOCX, PNG and JPEG files are accepted (judged by their content)",
            field="attachment",
            code="unsupported_type",
        )
    digest = hashlib.sha256(content).hexdigest()
    documents.write_once(documents.storage_path(root, digest), content)
    record.attachment_sha256 = digest
    record.attachment_name = documents.clean_filename(name, content_type)
    record.attachment_type = content_type


def record_evaluation(
    session: Session,
    actor: Actor,
    *,
    plan_id: int,
    held_on: date,
    conclusion: str,
    revision_needed: bool,
    today: date,
) -> EvaluationRecord:
    """Record an evaluation of a plan held on ``held_on``; it restarts the plan's
    evaluation cycle.  ``revision_needed``: the evaluation found the plan must be revised
    (the owner then starts a new version, 办法 Art 36)."""
    plan = plan_service.get(session, plan_id)
    plan_service.require_on(session, actor, "plans.submit", plan)
    if plan.status not in LIVE_STATUSES:
        raise Conflict(
            f"plan {plan_id} is {plan.status}; evaluate its current version", field="plan_id"
        )
    if held_on > today:
        raise InvalidInput("held_on cannot be in the future", field="held_on")
    if plan.published_on is not None and held_on < plan.published_on:
        raise InvalidInput("held_on cannot be before the plan was published", field="held_on")
    text = conclusion.strip()
    if not text:
        raise InvalidInput("state the evaluation's conclusion", field="conclusion")
    if len(text) > 10000:
        raise InvalidInput("the conclusion is limited to 10000 characters", field="conclusion")
    record = EvaluationRecord(
        plan_id=plan.id,
        held_on=held_on,
        conclusion=text,
        revision_needed=bool(revision_needed),
        recorded_by=actor.username,
    )
    session.add(record)
    if plan.last_evaluated_on is None or plan.last_evaluated_on < held_on:
        plan.last_evaluated_on = held_on
    session.flush()
    audit.record(
        session,
        actor,
        "record_evaluation",
        "plan",
        plan.id,
        after={
            "evaluation_id": record.id,
            "held_on": held_on.isoformat(),
            "revision_needed": record.revision_needed,
        },
    )
    return record


def drills_of(session: Session, plan_id: int) -> list[DrillRecord]:
    """The drill records exercising a plan, newest first."""
    return list(
        session.scalars(
            select(DrillRecord)
            .join(DrillRecordPlan, DrillRecordPlan.drill_record_id == DrillRecord.id)
            .where(DrillRecordPlan.plan_id == plan_id)
            .order_by(DrillRecord.held_on.desc(), DrillRecord.id.desc())
        )
    )


def evaluations_of(session: Session, plan_id: int) -> list[EvaluationRecord]:
    """A plan's evaluation records, newest first."""
    return list(
        session.scalars(
            select(EvaluationRecord)
            .where(EvaluationRecord.plan_id == plan_id)
            .order_by(EvaluationRecord.held_on.desc(), EvaluationRecord.id.desc())
        )
    )
