"""Filing (备案) a submitted plan: the filing authority, the number, supersession.

Numbers look like ``{authority code}-{year}-{sequence:04d}`` and are unique and gap-free
per authority and year, even when clerks file at the same moment:

* the write transaction starts first (:func:`~responder.models.base.begin_write`:
  ``BEGIN IMMEDIATE`` on SQLite, so two filings queue on the write lock instead of one
  failing on a stale snapshot);
* the plan moves ``submitted -> filed`` with a conditional UPDATE (two clerks filing the
  same plan: the second gets a Conflict, not a second number);
* the counter row of :class:`~responder.models.FilingSequence` is incremented with an
  ``UPDATE ... RETURNING`` in the same transaction: the row lock (PostgreSQL) or the write
  lock (SQLite) serialises filers, and a rolled-back filing takes its number back with it.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from responder.errors import Conflict, InvalidInput
from responder.models import FilingSequence, Jurisdiction, Plan
from responder.models.base import begin_write, rows_changed
from responder.rules import Rules
from responder.services import audit, plan_coverage
from responder.services import plans as plan_service
from responder.services.actors import Actor
from responder.services.workdays import is_late

#: Levels that do not file plans themselves; their plans go to the county above.
NON_FILING_LEVELS = frozenset({"township", "grid"})


def authority_for(plan: Plan) -> Jurisdiction:
    """The jurisdiction whose clerks file ``plan``.

    An enterprise's plan: its own jurisdiction, or the nearest county (or higher) above it
    when it sits in a township or grid.  A government body's plan: the government of the
    same level (办法 Art 25; 2024 办法 Art 26), whatever the level.
    """
    node = plan.jurisdiction
    if plan.owner_kind == "government":
        return node
    while node.level in NON_FILING_LEVELS and node.parent is not None:
        node = node.parent
    return node


def copy_to(plan: Plan) -> Jurisdiction | None:
    """Where a government plan's filing is copied: the emergency management department one
    level up (None for enterprise plans and for the top of the tree)."""
    if plan.owner_kind != "government":
        return None
    return plan.jurisdiction.parent


def file_plan(
    session: Session,
    actor: Actor,
    plan: Plan,
    *,
    rules: Rules,
    today: date,
    filed_on: date | None = None,
) -> Plan:
    """File a submitted plan: assign the number, flag late filing, supersede the version
    it replaces.  ``filed_on`` (default ``today``) lets a clerk record a filing made on
    paper; it may not be in the future nor before publication."""
    begin_write(session)
    session.refresh(plan)
    authority = authority_for(plan)
    actor.require("plans.file", path=authority.path, what="the plan's filing authority")
    filed_on = filed_on or today
    if filed_on > today:
        raise InvalidInput("filed_on cannot be in the future", field="filed_on")
    if plan.published_on is not None and filed_on < plan.published_on:
        raise InvalidInput("filed_on cannot be before the plan was published", field="filed_on")
    if plan.status != "submitted":
        raise Conflict(
            f"only submitted plans can be filed (this one is {plan.status})", field="status"
        )
    missing = plan_service.missing_materials(session, plan, rules)
    if missing:
        raise InvalidInput(
            f"the submission is incomplete (办法 Art 27): {', '.join(missing)} missing; "
            "return it with reasons instead",
            field="documents",
            code="incomplete",
        )
    before = plan_service.snapshot(plan)
    # Lateness is the owner's, judged on the submission day (办法 Art 26).
    submitted_on = plan.submitted_on or (plan.submitted_at.date() if plan.submitted_at else today)
    late = is_late(plan.published_on, submitted_on, rules)
    moved = rows_changed(
        session,
        update(Plan)
        .where(Plan.id == plan.id, Plan.status == "submitted")
        .values(
            status="filed",
            filed_on=filed_on,
            filed_late=late,
            filing_authority_id=authority.id,
            status_note="",
        )
        .execution_options(synchronize_session=False),
    )
    if moved != 1:
        raise Conflict("the plan was filed or returned by someone else meanwhile", field="status")
    sequence = next_sequence(session, authority.id, filed_on.year)
    number = format_number(authority.code, filed_on.year, sequence)
    session.execute(
        update(Plan)
        .where(Plan.id == plan.id)
        .values(filing_number=number)
        .execution_options(synchronize_session=False)
    )
    session.refresh(plan)
    _supersede_previous(session, actor, plan)
    # The UPDATEs above bypass the ORM's flush hook: bring the coverage spans along here.
    plan_coverage.refresh(session, [plan.enterprise_id], rules.counted_plan_types)
    audit.record(
        session,
        actor,
        "file",
        "plan",
        plan.id,
        before=before,
        after=plan_service.snapshot(plan),
        note=number,
    )
    return plan


def format_number(authority_code: str, year: int, sequence: int) -> str:
    return f"{authority_code}-{year}-{sequence:04d}"


def next_sequence(session: Session, authority_id: int, year: int) -> int:
    """Take the next number of ``authority_id`` in ``year`` inside the caller's transaction."""
    bump = (
        update(FilingSequence)
        .where(FilingSequence.authority_id == authority_id, FilingSequence.year == year)
        .values(last_number=FilingSequence.last_number + 1)
        .returning(FilingSequence.last_number)
        .execution_options(synchronize_session=False)
    )
    number = session.execute(bump).scalar_one_or_none()
    if number is not None:
        return int(number)
    try:
        with session.begin_nested():
            session.add(FilingSequence(authority_id=authority_id, year=year, last_number=1))
        return 1
    except IntegrityError:
        # Another filer created the year's row first; ours waits for its lock, then bumps.
        return int(session.execute(bump).scalar_one())


def _supersede_previous(session: Session, actor: Actor, plan: Plan) -> None:
    """When a new version is filed, the version it replaces stops counting that day."""
    if plan.supersedes_id is None:
        return
    old = session.get(Plan, plan.supersedes_id)
    if old is None or old.status != "filed":
        return
    before = plan_service.snapshot(old)
    old.status = "superseded"
    old.superseded_on = plan.filed_on
    old.superseded_by_id = plan.id
    session.flush()
    audit.record(
        session,
        actor,
        "supersede",
        "plan",
        old.id,
        before=before,
        after=plan_service.snapshot(old),
        note=f"by plan {plan.id}",
    )
