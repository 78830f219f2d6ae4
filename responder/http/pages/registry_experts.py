"""Expert groups (专家组) and on-call dates from the pages: the groups page (who is on call
today for each group), a group form, and on the expert's page their groups, on-call dates
and the contacts made.  Writes are :mod:`responder.services.experts` calls, the same as the
API's, with errors shown in the page's language."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required
from sqlalchemy import func, select
from werkzeug.wrappers import Response

from responder.errors import DomainError, InvalidInput
from responder.http.api.experts import local_today
from responder.http.auth import current_actor
from responder.http.pages.form_errors import localized
from responder.http.pages.registry import bp, jurisdiction_options
from responder.models import Expert, ExpertGroup, ExpertGroupMember, db
from responder.services import experts
from responder.services.resources import EXPERTS
from responder.vocabulary import SPECIALTIES


def _flash_error(error: DomainError) -> None:
    flash(localized(error.message), "error")


@bp.get("/expert-groups", endpoint="expert_groups")
@login_required
def expert_groups() -> Any:
    """Every current group with its members and who is on call today."""
    today = local_today()
    groups = db.session.scalars(
        select(ExpertGroup)
        .where(ExpertGroup.retired_at.is_(None))
        .order_by(ExpertGroup.specialty, ExpertGroup.name)
    ).all()
    sizes = dict(
        db.session.execute(
            select(ExpertGroupMember.group_id, func.count()).group_by(ExpertGroupMember.group_id)
        ).all()
    )
    on_call = experts.on_call_experts(db.session, specialties=list(SPECIALTIES), on=today)
    by_group: dict[str, list[experts.OnCallExpert]] = {}
    for person in on_call:
        by_group.setdefault(person.group, []).append(person)
    return render_template(
        "registry/expert_groups.html",
        groups=groups,
        sizes=sizes,
        on_call=by_group,
        today=today,
        options=jurisdiction_options(max_depth=4),
        specialties=SPECIALTIES,
    )


@bp.post("/expert-groups", endpoint="expert_group_new")
@login_required
def expert_group_new() -> Response:
    try:
        jurisdiction_id = _int(request.form.get("jurisdiction_id", ""), "jurisdiction_id")
        group = experts.create_group(
            db.session,
            current_actor(),
            name=request.form.get("name", ""),
            specialty=request.form.get("specialty", ""),
            jurisdiction_id=jurisdiction_id,
        )
        db.session.commit()
        flash(_("已保存：%(name)s", name=group.name), "success")
    except DomainError as error:
        db.session.rollback()
        _flash_error(error)
    return redirect(url_for("registry.expert_groups"))


def _int(text: str, field: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise InvalidInput(f"{field}: Not a valid integer.", field=field) from None


def _date(text: str, field: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InvalidInput("Not a valid date.", field=field) from None


@bp.post("/experts/<int:record_id>/groups", endpoint="expert_join_group")
@login_required
def expert_join_group(record_id: int) -> Response:
    try:
        group_id = _int(request.form.get("group_id", ""), "group_id")
        experts.add_member(db.session, current_actor(), group_id=group_id, expert_id=record_id)
        db.session.commit()
        flash(_("已加入专家组"), "success")
    except DomainError as error:
        db.session.rollback()
        _flash_error(error)
    return redirect(url_for("registry.experts_detail", record_id=record_id) + "#on-call")


@bp.post("/experts/<int:record_id>/on-call", endpoint="expert_on_call")
@login_required
def expert_on_call(record_id: int) -> Response:
    try:
        experts.set_on_call(
            db.session,
            current_actor(),
            expert_id=record_id,
            starts_on=_date(request.form.get("starts_on", ""), "starts_on"),
            ends_on=_date(request.form.get("ends_on", ""), "ends_on"),
        )
        db.session.commit()
        flash(_("已安排值班"), "success")
    except DomainError as error:
        db.session.rollback()
        _flash_error(error)
    return redirect(url_for("registry.experts_detail", record_id=record_id) + "#on-call")


def expert_extras(record: Expert) -> dict[str, Any]:
    """What the expert's page shows besides the record: groups, duties, contacts."""
    today = local_today()
    return {
        "groups": experts.groups_of(db.session, record.id),
        "duties": experts.duties_of(db.session, record.id, from_day=today),
        "contacts": experts.contacts(db.session, expert_id=record.id),
        "all_groups": db.session.scalars(
            select(ExpertGroup)
            .where(ExpertGroup.retired_at.is_(None))
            .order_by(ExpertGroup.specialty, ExpertGroup.name)
        ).all(),
        "today": today,
        "channels": experts.CONTACT_CHANNELS,
    }


@bp.app_context_processor
def _expert_helpers() -> dict[str, Any]:
    return {"expert_extras": expert_extras, "experts_kind": EXPERTS}
