"""Who may act on which plan: the plan lookup, the permission checks and the enterprise-staff
links.

* ``plans.submit`` (clerks, enterprise staff) drafts, edits, submits, withdraws and revises
  plans inside the actor's jurisdiction; enterprise staff only for their own enterprise
  (the :class:`~responder.models.EnterpriseStaff` link) and never government plans.
* ``plans.file`` (clerks) files or returns plans of jurisdictions they cover.
* ``plans.read`` reads plans and their documents, with the same scope rules.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from responder.errors import Conflict, Forbidden, InvalidInput, NotFound
from responder.models import Enterprise, EnterpriseStaff, Plan, User
from responder.services import audit, jurisdictions
from responder.services.actors import Actor


def get(session: Session, plan_id: int) -> Plan:
    plan = session.get(Plan, plan_id)
    if plan is None:
        raise NotFound(f"plan {plan_id} not found")
    return plan


# --- permissions --------------------------------------------------------------------------


def staff_enterprise_ids(session: Session, actor: Actor) -> set[int]:
    """The enterprises an ``enterprise_staff`` actor acts for."""
    if actor.user_id is None:
        return set()
    rows = session.scalars(
        select(EnterpriseStaff.enterprise_id).where(EnterpriseStaff.user_id == actor.user_id)
    )
    return set(rows)


def require_on(session: Session, actor: Actor, permission: str, plan: Plan) -> None:
    """Raise :class:`Forbidden` unless ``actor`` holds ``permission`` for this plan: in
    scope of its jurisdiction and, for enterprise staff, for their own enterprise."""
    actor.require(permission, path=plan.jurisdiction.path, what="the plan")
    if actor.role == "enterprise_staff" and (
        plan.enterprise_id is None or plan.enterprise_id not in staff_enterprise_ids(session, actor)
    ):
        raise Forbidden("you may act only on your own enterprise's plans", field="enterprise_id")


def readable_filter(session: Session, actor: Actor) -> Any:
    """A WHERE clause limiting a plan query to what ``actor`` may read."""
    actor.require("plans.read")
    clauses = []
    if actor.scope_path is not None:
        clauses.append(jurisdictions.subtree_filter(Plan.jurisdiction_id, actor.scope_path))
    if actor.role == "enterprise_staff":
        clauses.append(Plan.enterprise_id.in_(staff_enterprise_ids(session, actor) or {-1}))
    return clauses


def link_staff(session: Session, actor: Actor, *, user_id: int, enterprise_id: int) -> None:
    """Let an ``enterprise_staff`` user act for an enterprise."""
    enterprise = _live_enterprise(session, enterprise_id)
    actor.require("staff.manage", path=enterprise.jurisdiction.path, what="the enterprise")
    user = session.get(User, user_id)
    if user is None:
        raise InvalidInput(f"user {user_id} does not exist", field="user_id")
    if user.role != "enterprise_staff":
        raise InvalidInput(
            "only users with the enterprise_staff role act for enterprises", field="user_id"
        )
    if session.get(EnterpriseStaff, (user_id, enterprise_id)) is not None:
        raise Conflict("this user already acts for this enterprise", field="user_id")
    session.add(EnterpriseStaff(user_id=user_id, enterprise_id=enterprise_id))
    session.flush()
    audit.record(
        session, actor, "link_staff", "enterprise", enterprise_id, after={"user_id": user_id}
    )


def _live_enterprise(session: Session, enterprise_id: int) -> Enterprise:
    enterprise = session.get(Enterprise, enterprise_id)
    if enterprise is None or enterprise.retired_at is not None:
        raise InvalidInput(f"enterprise {enterprise_id} does not exist", field="enterprise_id")
    return enterprise
