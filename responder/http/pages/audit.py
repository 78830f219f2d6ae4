"""The audit log for administrators: newest first, filtered by record, user and date."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from flask import Blueprint, render_template, request
from flask_babel import gettext as _
from flask_login import login_required
from sqlalchemy import select

from responder.errors import InvalidInput
from responder.http.auth import current_actor
from responder.models import AuditEntry, User, db
from responder.services import audit

bp = Blueprint("audit_pages", __name__)
PER_PAGE = 50


def _int(name: str) -> int | None:
    raw = request.args.get(name, "").strip()
    if not raw:
        return None
    try:
        value = int(raw)
    except ValueError:
        raise InvalidInput(_("%(name)s 必须是整数", name=name), field=name) from None
    if value < 1:
        raise InvalidInput(_("%(name)s 不能小于 %(min)d", name=name, min=1), field=name)
    return value


def _since() -> datetime | None:
    raw = request.args.get("since", "").strip()
    if not raw:
        return None
    try:
        return datetime.fromisoformat(raw).replace(tzinfo=UTC)
    except ValueError:
        raise InvalidInput(_("日期格式应为 YYYY-MM-DD"), field="since") from None


def changes(entry: AuditEntry) -> list[tuple[str, Any, Any]]:
    """(field, before, after) for each value that differs; every value for a create."""
    before, after = entry.before or {}, entry.after or {}
    keys = [k for k in after if k not in {"updated_at", "created_at"}]
    keys += [k for k in before if k not in after]
    return [(k, before.get(k), after.get(k)) for k in keys if before.get(k) != after.get(k)]


@bp.get("/audit")
@login_required
def audit_log() -> Any:
    current_actor().require("audit.read")
    entity = request.args.get("entity", "").strip() or None
    if entity is not None and len(entity) > 40:
        raise InvalidInput(_("对象类型过长"), field="entity")
    page = _int("page") or 1
    items, total = audit.entries(
        db.session,
        entity=entity,
        entity_id=_int("entity_id"),
        user_id=_int("user_id"),
        since=_since(),
        offset=(page - 1) * PER_PAGE,
        limit=PER_PAGE,
    )
    entities = db.session.scalars(
        select(AuditEntry.entity).distinct().order_by(AuditEntry.entity)
    ).all()
    users = db.session.scalars(select(User).order_by(User.username)).all()
    return render_template(
        "audit.html",
        items=items,
        total=total,
        page=page,
        pages=max(1, -(-total // PER_PAGE)),
        entities=entities,
        users=users,
        changes=changes,
    )
