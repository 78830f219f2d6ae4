"""A drill run's evaluation (what went well, gaps, actions with owners and due dates) and
recording the run as a tabletop drill of the plans it exercised (办法 Art 33).

The plans offered are the filed plans shown with a live proposal for the same incidents
(政企预案衔接, :func:`responder.services.plans.for_incident`): the enterprise plans of the
enterprises the incidents were placed on, and the government plans for the incident
types from the incident's jurisdiction up.  Recording goes through
:func:`responder.services.plan_records.record_drill` (one record per plan owner), so the
plans' drill due dates and the clerk's overdue-drill list move at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from responder.errors import Conflict, InvalidInput
from responder.models import Drill, DrillRun, Enterprise, Plan, utcnow
from responder.services import audit, jurisdictions, plan_records
from responder.services import plans as plan_service
from responder.services.actors import Actor
from responder.services.drills.scenarios import require_owner

MAX_TEXT = 4000
MAX_ACTIONS = 50


@dataclass(frozen=True)
class _Placed:
    """What :func:`plans.for_incident` reads of an incident."""

    type: str
    enterprise_id: int | None
    jurisdiction_id: int | None


def evaluate(
    session: Session, actor: Actor, drill: Drill, drill_run: DrillRun, data: dict[str, Any]
) -> dict[str, Any]:
    """Save the evaluation of a run (the drill's owner or an admin): ``went_well`` and
    ``gaps`` (text) and ``actions`` ([{action, owner, due_on}], each with an owner and a due
    date).  Replaces the previous evaluation; the plan drill records made stay."""
    require_owner(actor, drill)
    went_well = _text(data.get("went_well"), "went_well")
    gaps = _text(data.get("gaps"), "gaps")
    actions = _actions(data.get("actions") or [])
    if not (went_well or gaps or actions):
        raise InvalidInput("write what went well, the gaps or an action", field="went_well")
    before = drill_run.evaluation
    evaluation = {
        **(before or {}),
        "went_well": went_well,
        "gaps": gaps,
        "actions": actions,
        "updated_at": utcnow().isoformat(),
        "updated_by": actor.username,
    }
    drill_run.evaluation = evaluation
    session.flush()
    audit.record(
        session,
        actor,
        "evaluate",
        "drill_run",
        drill_run.id,
        before=before,
        after=evaluation,
    )
    return evaluation


def _text(value: Any, field: str) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise InvalidInput(f"{field} must be text", field=field)
    if len(value) > MAX_TEXT:
        raise InvalidInput(f"{field} is limited to {MAX_TEXT} characters", field=field)
    return value.strip()


def _actions(rows: Any) -> list[dict[str, str]]:
    if not isinstance(rows, list) or len(rows) > MAX_ACTIONS:
        raise InvalidInput(f"actions must be a list of at most {MAX_ACTIONS}", field="actions")
    out = []
    for i, row in enumerate(rows):
        if not isinstance(row, dict):
            raise InvalidInput("each action needs action, owner and due_on", field=f"actions.{i}")
        action = _text(row.get("action"), f"actions.{i}.action")
        owner = _text(row.get("owner"), f"actions.{i}.owner")
        due = row.get("due_on")
        if not (action or owner or due):
            continue  # an empty row of the form
        if not action:
            raise InvalidInput("say what is to be done", field=f"actions.{i}.action")
        if not owner:
            raise InvalidInput("name who owns the action", field=f"actions.{i}.owner")
        if not isinstance(due, date):
            raise InvalidInput("give the action a due date", field=f"actions.{i}.due_on")
        out.append({"action": action, "owner": owner[:200], "due_on": due.isoformat()})
    return out


def plan_choices(session: Session, drill_run: DrillRun) -> list[dict[str, Any]]:
    """The filed plans a run exercised, each once: the enterprise plans of the enterprises
    its incidents were placed on, then the government plans for the incident types.
    ``recorded`` says whether this run was already recorded as a drill of the plan."""
    recorded = {
        plan_id
        for row in (drill_run.evaluation or {}).get("records", [])
        for plan_id in row["plan_ids"]
    }
    found: dict[int, dict[str, Any]] = {}
    for entry in drill_run.results.get("incidents", []):
        incident = entry["incident"]
        where = jurisdictions.locate(session, incident["lon"], incident["lat"])
        placed = _Placed(
            type=incident["type"],
            enterprise_id=incident.get("enterprise_id"),
            jurisdiction_id=where.id if where else None,
        )
        for plan in plan_service.for_incident(session, placed):
            if plan["id"] in found:
                continue
            owner = (
                session.get(Enterprise, plan["enterprise_id"]) if plan["enterprise_id"] else None
            )
            found[plan["id"]] = {
                **plan,
                "owner": owner.name if owner else _body(session, plan["id"]),
                "recorded": plan["id"] in recorded,
            }
    return sorted(found.values(), key=lambda p: (p["role"] != "enterprise", p["id"]))


def _body(session: Session, plan_id: int) -> str:
    plan = session.get(Plan, plan_id)
    return (plan.owner_body or plan.jurisdiction.name) if plan else ""


def record_plan_drills(
    session: Session,
    actor: Actor,
    drill: Drill,
    drill_run: DrillRun,
    *,
    plan_ids: list[int],
    today: date,
    timezone: str,
    participants: int = 0,
) -> list[int]:
    """Record the run as a tabletop drill (held on the run's local day) of the chosen
    plans, one record per plan owner, each linked to the drill; returns the record ids.

    The plans must be among :func:`plan_choices` and not yet recorded for this run, and
    the run must carry an evaluation (it goes into the records' notes).
    """
    require_owner(actor, drill)
    evaluation = drill_run.evaluation or {}
    if not any(evaluation.get(k) for k in ("went_well", "gaps", "actions")):
        raise InvalidInput("save the evaluation first", field="evaluation")
    wanted = sorted(set(plan_ids))
    if not wanted:
        raise InvalidInput("tick the plans this drill exercised", field="plan_ids")
    choices = {p["id"]: p for p in plan_choices(session, drill_run)}
    for plan_id in wanted:
        if plan_id not in choices:
            raise InvalidInput(
                f"plan {plan_id} is not a plan of this drill's incidents", field="plan_ids"
            )
        if choices[plan_id]["recorded"]:
            raise Conflict(
                f"this run is already recorded as a drill of plan {plan_id}", field="plan_ids"
            )
    held_on = _local_day(drill_run.started_at, timezone)
    owners: dict[tuple[str, int], list[int]] = {}
    for plan_id in wanted:
        plan = choices[plan_id]
        key = (
            ("enterprise", plan["enterprise_id"])
            if plan["enterprise_id"]
            else ("government", plan["jurisdiction_id"])
        )
        owners.setdefault(key, []).append(plan_id)
    notes = _notes(drill, drill_run, evaluation)
    rows = list(evaluation.get("records", []))
    ids = []
    for group in owners.values():
        record = plan_records.record_drill(
            session,
            actor,
            plan_ids=group,
            held_on=held_on,
            kind="tabletop",
            today=today,
            participants=participants,
            notes=notes,
            drill_id=drill.id,
        )
        ids.append(record.id)
        rows.append(
            {
                "record_id": record.id,
                "plan_ids": group,
                "held_on": held_on.isoformat(),
                "by": actor.username,
            }
        )
    drill_run.evaluation = {**evaluation, "records": rows}
    session.flush()
    audit.record(
        session,
        actor,
        "record_plan_drill",
        "drill_run",
        drill_run.id,
        after={"drill_id": drill.id, "record_ids": ids, "plan_ids": wanted},
    )
    return ids


def _local_day(moment: datetime, timezone: str) -> date:
    return moment.astimezone(ZoneInfo(timezone)).date()


def _notes(drill: Drill, drill_run: DrillRun, evaluation: dict[str, Any]) -> str:
    lines = [f"桌面演练（演练模拟）: {drill.name}, drill {drill.id} run {drill_run.id}"]
    if evaluation.get("went_well"):
        lines.append(f"做得好 went well: {evaluation['went_well']}")
    if evaluation.get("gaps"):
        lines.append(f"不足 gaps: {evaluation['gaps']}")
    for action in evaluation.get("actions", []):
        lines.append(f"整改 action: {action['action']} — {action['owner']}, {action['due_on']}")
    return "\n".join(lines)[:10000]
