"""Drill pages (every one carries the 【演练】 DRILL watermark) and the coverage page.

- ``/drills``: the drills list and a form for a new scenario;
- ``/drills/<id>``: the editor: click on the map (or an enterprise) to add simulated
  incidents and timed injects (road closed, team unavailable, second incident, severity
  raised), run it;
- ``/drills/runs/<id>``: the printable report (scenario timeline, per-incident timeline,
  unmet needs, materials, map), the evaluation, recording it as a drill of its plans,
  CSV and standalone HTML map exports and a comparison with another run;
- ``/coverage``: coverage figures and map per specialty, what-if, suggested sites, and
  the county targets (``/coverage/counties/print``: their printable summary).
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from flask import (
    Blueprint,
    Response,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import login_required
from sqlalchemy import select

from responder import mapping
from responder.errors import DomainError, InvalidInput
from responder.http.auth import current_actor
from responder.http.context import loaded_road_network, routing_context, snap_max_m, today
from responder.http.pages import display
from responder.http.pages.form_errors import localized
from responder.http.pages.maps import area_bounds, embed, new_map, standalone_html
from responder.mapping import MapPoint
from responder.mapping import drills as drill_map
from responder.models import Drill, Enterprise, HazardSource, RescueTeam, db
from responder.services import coverage, drills
from responder.vocabulary import (
    INCIDENT_TYPES,
    INDUSTRIES,
    PLAN_TYPES,
    SEVERITIES,
    SPECIALTIES,
    label,
)

bp = Blueprint("drill_pages", __name__)


def _drill_title(entry: dict[str, Any]) -> dict[str, Any]:
    incident = entry["incident"]
    return {**incident, "label": label(INCIDENT_TYPES, incident["type"])}


# ---------------------------------------------------------------- drills
@bp.app_template_filter("drill_clock")
def drill_clock(moment: datetime | str | None, with_date: bool = False) -> str:
    """A drill moment (a datetime or an ISO string from a run) in local time (the TIMEZONE
    setting): ``10:05``, or ``2026-03-01 10:05`` with the date."""
    if not moment:
        return "—"
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    local = moment.astimezone(ZoneInfo(current_app.config["TIMEZONE"]))
    return local.strftime("%Y-%m-%d %H:%M" if with_date else "%H:%M")


def inject_kind_labels() -> dict[str, str]:
    """The inject kinds in the page's language."""
    return {
        "road_closure": _("封路"),
        "team_unavailable": _("队伍不可用"),
        "second_incident": _("次生事故"),
        "severity_raised": _("事故升级"),
    }


def map_words() -> dict[str, str]:
    """The fixed words of the drill maps in the page's language."""
    return {
        "incident": _("模拟事故"),
        "unmet": _("未满足需求"),
        "response": _("到达用时"),
        "standard": _("标准"),
        "met": _("结果"),
        "yes": _("达标"),
        "no": _("超标准"),
        "not_judged": _("不评定"),
        "min": _("分钟"),
        "title": _("演练 · 虚线 = 超标准"),
        "closure": _("封路"),
        "second": _("次生事故"),
        "team_unavailable": _("队伍不可用"),
    }


def _specialty_labels() -> dict[str, str]:
    return {code: display.label(code, SPECIALTIES) for code in SPECIALTIES}


@bp.route("/drills", methods=["GET", "POST"], endpoint="drills")
@login_required
def drills_page() -> Any:
    """The list of drills, and (POST) a new scenario from the form."""
    actor = current_actor()
    if request.method == "POST":
        start = _form_time(request.form.get("start_at", ""))
        drill = drills.create(
            db.session,
            actor,
            {
                "name": request.form.get("name", ""),
                "description": request.form.get("description", ""),
                "start_at": start,
                "jurisdiction_id": _form_int("jurisdiction_id"),
            },
            network=loaded_road_network(),
            snap_max_m=snap_max_m(),
        )
        db.session.commit()
        return redirect(url_for("drill_pages.editor", drill_id=drill.id))
    items = drills.visible(db.session, actor)
    return render_template(
        "drills/list.html",
        drills=items,
        counties=coverage.area_choices(db.session),
        can_write=actor.can("drills.write"),
        timezone=current_app.config["TIMEZONE"],
    )


def _form_time(raw: str) -> datetime:
    """A start time from the form: a ``datetime-local`` value is local time (TIMEZONE)."""
    try:
        moment = datetime.fromisoformat(raw.strip())
    except ValueError:
        raise InvalidInput(_("开始时间格式应为 YYYY-MM-DDTHH:MM"), field="start_at") from None
    if moment.tzinfo:
        return moment
    return moment.replace(tzinfo=ZoneInfo(current_app.config["TIMEZONE"]))


def _form_int(name: str) -> int | None:
    raw = (request.form.get(name) or request.args.get(name) or "").strip()
    if not raw:
        return None
    try:
        return int(raw)
    except ValueError:
        raise InvalidInput(_("%(name)s 必须是整数", name=name), field=name) from None


def _form_float(name: str) -> float | None:
    raw = (request.form.get(name) or "").strip()
    if not raw:
        return None
    try:
        return float(raw)
    except ValueError:
        raise InvalidInput(_("%(name)s 必须是数字", name=name), field=name) from None


@bp.get("/drills/<int:drill_id>")
@login_required
def editor(drill_id: int) -> Any:
    """Click on the map (or on an enterprise) to place a simulated incident or an inject,
    then run the drill."""
    return _editor(drill_id)


def _editor(
    drill_id: int, errors: dict[str, dict[str, str]] | None = None, status: int = 200
) -> Any:
    actor = current_actor()
    drill = drills.get(db.session, drill_id)
    drills.require_read(actor, drill)
    network = loaded_road_network()
    bounds = _drill_bounds(drill) or (network.bounds if network is not None else None)
    fmap = new_map(bounds)
    words = map_words()
    minutes = words["min"]
    mapping.add_markers(
        fmap,
        [
            MapPoint(
                i.lon,
                i.lat,
                f"+{i.offset_min:g} {minutes} {display.label(i.type, INCIDENT_TYPES)}",
                mapping.KIND["incident"],
                rows=[(_("等级"), display.label(i.severity, SEVERITIES)), (_("说明"), i.note)],
            )
            for i in drill.incidents
        ]
        + [
            MapPoint(
                i.lon,
                i.lat,
                f"+{i.at_min:g} {minutes} {words['second']} "
                f"{display.label(i.incident_type, INCIDENT_TYPES)}",
                mapping.KIND["incident"],
                rows=[(_("等级"), display.label(i.severity, SEVERITIES)), (_("说明"), i.note)],
            )
            for i in drill.injects
            if i.kind == "second_incident" and i.lon is not None and i.lat is not None
        ],
        layer="simulated incidents",
    )
    closures = _closure_shapes(drill.injects, drill.start_at)
    unavailable = [
        _team_out(
            i.team.lon,
            i.team.lat,
            i.team.name,
            i.at_min,
            drill.start_at + timedelta(minutes=i.at_min),
            i.note,
        )
        for i in drill.injects
        if i.kind == "team_unavailable" and i.team is not None
    ]
    drill_map.add_closures(fmap, closures)
    drill_map.add_unavailable_teams(fmap, unavailable)
    injects = drill_map.inject_legend(closures, unavailable, words=words)
    if injects:
        mapping.add_legend(fmap, [(words["incident"], mapping.KIND["incident"]), *injects])
    drill_map.add_watermark(fmap)
    return render_template(
        "drills/editor.html",
        drill=drill,
        map_html=embed(fmap, height="64vh", title="drill editor map"),
        places=_places(_places_bounds(drill, network)),
        enterprise_names=_enterprise_names(drill),
        teams=_team_choices(),
        incident_types=INCIDENT_TYPES,
        severities=SEVERITIES,
        inject_kinds=inject_kind_labels(),
        errors=errors or {},
        form=request.form if errors else {},
        can_edit=actor.role == "admin"
        or (actor.can("drills.write") and drill.owner_id == actor.user_id),
        can_run=actor.can("drills.write"),
        timezone=current_app.config["TIMEZONE"],
        timedelta=timedelta,
    ), status


def _closure_shapes(injects: Any, start: datetime) -> list[dict[str, Any]]:
    """The drill's road closures as the map draws them, with a label in the page's words."""
    return [
        {
            "lon": i.lon,
            "lat": i.lat,
            "radius_m": i.radius_m,
            "line": i.line,
            "label": f"{_('封路')} +{i.at_min:g} {_('分钟')} "
            f"({drill_clock(start + timedelta(minutes=i.at_min))}) {i.note}".strip(),
        }
        for i in injects
        if i.kind == "road_closure"
    ]


def _team_out(
    lon: float, lat: float, name: str, at_min: float, moment: datetime | str, note: str | None
) -> dict[str, Any]:
    """A team a team-unavailable inject takes out at ``moment`` (a datetime, or an ISO
    string from a run), as the map draws it: at the team's location, in the page's words."""
    return {
        "lon": lon,
        "lat": lat,
        "label": f"{_('队伍不可用')} +{at_min:g} {_('分钟')} ({drill_clock(moment)}) {name}",
        "rows": [(_("说明"), note)] if note else [],
    }


def _places_bounds(drill: Drill, network: Any) -> Any:
    """Where the editor offers enterprises: the drill's jurisdiction, else the road
    network's extent (and anything the scenario already uses)."""
    area = area_bounds([drill.jurisdiction]) if drill.jurisdiction else None
    area = area or (network.bounds if network is not None else None)
    used = _drill_bounds(drill)
    if area is None or used is None:
        return area or used
    return (
        min(area[0], used[0]),
        min(area[1], used[1]),
        max(area[2], used[2]),
        max(area[3], used[3]),
    )


def _places(bounds: Any) -> list[dict[str, Any]]:
    """Enterprises (with their major hazard sources) the organizer can place incidents on,
    within ``bounds`` grown by a margin (at most 3000, the first registered)."""
    query = select(Enterprise).where(Enterprise.retired_at.is_(None))
    if bounds is not None:
        min_lon, min_lat, max_lon, max_lat = bounds
        pad = 0.05
        query = query.where(
            Enterprise.lon.between(min_lon - pad, max_lon + pad),
            Enterprise.lat.between(min_lat - pad, max_lat + pad),
        )
    hazards: dict[int, list[HazardSource]] = {}
    for hazard in db.session.scalars(select(HazardSource).where(HazardSource.retired_at.is_(None))):
        hazards.setdefault(hazard.enterprise_id, []).append(hazard)
    out = []
    for enterprise in db.session.scalars(query.order_by(Enterprise.id).limit(3000)):
        found = sorted(hazards.get(enterprise.id, []), key=lambda h: h.grade)
        out.append(
            {
                "id": enterprise.id,
                "name": enterprise.name,
                "lon": round(enterprise.lon, 6),
                "lat": round(enterprise.lat, 6),
                "industry": display.label(enterprise.industry, INDUSTRIES),
                "grade": found[0].grade if found else None,
                "hazards": [f"{h.name} ({h.grade})" for h in found],
            }
        )
    return out


def _enterprise_names(drill: Drill) -> dict[int, str]:
    ids = {i.enterprise_id for i in drill.incidents if i.enterprise_id}
    ids |= {i.enterprise_id for i in drill.injects if i.enterprise_id}
    if not ids:
        return {}
    return {
        e.id: e.name for e in db.session.scalars(select(Enterprise).where(Enterprise.id.in_(ids)))
    }


def _team_choices() -> list[RescueTeam]:
    return list(
        db.session.scalars(
            select(RescueTeam).where(RescueTeam.retired_at.is_(None)).order_by(RescueTeam.name)
        )
    )


#: The editor map frames at least this span (degrees, about 3 km) round the incidents.
MIN_SPAN_DEG = 0.03


def _drill_bounds(drill: Drill) -> Any:
    """The incidents, the injects and the teams they take out, framed at least
    :data:`MIN_SPAN_DEG` wide (one incident alone would zoom in to a few hundred metres);
    else the drill's jurisdiction."""
    points = [(i.lon, i.lat) for i in drill.incidents]
    points += [(i.lon, i.lat) for i in drill.injects if i.lon is not None and i.lat is not None]
    points += [(p[0], p[1]) for i in drill.injects for p in (i.line or [])]
    points += [(i.team.lon, i.team.lat) for i in drill.injects if i.team is not None]
    box = mapping.points_bounds(points)
    if box is None:
        return area_bounds([drill.jurisdiction]) if drill.jurisdiction else None
    min_lon, min_lat, max_lon, max_lat = box
    grow_lon = max(0.0, MIN_SPAN_DEG - (max_lon - min_lon)) / 2
    grow_lat = max(0.0, MIN_SPAN_DEG - (max_lat - min_lat)) / 2
    return (min_lon - grow_lon, min_lat - grow_lat, max_lon + grow_lon, max_lat + grow_lat)


@bp.post("/drills/<int:drill_id>/incidents")
@login_required
def add_incident(drill_id: int) -> Any:
    """The editor's incident form: the same service as the API's."""

    def write(drill: Drill) -> None:
        drills.add_incident(
            db.session,
            current_actor(),
            drill,
            {
                "type": request.form.get("type"),
                "severity": request.form.get("severity"),
                "offset_min": _form_float("offset_min") or 0.0,
                "lon": _form_float("lon"),
                "lat": _form_float("lat"),
                "enterprise_id": _form_int("enterprise_id"),
                "note": request.form.get("note", ""),
            },
            network=loaded_road_network(),
            snap_max_m=snap_max_m(),
        )

    return _editor_write(drill_id, "incident", write, _("已添加模拟事故。"))


@bp.post("/drills/<int:drill_id>/injects")
@login_required
def add_inject(drill_id: int) -> Any:
    """The editor's inject form: the same service as the API's."""

    def write(drill: Drill) -> None:
        line = (request.form.get("line") or "").strip()
        data = {
            "kind": request.form.get("kind"),
            "at_min": _form_float("at_min"),
            "lon": _form_float("lon"),
            "lat": _form_float("lat"),
            "radius_m": _form_float("radius_m"),
            "line": _line(line) if line else None,
            "team_id": _form_int("team_id"),
            "incident_id": _form_int("incident_id"),
            "type": request.form.get("type") or None,
            "severity": request.form.get("severity") or None,
            "enterprise_id": _form_int("enterprise_id"),
            "note": request.form.get("note", ""),
        }
        drills.add_inject(
            db.session,
            current_actor(),
            drill,
            {k: v for k, v in data.items() if v is not None},
            network=loaded_road_network(),
            snap_max_m=snap_max_m(),
        )

    return _editor_write(drill_id, "inject", write, _("已添加情景注入。"))


def _line(raw: str) -> Any:
    try:
        return json.loads(raw)
    except ValueError:
        raise InvalidInput("line must be 2 to 50 [lon, lat] points", field="line") from None


def _editor_write(drill_id: int, form: str, write: Any, success: str) -> Any:
    """One write from an editor form; on a domain error roll back and show the message
    beside the field of the form that failed."""
    drill = drills.get(db.session, drill_id)
    try:
        write(drill)
        db.session.commit()
    except DomainError as error:
        db.session.rollback()
        errors = {form: {error.field or "form": localized(error.message)}}
        return _editor(drill_id, errors, error.status)
    flash(success, "success")
    return redirect(url_for("drill_pages.editor", drill_id=drill_id))


@bp.get("/drills/runs/<int:run_id>")
@login_required
def report(run_id: int) -> Any:
    """The printable drill report of one run, with its evaluation."""
    return _report(run_id)


def _report(run_id: int, errors: dict[str, dict[str, str]] | None = None, status: int = 200) -> Any:
    actor = current_actor()
    drill_run, drill = _run_and_drill(run_id)
    incidents = drill_run.results.get("incidents", [])
    evaluation = drill_run.evaluation or {}
    return render_template(
        "drills/report.html",
        drill=drill,
        run=drill_run,
        incidents=incidents,
        injects=drill_run.results.get("injects", []),
        script=_script_rows(drill_run),
        experts=drill_run.results.get("experts", []),
        map_html=embed(_run_map(drill_run), height="60vh", title="drill run map"),
        others=[r for r in drill.runs if r.id != drill_run.id],
        incident_types=INCIDENT_TYPES,
        severities=SEVERITIES,
        specialties=SPECIALTIES,
        inject_kinds=inject_kind_labels(),
        evaluation=evaluation,
        actions=evaluation.get("actions", []),
        plan_choices=drills.plan_choices(db.session, drill_run),
        plan_types=PLAN_TYPES,
        can_evaluate=actor.role == "admin"
        or (actor.can("drills.write") and drill.owner_id == actor.user_id),
        errors=errors or {},
        form=request.form if errors else {},
        timezone=current_app.config["TIMEZONE"],
    ), status


def _script_rows(drill_run: Any) -> list[dict[str, Any]]:
    """The run's scenario in time order: each incident and each inject, with its clock
    time and, for injects, what it did."""
    rows: list[dict[str, Any]] = []
    for entry in drill_run.results.get("incidents", []):
        incident = entry["incident"]
        if incident.get("inject_id"):
            continue  # listed with its inject
        rows.append(
            {
                "kind": "incident",
                "at_min": incident["offset_min"],
                "at": entry.get("dispatched_at"),
                "index": entry["index"],
                "incident": incident,
            }
        )
    for inject in drill_run.results.get("injects", []):
        rows.append(
            {
                "kind": inject["kind"],
                "at_min": inject["at_min"],
                "at": inject["at"],
                "inject": inject,
            }
        )
    rows.sort(key=lambda r: (r["at_min"], r["kind"] != "road_closure", r["kind"] != "incident"))
    return rows


@bp.post("/drills/runs/<int:run_id>/evaluation")
@login_required
def save_evaluation(run_id: int) -> Any:
    """The report's evaluation form (what went well, gaps, actions with owners, due dates)."""

    def write(drill: Drill, drill_run: Any) -> None:
        actions = []
        texts = request.form.getlist("action")
        owners = request.form.getlist("owner")
        dues = request.form.getlist("due_on")
        for i, (text, owner, due) in enumerate(zip(texts, owners, dues, strict=False)):
            actions.append(
                {"action": text, "owner": owner, "due_on": _date(due, f"actions.{i}.due_on")}
            )
        drills.evaluate(
            db.session,
            current_actor(),
            drill,
            drill_run,
            {
                "went_well": request.form.get("went_well", ""),
                "gaps": request.form.get("gaps", ""),
                "actions": actions,
            },
        )

    return _report_write(run_id, "evaluation", write, _("演练评估已保存。"))


@bp.post("/drills/runs/<int:run_id>/plan-drills")
@login_required
def record_plan_drills(run_id: int) -> Any:
    """Record the run as a tabletop drill of the plans the organizer ticked."""

    def write(drill: Drill, drill_run: Any) -> None:
        ids = []
        for raw in request.form.getlist("plan_id"):
            if not raw.strip().isdigit():
                raise InvalidInput("plan_ids must be whole numbers", field="plan_ids")
            ids.append(int(raw))
        drills.record_plan_drills(
            db.session,
            current_actor(),
            drill,
            drill_run,
            plan_ids=ids,
            today=today(),
            timezone=current_app.config["TIMEZONE"],
            participants=_form_int("participants") or 0,
        )

    return _report_write(run_id, "plans", write, _("已记录为所选预案的桌面演练。"))


def _date(raw: str, field: str) -> date | None:
    text = (raw or "").strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InvalidInput(f"{field} must be a date YYYY-MM-DD", field=field) from None


def _report_write(run_id: int, form: str, write: Any, success: str) -> Any:
    drill_run, drill = _run_and_drill(run_id)
    try:
        write(drill, drill_run)
        db.session.commit()
    except DomainError as error:
        db.session.rollback()
        errors = {form: {error.field or "form": localized(error.message)}}
        return _report(run_id, errors, error.status)
    flash(success, "success")
    return redirect(url_for("drill_pages.report", run_id=run_id) + f"#{form}")


def _run_and_drill(run_id: int) -> tuple[Any, Drill]:
    drill_run = drills.get_run(db.session, run_id)
    drill = drills.get(db.session, drill_run.drill_id)
    drills.require_read(current_actor(), drill)
    return drill_run, drill


def _run_map(drill_run: Any) -> Any:
    incidents = [
        {**entry, "incident": _drill_title(entry)}
        for entry in drill_run.results.get("incidents", [])
    ]
    closures = [
        {
            **i,
            "label": f"{_('封路')} +{i['at_min']:g} {_('分钟')} ({drill_clock(i['at'])})",
        }
        for i in drill_run.results.get("injects", [])
        if i["kind"] == "road_closure"
    ]
    unavailable = [
        _team_out(i["team_lon"], i["team_lat"], i["team"], i["at_min"], i["at"], i["note"])
        for i in drill_run.results.get("injects", [])
        # A run saved before runs kept the team's location draws none.
        if i["kind"] == "team_unavailable" and i.get("team_lon") is not None
    ]
    points = [(e["incident"]["lon"], e["incident"]["lat"]) for e in incidents]
    points += [(t["lon"], t["lat"]) for e in incidents for t in e["teams"]]
    points += [(t["lon"], t["lat"]) for t in unavailable]
    fmap = new_map(mapping.points_bounds(points))
    drill_map.add_drill_run(
        fmap,
        incidents,
        closures=closures,
        unavailable=unavailable,
        words=map_words(),
        specialty_labels=_specialty_labels(),
    )
    drill_map.add_watermark(fmap)
    return fmap


@bp.get("/drills/runs/<int:run_id>/map.html")
@login_required
def report_map(run_id: int) -> Response:
    """The run's map as a standalone HTML file (``?download=1`` to save it)."""
    drill_run, _drill = _run_and_drill(run_id)
    document = standalone_html(_run_map(drill_run))
    response = Response(document, mimetype="text/html")
    if request.args.get("download"):
        response.headers["Content-Disposition"] = (
            f'attachment; filename="drill-{drill_run.drill_id}-run-{run_id}-map.html"'
        )
    return response


@bp.get("/drills/runs/<int:run_id>/compare")
@login_required
def compare(run_id: int) -> Any:
    """Two runs of the same drill side by side: registry changes and outcome changes."""
    other_id = _form_int("other")
    if other_id is None:
        raise InvalidInput(_("请选择要比较的另一次运行"), field="other")
    first, drill = _run_and_drill(run_id)
    second, _drill = _run_and_drill(other_id)
    return render_template(
        "drills/compare.html",
        drill=drill,
        diff=drills.compare(first, second),
        incident_types=INCIDENT_TYPES,
        specialties=SPECIALTIES,
    )


# ---------------------------------------------------------------- coverage
@bp.get("/coverage")
@login_required
def coverage_page() -> Any:
    """Coverage of one specialty: figures, map, uncovered hazard sources, what-if with
    teams away, (optionally) suggested sites for the next team, and the county targets."""
    actor = current_actor()
    specialty = request.args.get("specialty") or "hazchem"
    if specialty not in SPECIALTIES:
        raise InvalidInput(_("未知的专业类型"), field="specialty")
    jurisdiction_id = _form_int("jurisdiction_id")
    away = _away_ids(",".join(request.args.getlist("away")))  # checkboxes or "1,2,3"
    k = _form_int("k") or 0
    ctx = routing_context()
    result = coverage.coverage(
        db.session, actor, ctx, specialty=specialty, jurisdiction_id=jurisdiction_id, away=away
    )
    suggestions = None
    if k:
        suggestions = coverage.suggest_sites(
            db.session,
            actor,
            ctx,
            specialty=specialty,
            jurisdiction_id=jurisdiction_id,
            k=min(k, 10),
            candidates=request.args.get("candidates", "registry"),
            away=away,
        )
    fmap = _coverage_map(ctx.network, result, suggestions)
    if away:
        drill_map.add_watermark(fmap)
    return render_template(
        "drills/coverage.html",
        figures=result.figures,
        suggestions=suggestions,
        map_html=embed(fmap, height="66vh", title="coverage map"),
        specialty=specialty,
        specialties=SPECIALTIES,
        jurisdictions=coverage.area_choices(db.session),
        jurisdiction_id=jurisdiction_id,
        away=away,
        team_groups=_team_groups(coverage.teams_of(db.session, specialty)),
        what_if=bool(away),
        targets=coverage.county_targets(db.session, actor, ctx, jurisdiction_id=jurisdiction_id),
    )


@bp.get("/coverage/counties/print")
@login_required
def county_targets_print() -> Any:
    """The county targets as a printable summary table (no map, no filters)."""
    jurisdiction_id = _form_int("jurisdiction_id")
    targets = coverage.county_targets(
        db.session, current_actor(), routing_context(), jurisdiction_id=jurisdiction_id
    )
    scope = next((j for j in coverage.area_choices(db.session) if j.id == jurisdiction_id), None)
    zone = ZoneInfo(current_app.config["TIMEZONE"])
    return render_template(
        "drills/county_targets_print.html",
        targets=targets,
        scope=scope,
        jurisdiction_id=jurisdiction_id,
        printed_at=datetime.now(zone).strftime("%Y-%m-%d %H:%M"),
        specialties=SPECIALTIES,
    )


def _team_groups(teams: list[Any]) -> list[tuple[str, list[Any]]]:
    """The teams a what-if can send away, grouped by their jurisdiction (by name), the
    available ones first within a group."""
    groups: dict[str, list[Any]] = {}
    for team in teams:
        groups.setdefault(team.jurisdiction.name, []).append(team)
    return [
        (name, sorted(members, key=lambda t: (t.status != "available", t.name)))
        for name, members in sorted(groups.items())
    ]


def _away_ids(raw: str) -> list[int]:
    try:
        return [int(part) for part in raw.replace(" ", ",").split(",") if part.strip()]
    except ValueError:
        raise InvalidInput(_("离开的队伍请填写编号，用逗号分隔"), field="away") from None


def _coverage_labels() -> dict[str, str]:
    """The coverage map's legend and pop-up words in the page's language."""
    return {
        "title": _("救援圈"),
        "covered": _("≤ {standard} 分钟 覆盖"),
        "partial": _("部分覆盖"),
        "uncovered": _("未覆盖"),
        "hazard_covered": _("危险源 已覆盖"),
        "hazard_uncovered": _("危险源 未覆盖"),
        "hazard_not_judged": _("危险源 不评定（不在标准适用范围）"),
        "enterprise": _("企业"),
        "grade": _("等级"),
        "arrival": _("到达"),
        "minutes": _("分钟"),
        "suggested": _("建议"),
        "gain": _("新增覆盖"),
    }


def _coverage_map(network: Any, result: coverage.CoverageResult, suggestions: Any) -> Any:
    layers = coverage.map_layers(network, result)
    config = current_app.config  # coverage lines are the road layer: no second one below
    fmap = mapping.base_map(
        layers.bounds,
        tile_url=config.get("TILE_URL"),
        attribution=config.get("TILE_ATTRIBUTION", ""),
    )
    drill_map.add_coverage(
        fmap,
        layers.lines,
        layers.hazards,
        standard_min=result.standard_min,
        sites=(suggestions or {}).get("picks", []),
        labels=_coverage_labels(),
    )
    mapping.add_markers(
        fmap,
        [
            MapPoint(t.lon, t.lat, t.name, mapping.for_team(list(t.specialties)))
            for t in result.teams
        ],
        layer="teams",
    )
    return fmap
