"""Registry forms: create, edit, retire and "verified today" for every kind, from the pages.

A form is the API's own marshmallow schema fed with the form's fields, then the same service
call the API makes (:mod:`responder.services.registry`, :mod:`responder.services.inventory`):
one validation path, one write path, so a bad value gets the same field and the same message
on the page as from the API (in English; in Chinese the page words it in Chinese beside the
field, see :mod:`responder.http.pages.form_errors`).  Role and jurisdiction checks are the
services', and every write is audited there.  CSRF: every POST carries the form's token
(checked for every page write by :mod:`responder.http.auth`).

Coordinates are typed in WGS-84, GCJ-02 or BD-09 (the form says which) or picked by clicking
the map (always WGS-84); they are stored in WGS-84 (:mod:`responder.crs`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from flask import abort, current_app, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import login_required
from marshmallow import Schema, ValidationError
from sqlalchemy import select
from werkzeug.wrappers import Response

from responder import crs, mapping
from responder.errors import DomainError
from responder.http.api.depots import DepotSchema, InventoryLinePatch, InventoryLineSchema
from responder.http.api.enterprises import EnterpriseSchema, HazardSourceSchema
from responder.http.api.experts import ExpertSchema
from responder.http.api.materials import MaterialSchema
from responder.http.api.teams import BaseSchema, TeamSchema
from responder.http.auth import current_actor
from responder.http.pages import maps
from responder.http.pages.form_errors import localized
from responder.http.pages.registry import LISTINGS, bp, jurisdiction_options
from responder.localization import current_language
from responder.models import Enterprise, Jurisdiction, Material, RescueBase, db
from responder.services import inventory, registry
from responder.services.registry import ResourceKind
from responder.services.resources import (
    BASES,
    DEPOTS,
    ENTERPRISES,
    EXPERTS,
    HAZARD_SOURCES,
    MATERIALS,
    TEAMS,
    UNAVAILABLE_REASONS,
)
from responder.vocabulary import (
    ENTERPRISE_SCALES,
    HAZARD_GRADES,
    INDUSTRIES,
    SPECIALTIES,
    TEAM_KINDS,
    TEAM_LEVELS,
    Vocabulary,
)

Errors = dict[str, str]

#: English labels of the coordinate systems (the Chinese ones are :data:`crs.CRS_LABELS`).
CRS_LABELS_EN: dict[str, str] = {
    "wgs84": "WGS-84 (GPS/OSM)",
    "gcj02": "GCJ-02 (Amap/Tencent)",
    "bd09": "BD-09 (Baidu)",
    "cgcs2000": "CGCS2000 (national datum)",
}


@dataclass(frozen=True)
class Field:
    """One input of a form: the API field name, its label and how it is typed.

    ``widget`` is one of text, textarea, number, select, multi (check boxes), checkbox, date,
    datetime, base, enterprise, jurisdiction, substances.
    """

    name: str
    label: Any
    widget: str = "text"
    vocabulary: Vocabulary | None = None
    required: bool = False
    step: str = "any"
    maxlength: int | None = None


@dataclass(frozen=True)
class FormSpec:
    """How one registry kind is edited from the pages."""

    slug: str
    kind: ResourceKind
    schema: type[Schema]
    fields: tuple[Field, ...]
    located: bool = False
    #: Fields a new record takes from the URL (a hazard source's enterprise).
    from_query: tuple[str, ...] = ()

    @property
    def title(self) -> Any:
        return LISTINGS[self.slug].title if self.slug in LISTINGS else _l("应急物资目录")


def _name(label: Any = None) -> Field:
    return Field("name", label or _l("名称"), required=True, maxlength=200)


FORMS: dict[str, FormSpec] = {
    spec.slug: spec
    for spec in (
        FormSpec(
            "teams",
            TEAMS,
            TeamSchema,
            (
                _name(),
                Field("specialties", _l("专业"), "multi", SPECIALTIES, required=True),
                Field("level", _l("级别"), "select", TEAM_LEVELS, required=True),
                Field("kind", _l("性质"), "select", TEAM_KINDS, required=True),
                Field("headcount", _l("人数"), "number", step="1"),
                Field("mobilization_min", _l("出动准备时间（分钟，空=按性质默认）"), "number"),
                Field("base_id", _l("所属基地"), "base"),
                Field("contact_name", _l("联系人"), maxlength=100),
                Field("contact_phone", _l("联系电话"), maxlength=40),
                Field("equipment", _l("装备"), "textarea", maxlength=5000),
            ),
            located=True,
        ),
        FormSpec(
            "bases",
            BASES,
            BaseSchema,
            (
                _name(),
                Field("specialties", _l("专业"), "multi", SPECIALTIES),
                Field("level", _l("级别"), "select", TEAM_LEVELS, required=True),
                Field("address", _l("地址"), maxlength=300),
                Field("contact", _l("联系方式"), maxlength=200),
                Field("notes", _l("备注"), "textarea", maxlength=5000),
            ),
            located=True,
        ),
        FormSpec(
            "depots",
            DEPOTS,
            DepotSchema,
            (
                _name(),
                Field("operator", _l("运营单位"), maxlength=200),
                Field("level", _l("级别"), "select", TEAM_LEVELS, required=True),
                Field("base_id", _l("所属基地"), "base"),
                Field("address", _l("地址"), maxlength=300),
                Field("contact", _l("联系方式"), maxlength=200),
            ),
            located=True,
        ),
        FormSpec(
            "experts",
            EXPERTS,
            ExpertSchema,
            (
                _name(_l("姓名")),
                Field("specialties", _l("专业"), "multi", SPECIALTIES, required=True),
                Field("title", _l("职称"), maxlength=100),
                Field("organization", _l("单位"), maxlength=200),
                Field("phone", _l("电话"), maxlength=40),
                Field("jurisdiction_id", _l("行政区划"), "jurisdiction", required=True),
            ),
        ),
        FormSpec(
            "enterprises",
            ENTERPRISES,
            EnterpriseSchema,
            (
                _name(),
                Field("credit_code", _l("统一社会信用代码"), required=True, maxlength=18),
                Field("industry", _l("行业"), "select", INDUSTRIES, required=True),
                Field("scale", _l("规模"), "select", ENTERPRISE_SCALES),
                Field("address", _l("地址"), maxlength=300),
                Field("contact", _l("联系方式"), maxlength=200),
            ),
            located=True,
        ),
        FormSpec(
            "hazard_sources",
            HAZARD_SOURCES,
            HazardSourceSchema,
            (
                Field("enterprise_id", _l("企业"), "enterprise", required=True),
                _name(),
                Field("grade", _l("等级"), "select", HAZARD_GRADES, required=True),
                Field("substances", _l("危险物质（名称:吨数，用 ; 分隔）"), "substances"),
                Field("monitored", _l("在线监控"), "checkbox"),
            ),
            from_query=("enterprise_id",),
        ),
        FormSpec(
            "materials",
            MATERIALS,
            MaterialSchema,
            (
                Field("code", _l("物资代码"), required=True, maxlength=40),
                Field("name_zh", _l("中文名称"), required=True, maxlength=100),
                Field("name_en", _l("英文名称"), maxlength=100),
                Field("unit", _l("单位"), required=True, maxlength=20),
                Field("category", _l("类别"), maxlength=40),
            ),
        ),
    )
}


# --- reading a submitted form ---------------------------------------------------------------


def _substances(text: str) -> list[dict[str, Any]] | str:
    """``氯气:50;液氨`` -> substance items; a bad quantity is left for the schema to refuse."""
    items: list[dict[str, Any]] = []
    for part in [p.strip() for p in text.replace("；", ";").split(";") if p.strip()]:
        name, _sep, quantity = part.replace("：", ":").partition(":")
        item: dict[str, Any] = {"name": name.strip()}
        if quantity.strip():
            item["quantity_t"] = quantity.strip()
        items.append(item)
    return items


def _local_datetime(text: str) -> str:
    """A ``datetime-local`` value (the office's time zone) as an aware ISO time."""
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return text  # the schema names the field and says why
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=ZoneInfo(current_app.config["TIMEZONE"]))
    return moment.isoformat()


def form_input(
    spec_fields: tuple[Field, ...], form: Mapping[str, Any], *, creating: bool
) -> dict[str, Any]:
    """The form's fields as API input: strings as typed, lists and booleans shaped.

    An empty optional field is left out when creating (the schema's default applies) and
    sent empty when editing (clearing it); nullable numbers are cleared with ``None``.
    """
    data: dict[str, Any] = {}
    for item in spec_fields:
        if item.widget == "multi":
            data[item.name] = form.getlist(item.name)  # type: ignore[attr-defined]
            continue
        if item.widget == "checkbox":
            data[item.name] = item.name in form
            continue
        raw = str(form.get(item.name, "")).strip()
        if item.widget == "substances":
            if raw or not creating:
                data[item.name] = _substances(raw)
        elif item.widget == "datetime":
            if raw:
                data[item.name] = _local_datetime(raw)
            elif not creating:
                data[item.name] = None
        elif raw:
            data[item.name] = raw
        elif not creating and not item.required:
            nullable = item.widget in {"number", "base", "date"}
            data[item.name] = None if nullable else ""
    return data


def location_input(form: Mapping[str, Any], errors: Errors) -> dict[str, Any]:
    """lon/lat as typed, converted to WGS-84 from the coordinate system the form names."""
    lon, lat = str(form.get("lon", "")).strip(), str(form.get("lat", "")).strip()
    data: dict[str, Any] = {}
    if not lon and not lat:
        return data
    data.update(lon=lon, lat=lat)
    try:
        system = crs.check_crs(str(form.get("crs", "")))
    except crs.UnknownCRS as exc:
        errors["crs"] = str(exc)
        return data
    try:
        x, y = float(lon), float(lat)
    except ValueError:
        return data  # the schema says which one is not a number
    if system != crs.DEFAULT_CRS and -180 <= x <= 180 and -90 <= y <= 90:
        x, y = crs.to_wgs84(x, y, system)
        data.update(lon=round(x, 7), lat=round(y, 7))
    return data


def schema_errors(error: ValidationError) -> Errors:
    """Marshmallow's messages as field -> text, nested fields dotted (``substances.0.name``)."""
    found: Errors = {}

    def walk(messages: Any, prefix: str) -> None:
        if isinstance(messages, dict):
            for key, value in messages.items():
                walk(value, f"{prefix}.{key}" if prefix else str(key))
        elif isinstance(messages, list) and all(isinstance(m, str) for m in messages):
            found.setdefault(prefix.split(".")[0], "; ".join(messages))
        elif isinstance(messages, list):
            for value in messages:
                walk(value, prefix)
        else:
            found.setdefault(prefix.split(".")[0], str(messages))

    walk(error.messages, "")
    return found


def validated(
    schema: type[Schema], data: dict[str, Any], *, partial: bool, errors: Errors
) -> dict[str, Any]:
    """``data`` loaded by the API schema; problems are added to ``errors`` by field."""
    try:
        return schema(partial=partial).load(data)
    except ValidationError as error:
        for name, message in schema_errors(error).items():
            errors.setdefault(name, message)
        return {}


def domain_error(error: DomainError, errors: Errors) -> None:
    """A service's refusal, beside the field it names (or at the top of the form)."""
    name = error.field or "_form"
    if name == "jurisdiction" and "lon" in request.form:
        name = "lon"
    errors.setdefault(name, error.message)


# --- rendering ------------------------------------------------------------------------------


def _options(spec: FormSpec) -> dict[str, Any]:
    names = {item.widget for item in spec.fields}
    options: dict[str, Any] = {}
    if "base" in names:
        options["bases"] = db.session.scalars(
            select(RescueBase).where(RescueBase.retired_at.is_(None)).order_by(RescueBase.name)
        ).all()
    if "jurisdiction" in names:
        options["jurisdictions"] = jurisdiction_options(max_depth=4)
    if "enterprise" in names:
        chosen = request.values.get("enterprise_id", type=int)
        stmt = select(Enterprise).where(Enterprise.retired_at.is_(None))
        if chosen is not None:
            stmt = stmt.where(Enterprise.id == chosen)
        options["enterprises"] = db.session.scalars(stmt.order_by(Enterprise.name).limit(500)).all()
    return options


def _current_values(spec: FormSpec, record: Any) -> dict[str, Any]:
    """What the form shows for an existing record (or defaults for a new one)."""
    if record is None:
        values: dict[str, Any] = {name: request.args.get(name, "") for name in spec.from_query}
        values.setdefault("specialties", [])
        return values
    values = {}
    for item in spec.fields:
        value = getattr(record, item.name, "")
        if item.widget == "substances":
            substances: list[dict[str, Any]] = getattr(record, item.name, None) or []
            value = "; ".join(
                f"{s['name']}:{s['quantity_t']:g}" if s.get("quantity_t") is not None else s["name"]
                for s in substances
            )
        elif item.widget == "number" and isinstance(value, float):
            value = f"{value:g}"
        values[item.name] = "" if value is None else value
    if spec.located:
        values.update(lon=f"{record.lon:.6f}", lat=f"{record.lat:.6f}", crs=crs.DEFAULT_CRS)
    return values


def _form_map(spec: FormSpec, record: Any) -> Any:
    """Our own map (road layer as base, jurisdiction outlines) to click a location on; the
    record's point shown.  A new record's map frames the actor's jurisdiction (or the top
    of the tree)."""
    if not spec.located:
        return None
    points = []
    if record is not None:
        points.append(
            mapping.MapPoint(record.lon, record.lat, record.name, mapping.KIND["incident"])
        )
        areas = [record.jurisdiction]
    else:
        areas = _home_areas()
    bounds = mapping.points_bounds([(p.lon, p.lat) for p in points]) or maps.area_bounds(areas)
    fmap = maps.new_map(bounds, road_margin_deg=0.03)
    mapping.add_boundaries(fmap, maps.boundary_areas(areas))
    mapping.add_markers(fmap, points, layer="record")
    return maps.embed(fmap, height="420px", title=str(_("选择位置")))


def _home_areas() -> list[Any]:
    """The jurisdictions a new record's map starts on: the user's own, else the top level."""
    user = g.get("user")
    own = getattr(user, "jurisdiction", None)
    if own is not None:
        return [own]
    return list(db.session.scalars(select(Jurisdiction).where(Jurisdiction.depth == 0)))


def render_form(
    spec: FormSpec, record: Any, values: Mapping[str, Any], errors: Errors, status: int = 200
) -> Any:
    shown = {name: localized(message) for name, message in errors.items()}
    action = (
        url_for("registry.record_edit", slug=spec.slug, record_id=record.id)
        if record is not None
        else url_for("registry.record_new", slug=spec.slug)
    )
    body = render_template(
        "registry/form.html",
        spec=spec,
        record=record,
        values=values,
        errors=shown,
        action=action,
        crs_codes=crs.CRS_CODES,
        crs_labels=CRS_LABELS_EN if current_language() == "en" else crs.CRS_LABELS,
        map_html=_form_map(spec, record),
        detail_url=_detail_url(spec, record),
        **_options(spec),
    )
    return body, status


def _detail_url(spec: FormSpec, record: Any) -> str:
    if spec.slug == "materials":
        return url_for("registry.materials")
    if record is None:
        return url_for(f"registry.{spec.slug}")
    return url_for(f"registry.{spec.slug}_detail", record_id=record.id)


def _spec(slug: str) -> FormSpec:
    spec = FORMS.get(slug.replace("-", "_"))
    if spec is None:
        abort(404)
    return spec


# --- views ----------------------------------------------------------------------------------


def save(spec: FormSpec, record: Any, form: Mapping[str, Any]) -> tuple[Any, Errors]:
    """Validate ``form`` as the API would and write it through the kind's service function.

    Returns the record written (committed) or the errors by field (nothing written).
    """
    errors: Errors = {}
    creating = record is None
    data = form_input(spec.fields, form, creating=creating)
    if spec.located:
        data.update(location_input(form, errors))
    loaded = validated(spec.schema, data, partial=not creating, errors=errors)
    if errors:
        return None, errors
    try:
        if creating:
            record = registry.create(db.session, current_actor(), spec.kind, loaded)
        else:
            registry.update(db.session, current_actor(), spec.kind, record, loaded)
        db.session.commit()
    except DomainError as error:
        db.session.rollback()
        domain_error(error, errors)
        return None, errors
    return record, {}


@bp.route("/registry/<slug>/new", methods=["GET", "POST"], endpoint="record_new")
@login_required
def record_new(slug: str) -> Any:
    spec = _spec(slug)
    current_actor().require(spec.kind.permission)
    if request.method == "GET":
        return render_form(spec, None, _current_values(spec, None), {})
    record, errors = save(spec, None, request.form)
    if errors:
        return render_form(spec, None, _resubmitted(request.form), errors, 422)
    flash(_("已保存：%(name)s", name=_record_name(record)), "success")
    return redirect(_detail_url(spec, record))


@bp.route("/registry/<slug>/<int:record_id>/edit", methods=["GET", "POST"], endpoint="record_edit")
@login_required
def record_edit(slug: str, record_id: int) -> Any:
    spec = _spec(slug)
    record = registry.get(db.session, spec.kind, record_id)
    current_actor().require(spec.kind.permission)
    if request.method == "GET":
        return render_form(spec, record, _current_values(spec, record), {})
    saved, errors = save(spec, record, request.form)
    if errors:
        record = registry.get(db.session, spec.kind, record_id)
        return render_form(spec, record, _resubmitted(request.form), errors, 422)
    flash(_("已保存：%(name)s", name=_record_name(saved)), "success")
    return redirect(_detail_url(spec, saved))


def _resubmitted(form: Any) -> dict[str, Any]:
    values: dict[str, Any] = {key: form.get(key) for key in form}
    values["specialties"] = form.getlist("specialties")
    return values


def _record_name(record: Any) -> str:
    return str(getattr(record, "name", None) or getattr(record, "name_zh", record.id))


@bp.route(
    "/registry/<slug>/<int:record_id>/retire", methods=["GET", "POST"], endpoint="record_retire"
)
@login_required
def record_retire(slug: str, record_id: int) -> Any:
    """A warning page first (what retiring means); the POST retires the record."""
    spec = _spec(slug)
    record = registry.get(db.session, spec.kind, record_id)
    if request.method == "GET":
        return render_template(
            "registry/retire.html", spec=spec, record=record, detail_url=_detail_url(spec, record)
        )
    note = request.form.get("note", "").strip()[:500]
    registry.retire(db.session, current_actor(), spec.kind, record, note=note)
    db.session.commit()
    flash(_("已停用：%(name)s", name=_record_name(record)), "success")
    return redirect(_detail_url(spec, record))


@bp.post("/registry/<slug>/<int:record_id>/verify", endpoint="record_verify")
@login_required
def record_verify(slug: str, record_id: int) -> Response:
    spec = _spec(slug)
    record = registry.get(db.session, spec.kind, record_id)
    registry.verify(db.session, current_actor(), spec.kind, record)
    db.session.commit()
    flash(_("已标记为今天核实：%(name)s", name=_record_name(record)), "success")
    return redirect(request.form.get("next") or _detail_url(spec, record))


# --- depot stock lines ------------------------------------------------------------------------


def _depot(depot_id: int) -> Any:
    return registry.get(db.session, DEPOTS, depot_id)


def _depot_url(depot_id: int) -> str:
    return url_for("registry.depots_detail", record_id=depot_id) + "#stock"


def _line_errors(errors: Errors) -> Response:
    for name, message in errors.items():
        flash(f"{_field_label(name)}: {localized(message)}", "error")
    return redirect(request.referrer or url_for("registry.depots"))


LINE_LABELS: dict[str, Any] = {
    "material_id": _l("物资"),
    "material_code": _l("物资"),
    "quantity": _l("数量"),
    "expiry_date": _l("有效期至"),
}


def _field_label(name: str) -> str:
    return str(LINE_LABELS.get(name, name))


@bp.post("/depots/<int:depot_id>/lines", endpoint="line_add")
@login_required
def line_add(depot_id: int) -> Response:
    """Add a stock line (validated by the API's line schema, written by the same service)."""
    depot = _depot(depot_id)
    errors: Errors = {}
    raw = {
        key: request.form[key].strip()
        for key in ("material_id", "quantity", "expiry_date")
        if request.form.get(key, "").strip()
    }
    loaded = validated(InventoryLineSchema, raw, partial=False, errors=errors)
    if errors:
        return _line_errors(errors)
    try:
        inventory.add_line(db.session, current_actor(), depot, **loaded)
        db.session.commit()
    except DomainError as error:
        db.session.rollback()
        domain_error(error, errors)
        return _line_errors(errors)
    flash(_("已添加库存"), "success")
    return redirect(_depot_url(depot_id))


@bp.post("/depots/<int:depot_id>/lines/<int:line_id>", endpoint="line_edit")
@login_required
def line_edit(depot_id: int, line_id: int) -> Response:
    """A stock count: set the quantity and expiry date of one line."""
    line = inventory.get_line(db.session, _depot(depot_id), line_id)
    errors: Errors = {}
    raw: dict[str, Any] = {"quantity": request.form.get("quantity", "").strip()}
    expiry = request.form.get("expiry_date", "").strip()
    raw["expiry_date"] = expiry or None
    loaded = validated(InventoryLinePatch, raw, partial=True, errors=errors)
    if errors:
        return _line_errors(errors)
    try:
        inventory.update_line(db.session, current_actor(), line, loaded)
        db.session.commit()
    except DomainError as error:
        db.session.rollback()
        domain_error(error, errors)
        return _line_errors(errors)
    flash(_("已保存库存"), "success")
    return redirect(_depot_url(depot_id))


@bp.post("/depots/<int:depot_id>/lines/<int:line_id>/verify", endpoint="line_verify")
@login_required
def line_verify(depot_id: int, line_id: int) -> Response:
    line = inventory.get_line(db.session, _depot(depot_id), line_id)
    inventory.verify_line(db.session, current_actor(), line)
    db.session.commit()
    flash(_("已标记为今天核实：%(name)s", name=line.material.name_zh), "success")
    return redirect(_depot_url(depot_id))


@bp.post("/depots/<int:depot_id>/lines/<int:line_id>/remove", endpoint="line_remove")
@login_required
def line_remove(depot_id: int, line_id: int) -> Response:
    line = inventory.get_line(db.session, _depot(depot_id), line_id)
    inventory.remove_line(db.session, current_actor(), line)
    db.session.commit()
    flash(_("已删除库存行"), "success")
    return redirect(_depot_url(depot_id))


def materials_for_select() -> list[Material]:
    """The catalog for the stock-line form, by Chinese name."""
    return list(
        db.session.scalars(
            select(Material).where(Material.retired_at.is_(None)).order_by(Material.name_zh)
        )
    )


# --- team status ------------------------------------------------------------------------------

STATUS_FIELDS = (
    Field("unavailable_reason", _l("原因"), "select", UNAVAILABLE_REASONS),
    Field("unavailable_note", _l("说明"), maxlength=500),
    Field("expected_back_at", _l("预计恢复时间"), "datetime"),
)


@bp.post("/teams/<int:record_id>/status", endpoint="team_status")
@login_required
def team_status(record_id: int) -> Any:
    """Set a team unavailable (休整/维修/训练, with a reason and expected return) or back to
    available: the API's PATCH (same schema, same ``registry.update``)."""
    record = registry.get(db.session, TEAMS, record_id)
    wanted = request.form.get("status", "")
    data: dict[str, Any] = {"status": wanted}
    if wanted == "unavailable":
        data.update(form_input(STATUS_FIELDS, request.form, creating=True))
    errors: Errors = {}
    loaded = validated(TeamSchema, data, partial=True, errors=errors)
    if not errors:
        try:
            registry.update(db.session, current_actor(), TEAMS, record, loaded)
            db.session.commit()
        except DomainError as error:
            db.session.rollback()
            domain_error(error, errors)
    if errors:
        labels = {f.name: str(f.label) for f in STATUS_FIELDS}
        for name, message in errors.items():
            flash(f"{labels.get(name, name)}: {localized(message)}", "error")
    else:
        flash(_("已更新队伍状态：%(name)s", name=record.name), "success")
    return redirect(url_for("registry.teams_detail", record_id=record_id))


def local_input_value(moment: datetime | None) -> str:
    """An aware time as a ``datetime-local`` value in the office's time zone."""
    if moment is None:
        return ""
    zone = ZoneInfo(current_app.config["TIMEZONE"])
    return moment.astimezone(zone).strftime("%Y-%m-%dT%H:%M")


def tomorrow_morning() -> str:
    """A default expected return: tomorrow 08:00 local time."""
    zone = ZoneInfo(current_app.config["TIMEZONE"])
    today = datetime.now(UTC).astimezone(zone).date()
    return f"{date.fromordinal(today.toordinal() + 1).isoformat()}T08:00"


def page_helpers() -> dict[str, Callable[..., Any]]:
    """Template helpers the registry templates use for the forms."""
    return {
        "can_write": lambda kind: _can(kind),
        "local_input_value": local_input_value,
        "tomorrow_morning": tomorrow_morning,
        "materials_for_select": materials_for_select,
        "unavailable_reasons": lambda: UNAVAILABLE_REASONS,
        "lang_is_en": lambda: current_language() == "en",
    }


def _can(kind: ResourceKind) -> bool:
    actor = g.get("actor")
    return actor is not None and actor.can(kind.permission)


@bp.app_context_processor
def _helpers() -> dict[str, Any]:
    return {**page_helpers(), "FORMS": FORMS, "status_fields": STATUS_FIELDS}
