"""Drill pages (every one carries the 【演练】 DRILL watermark) and the coverage page.

- ``/drills``: the drills list and a form for a new scenario;
- ``/drills/<id>``: the editor: click on the map to add simulated incidents, run it;
- ``/drills/runs/<id>``: the printable report (timeline, unmet needs, materials, map),
  with CSV and standalone HTML map exports and a comparison with another run;
- ``/coverage``: coverage figures and map per specialty, what-if, suggested sites, and
  the county targets (``/coverage/counties/print``: their printable summary).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from flask import Blueprint, Response, current_app, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required

from responder import mapping
from responder.errors import InvalidInput
from responder.http.auth import current_actor
from responder.http.context import loaded_road_network, routing_context, snap_max_m
from responder.http.pages import display
from responder.http.pages.maps import area_bounds, embed, new_map, standalone_html
from responder.mapping import MapPoint
from responder.mapping import drills as drill_map
from responder.models import Drill, db
from responder.services import coverage, drills
from responder.vocabulary import INCIDENT_TYPES, SEVERITIES, SPECIALTIES, label

bp = Blueprint("drill_pages", __name__)


def _drill_title(entry: dict[str, Any]) -> dict[str, Any]:
    incident = entry["incident"]
    return {**incident, "label": label(INCIDENT_TYPES, incident["type"])}


# ---------------------------------------------------------------- drills
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
    )


def _form_time(raw: str) -> datetime:
    try:
        moment = datetime.fromisoformat(raw.strip())
    except ValueError:
        raise InvalidInput(_("开始时间格式应为 YYYY-MM-DDTHH:MM"), field="start_at") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _form_int(name: str) -> int | None:
    raw = (request.form.get(name) or request.args.get(name) or "").strip()
    if not raw:
        return None
    try:
        return int(raw)
    except ValueError:
        raise InvalidInput(_("%(name)s 必须是整数", name=name), field=name) from None


@bp.get("/drills/<int:drill_id>")
@login_required
def editor(drill_id: int) -> Any:
    """Click on the map to place a simulated incident, then run the drill."""
    actor = current_actor()
    drill = drills.get(db.session, drill_id)
    drills.require_read(actor, drill)
    network = loaded_road_network()
    bounds = _drill_bounds(drill) or (network.bounds if network is not None else None)
    fmap = new_map(bounds)
    mapping.add_markers(
        fmap,
        [
            MapPoint(
                i.lon,
                i.lat,
                f"+{i.offset_min:g} min {display.label(i.type, INCIDENT_TYPES)}",
                mapping.KIND["incident"],
                rows=[(_("等级"), display.label(i.severity, SEVERITIES)), (_("说明"), i.note)],
            )
            for i in drill.incidents
        ],
        layer="simulated incidents",
    )
    drill_map.add_watermark(fmap)
    return render_template(
        "drills/editor.html",
        drill=drill,
        map_html=embed(fmap, height="64vh", title="drill editor map"),
        incident_types=INCIDENT_TYPES,
        severities=SEVERITIES,
        can_edit=actor.role == "admin"
        or (actor.can("drills.write") and drill.owner_id == actor.user_id),
        can_run=actor.can("drills.write"),
    )


def _drill_bounds(drill: Drill) -> Any:
    points = [(i.lon, i.lat) for i in drill.incidents]
    if points:
        return mapping.points_bounds(points)
    return area_bounds([drill.jurisdiction]) if drill.jurisdiction else None


@bp.get("/drills/runs/<int:run_id>")
@login_required
def report(run_id: int) -> Any:
    """The printable drill report of one run."""
    drill_run, drill = _run_and_drill(run_id)
    incidents = drill_run.results.get("incidents", [])
    return render_template(
        "drills/report.html",
        drill=drill,
        run=drill_run,
        incidents=incidents,
        experts=drill_run.results.get("experts", []),
        map_html=embed(_run_map(drill_run), height="60vh", title="drill run map"),
        others=[r for r in drill.runs if r.id != drill_run.id],
        incident_types=INCIDENT_TYPES,
        severities=SEVERITIES,
        specialties=SPECIALTIES,
    )


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
    points = [(e["incident"]["lon"], e["incident"]["lat"]) for e in incidents]
    points += [(t["lon"], t["lat"]) for e in incidents for t in e["teams"]]
    fmap = new_map(mapping.points_bounds(points))
    drill_map.add_drill_run(fmap, incidents)
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
