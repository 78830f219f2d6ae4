"""Jurisdiction forms: add a subdivision, edit (name, code, parent, boundary), delete.

The tree does not fit :class:`~responder.http.pages.registry_forms.FormSpec` (a parent
instead of a location, a level that follows from the parent, a boundary file), so it has its
own small views; the path is the same as every registry form: the API's schema
(:class:`~responder.http.api.jurisdictions.JurisdictionSchema`, and its update schema for an
edit), then the same service call as the API (:func:`responder.services.jurisdictions.create`,
``update``, ``delete``), so a bad value gets the API's field and message, worded in Chinese
beside the field on a Chinese page.  Role and jurisdiction checks and the audit are the
service's; CSRF is checked for every page write by :mod:`responder.http.auth`.

A boundary is replaced by uploading one GeoJSON file (a Polygon/MultiPolygon geometry, a
Feature or a one-feature FeatureCollection); boundaries of many jurisdictions at once come
from the import page (``/admin/jurisdictions/import``).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from flask import flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import login_required
from werkzeug.datastructures import FileStorage

from responder.errors import Conflict, DomainError
from responder.http.api.jurisdictions import JurisdictionSchema, JurisdictionUpdateSchema
from responder.http.auth import current_actor
from responder.http.pages.form_errors import localized
from responder.http.pages.key_counties import KEY_FIELDS
from responder.http.pages.registry import bp, jurisdiction_options
from responder.http.pages.registry_forms import Errors, validated
from responder.models import Jurisdiction, db
from responder.services import jurisdictions
from responder.services.actors import Actor
from responder.vocabulary import JURISDICTION_LEVELS, LEVEL_DEPTH

PERMISSION = "jurisdictions.write"

#: Words for the tables that may still refer to a jurisdiction (see ``references``).
REFERENCE_LABELS: dict[str, Any] = {
    "jurisdictions": _l("下级行政区划"),
    "teams": _l("救援队伍"),
    "bases": _l("救援基地"),
    "depots": _l("物资储备库"),
    "experts": _l("专家"),
    "expert_groups": _l("专家组"),
    "enterprises": _l("企业"),
    "users": _l("用户账号"),
    "plans": _l("应急预案"),
    "filing_sequences": _l("备案编号序列"),
    "incidents": _l("事件"),
    "drills": _l("演练"),
    "drill_records": _l("演练记录"),
}


def _next_level(parent: Jurisdiction | None) -> str:
    """The level a new subdivision of ``parent`` usually has (a province for a root)."""
    levels = list(JURISDICTION_LEVELS)
    if parent is None:
        return levels[0]
    return levels[min(LEVEL_DEPTH[parent.level] + 1, len(levels) - 1)]


def _parent_options(actor: Actor, node: Jurisdiction | None) -> list[Jurisdiction]:
    """Nodes that may take a subdivision: in the actor's scope, above the lowest level,
    and (for an edit) neither the node itself nor anything under it."""
    lowest = list(JURISDICTION_LEVELS)[-1]
    return [
        option
        for option in jurisdiction_options(max_depth=len(JURISDICTION_LEVELS) - 2)
        if option.level != lowest
        and actor.covers(option.path)
        and (node is None or not option.path.startswith(node.path))
    ]


def _boundary_upload(upload: FileStorage | None) -> Any:
    """The uploaded GeoJSON as the service takes it, or None when no file was chosen.

    A one-feature FeatureCollection (what most GIS tools save) is unwrapped; anything else
    is passed on as text for the service to accept or refuse with its own message."""
    if upload is None or not upload.filename:
        return None
    text = upload.read().decode("utf-8-sig", errors="replace")
    try:
        parsed = json.loads(text)
    except json.JSONDecodeError:
        return text
    if isinstance(parsed, dict) and parsed.get("type") == "FeatureCollection":
        features = parsed.get("features") or []
        if len(features) == 1:
            return features[0]
    return parsed


def _form_data(form: Mapping[str, Any], *, creating: bool) -> dict[str, Any]:
    """The form as API input: texts as typed, the parent as given ("" = a root)."""
    data: dict[str, Any] = {}
    for name in ("name", "code") + (("level",) if creating else ()):
        data[name] = str(form.get(name, ""))
    parent = str(form.get("parent_id", "")).strip()
    data["parent_id"] = parent or None
    boundary = _boundary_upload(request.files.get("boundary_file"))
    if boundary is not None:
        data["boundary"] = boundary
    if creating or form.get("key_marks") == "1":
        # The key-county checkboxes are shown when creating and on a county's own form
        # (the hidden ``key_marks`` says so); an unticked box clears its mark.
        for name in jurisdictions.KEY_FLAGS:
            data[name] = bool(form.get(name))
    return data


def _place_error(error: DomainError, errors: Errors) -> None:
    """A service refusal beside its field; scope refusals beside the parent when it was
    the parent that lay outside, else at the top of the form."""
    name = error.field or "_form"
    if name == "jurisdiction":
        name = "parent_id" if error.message.startswith("parent") else "_form"
    errors.setdefault(name, error.message)


def save(node: Jurisdiction | None, form: Mapping[str, Any]) -> tuple[Jurisdiction | None, Errors]:
    """Validate as the API does and write through the service; the node written
    (committed) or the errors by field (nothing written)."""
    errors: Errors = {}
    creating = node is None
    data = _form_data(form, creating=creating)
    if creating:
        loaded = validated(JurisdictionSchema, data, partial=False, errors=errors)
    else:
        loaded = validated(JurisdictionUpdateSchema, data, partial=True, errors=errors)
    if errors:
        return None, errors
    try:
        if node is None:
            node = jurisdictions.create(db.session, current_actor(), loaded)
        else:
            jurisdictions.update(db.session, current_actor(), node, loaded)
        db.session.commit()
    except DomainError as error:
        db.session.rollback()
        _place_error(error, errors)
        return None, errors
    return node, {}


def _render(
    node: Jurisdiction | None, values: Mapping[str, Any], errors: Errors, status: int = 200
) -> Any:
    actor = current_actor()
    body = render_template(
        "registry/jurisdiction_form.html",
        node=node,
        values=values,
        errors={name: localized(message) for name, message in errors.items()},
        parents=_parent_options(actor, node),
        may_be_root=actor.scope_path is None,
        levels=JURISDICTION_LEVELS,
        key_fields=KEY_FIELDS,
        action=(
            url_for("registry.jurisdiction_edit", record_id=node.id)
            if node is not None
            else url_for("registry.jurisdiction_new")
        ),
        cancel_url=(
            url_for("registry.jurisdictions_detail", record_id=node.id)
            if node is not None
            else _parent_url(values.get("parent_id"))
        ),
    )
    return body, status


def _parent_url(parent_id: Any) -> str:
    if parent_id:
        return url_for("registry.jurisdictions_detail", record_id=parent_id)
    return url_for("registry.jurisdictions_tree")


def _resubmitted(form: Mapping[str, Any]) -> dict[str, Any]:
    values = {key: form.get(key, "") for key in ("name", "code", "level", "parent_id")}
    return values | {name: bool(form.get(name)) for name in jurisdictions.KEY_FLAGS}


@bp.route("/jurisdictions/new", methods=["GET", "POST"], endpoint="jurisdiction_new")
@login_required
def jurisdiction_new() -> Any:
    """A new subdivision: ``?parent_id=`` chooses the parent, whose next level is preset."""
    actor = current_actor()
    actor.require(PERMISSION)
    if request.method == "POST":
        node, errors = save(None, request.form)
        if node is None:
            return _render(None, _resubmitted(request.form), errors, 422)
        flash(_("已保存：%(name)s", name=node.name), "success")
        return redirect(url_for("registry.jurisdictions_detail", record_id=node.id))
    parent_id = request.args.get("parent_id", type=int)
    parent = jurisdictions.get(db.session, parent_id, field="parent_id") if parent_id else None
    values = {"parent_id": parent.id if parent else "", "level": _next_level(parent)}
    return _render(None, values, {})


@bp.route(
    "/jurisdictions/<int:record_id>/edit", methods=["GET", "POST"], endpoint="jurisdiction_edit"
)
@login_required
def jurisdiction_edit(record_id: int) -> Any:
    node = jurisdictions.by_id_or_404(db.session, record_id)
    current_actor().require(PERMISSION, path=node.path, what="jurisdiction")
    if request.method == "POST":
        saved, errors = save(node, request.form)
        if saved is None:
            node = jurisdictions.by_id_or_404(db.session, record_id)
            return _render(node, _resubmitted(request.form), errors, 422)
        flash(_("已保存：%(name)s", name=saved.name), "success")
        return redirect(url_for("registry.jurisdictions_detail", record_id=saved.id))
    values: dict[str, Any] = {"name": node.name, "code": node.code}
    values |= {"parent_id": node.parent_id or ""}
    values |= {name: getattr(node, name) for name in jurisdictions.KEY_FLAGS}
    return _render(node, values, {})


@bp.route(
    "/jurisdictions/<int:record_id>/delete",
    methods=["GET", "POST"],
    endpoint="jurisdiction_delete",
)
@login_required
def jurisdiction_delete(record_id: int) -> Any:
    """A confirmation that says what still refers to the node (then deleting is refused,
    as the API refuses it); the POST deletes through the service."""
    node = jurisdictions.by_id_or_404(db.session, record_id)
    current_actor().require(PERMISSION, path=node.path, what="jurisdiction")
    if request.method == "POST":
        parent_id = node.parent_id
        name = node.name
        try:
            jurisdictions.delete(db.session, current_actor(), node)
            db.session.commit()
        except Conflict as error:
            db.session.rollback()
            node = jurisdictions.by_id_or_404(db.session, record_id)
            return _render_delete(node, dict(error.details or {}), 409)
        flash(_("已删除：%(name)s", name=name), "success")
        return redirect(_parent_url(parent_id))
    return _render_delete(node, jurisdictions.references(db.session, node))


def _render_delete(node: Jurisdiction, left: dict[str, int], status: int = 200) -> Any:
    remaining = [(str(REFERENCE_LABELS.get(table, table)), count) for table, count in left.items()]
    body = render_template("registry/jurisdiction_delete.html", node=node, remaining=remaining)
    return body, status


def may_edit(node: Jurisdiction | None = None) -> bool:
    """Whether the signed-in user may write the tree (at ``node``, when given): the
    service's own check, asked before showing a button."""
    actor = g.get("actor")
    if actor is None or not actor.can(PERMISSION):
        return False
    return node is None or actor.covers(node.path)


@bp.app_context_processor
def _helpers() -> dict[str, Any]:
    return {"may_edit_jurisdiction": may_edit}
