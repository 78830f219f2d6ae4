"""The key-county form (重点县) on a county's page: mark it key for hazardous chemicals
(危化品重点县) and/or mining (矿山重点县).

A ticked box is ``true``, an unticked one ``false``, passed to the same service call as the
API's PATCH (:func:`responder.services.jurisdictions.update`: role check, the county-only
rule and the audit are there).
CSRF: the form carries the page's token (checked for every page write by
:mod:`responder.http.auth`).  A refused value re-renders the county's page (422) with the
message beside the checkbox; a wrong role gets the 403 page.
"""

from __future__ import annotations

from typing import Any

from flask import flash, g, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import login_required

from responder.errors import InvalidInput
from responder.http.auth import current_actor
from responder.http.pages.form_errors import localized
from responder.http.pages.registry import bp, jurisdictions_detail
from responder.models import Jurisdiction, db
from responder.services import jurisdictions

#: The form's checkboxes: the jurisdiction attribute and its label.
KEY_FIELDS: tuple[tuple[str, Any], ...] = (
    ("key_hazchem", _l("危化品重点县")),
    ("key_mining", _l("矿山重点县")),
)


@bp.post("/jurisdictions/<int:record_id>/key-county", endpoint="jurisdiction_key_county")
@login_required
def key_county(record_id: int) -> Any:
    """Set both marks from the checkboxes (an unticked box clears its mark)."""
    node = jurisdictions.by_id_or_404(db.session, record_id)
    data = {name: bool(request.form.get(name)) for name, _label in KEY_FIELDS}
    try:
        jurisdictions.update(db.session, current_actor(), node, data)
        db.session.commit()
    except InvalidInput as error:
        db.session.rollback()
        message = (
            _("只有县级行政区划可以标为重点县")
            if node.level != "county"
            else localized(error.message)
        )
        return _refused(record_id, {error.field or "key_hazchem": message})
    marks = [str(label) for name, label in KEY_FIELDS if getattr(node, name)]
    flash(
        _("已保存：%(name)s 重点县标记（%(marks)s）", name=node.name, marks="、".join(marks))
        if marks
        else _("已保存：%(name)s 不是重点县", name=node.name),
        "success",
    )
    return redirect(url_for("registry.jurisdictions_detail", record_id=record_id))


def _refused(record_id: int, errors: dict[str, str]) -> tuple[Any, int]:
    """The county's page again, unchanged, with the messages beside the checkboxes."""
    g.key_county_errors = errors
    return jurisdictions_detail(record_id), 422


def key_county_form(node: Jurisdiction) -> dict[str, Any] | None:
    """What the county page's key-county form needs (``None``: not shown, the node is not
    a county and nothing was refused): the boxes with their state, whether the user may
    change them, and any refusal."""
    errors = g.get("key_county_errors", {})
    if node.level != "county" and not errors:
        return None
    actor = g.get("actor")
    return {
        "fields": [(name, label, bool(getattr(node, name))) for name, label in KEY_FIELDS],
        "can_edit": actor is not None and actor.can("jurisdictions.write"),
        "errors": errors,
    }


@bp.app_context_processor
def _key_county_helpers() -> dict[str, Any]:
    return {"key_county_form": key_county_form}
