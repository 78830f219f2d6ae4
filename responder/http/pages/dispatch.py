"""Dispatch pages: the operator console, incident pages and the incident map export."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from flask import Blueprint, Response, current_app, g, render_template, request
from flask_babel import gettext as _
from flask_babel import pgettext
from flask_login import login_required

from responder.http.context import loaded_road_network, road_names, snap_max_m
from responder.http.pages import display
from responder.http.pages.maps import embed, new_map, standalone_html
from responder.mapping import incident as incident_map
from responder.mapping import styles
from responder.mapping.markers import MapPoint
from responder.models import Incident, db
from responder.services import dispatch
from responder.vocabulary import (
    HAZARD_GRADES,
    INCIDENT_TYPES,
    MATERIAL_UNITS,
    SEVERITIES,
    SPECIALTIES,
    TEAM_STATUSES,
    label,
)

bp = Blueprint("dispatch_pages", __name__)


@bp.app_template_filter("clock")
def clock(moment: datetime | None, with_date: bool = True) -> str:
    """A timestamp in the office's local time (the TIMEZONE setting), e.g. 12-01 22:05:09."""
    if moment is None:
        return ""
    local = moment.astimezone(ZoneInfo(current_app.config["TIMEZONE"]))
    return local.strftime("%m-%d %H:%M:%S" if with_date else "%H:%M:%S")


def assignment_labels() -> dict[str, str]:
    """A team's state on an incident, in words."""
    return {
        "dispatched": _("途中"),
        "on_scene": _("到场"),
        "returning": _("返回"),
        "released": _("已归队"),
    }


def incident_status_labels() -> dict[str, str]:
    return {"open": _("处置中"), "closed": _("已结束")}


def timeline_labels() -> dict[str, str]:
    return {
        "reported": _("接报"),
        "proposed": _("生成调度方案"),
        "reinforcement_proposed": _("生成增援方案"),
        "confirmed": _("确认调度"),
        "team_dispatched": _("队伍出动"),
        "team_on_scene": _("队伍到场"),
        "team_returning": _("队伍返回"),
        "team_released": _("队伍归队"),
        "record_updated": _("更新伤亡损失与等级"),
        "note": _("备注"),
        "closed": _("事故结束"),
    }


def page_labels() -> dict[str, Any]:
    """Words the page scripts need, in the page's language (built with textContent)."""
    return {
        "specialties": {code: display.label(code, SPECIALTIES) for code in SPECIALTIES},
        "types": {code: display.label(code, INCIDENT_TYPES) for code in INCIDENT_TYPES},
        "severities": {code: display.label(code, SEVERITIES) for code in SEVERITIES},
        "units": {code: display.label(code, MATERIAL_UNITS) for code in MATERIAL_UNITS},
        "states": assignment_labels(),
        "next": {
            "dispatched": _("标记到场"),
            "on_scene": _("标记返回"),
            "returning": _("标记归队"),
        },
        "kinds": {
            "enterprise": _("企业"),
            "hazard_source": _("危险源"),
            "jurisdiction": _("行政区划"),
            "coordinates": _("坐标"),
            "street": _("道路"),
        },
        "cross": _("跨区增援"),
        "none": _("无"),
        "min": _("分钟"),
        "recommended": _("推荐"),
        "unmetTeam": _("需要 {needed} 支，可派 {found} 支"),
        "unmetMaterial": _("短缺 {shortfall} {unit}"),
        "stillNeeded": _("仍需"),
        "confirmed": _("已确认调度"),
        "noIncidents": _("暂无进行中的事故"),
        "elapsed": _("已过"),
        "hours": _("小时"),
        "noPlan": _("未找到相关预案"),
        "reason": _("请填写偏离原因"),
        "closedOk": _("事故已结束"),
        "saved": _("已保存"),
        "grade": _("{grade} 级"),
        "confirm": _("确认调度"),
        "proposal": _("调度方案"),
        "reinforcement": _("增援方案"),
        "team": _("队伍"),
        "specialty": _("专业"),
        "arrival": _("预计到达"),
        "arrivalClock": _("到达时刻"),
        "material": _("物资"),
        "depot": _("物资库"),
        "quantity": _("数量"),
        "hazards": _("附近重大危险源"),
        "plans": _("相关预案"),
        "experts": _("在岗专家"),
        "noExperts": _("所需专业暂无在岗专家"),
        "planRoles": {"enterprise": _("企业预案"), "government": _("政府专项预案")},
        "timezone": current_app.config["TIMEZONE"],
        "routeColours": {code: style.hex for code, style in styles.SPECIALTY.items()},
    }


def can_dispatch() -> bool:
    actor = g.get("actor")
    return bool(actor and actor.can("dispatch.write"))


@bp.get("/board")
@login_required
def board() -> Any:
    """The operators' landing page: every open incident in scope, kept live by polling."""
    actor = g.actor
    return render_template(
        "dispatch/board.html",
        rows=dispatch.board.board(db.session, actor),
        version=dispatch.board.change_version(db.session),
        labels=page_labels(),
        can_write=can_dispatch(),
        timezone=current_app.config["TIMEZONE"],
        incident_types=INCIDENT_TYPES,
        severities=SEVERITIES,
        specialties=SPECIALTIES,
    )


ISOCHRONE_MINUTES = (5.0, 15.0, 30.0)


@bp.get("/console")
@login_required
def console() -> Any:
    """Map first: place an incident by clicking, see the ranked proposal, confirm, follow."""
    network = loaded_road_network()
    bounds = network.bounds if network is not None else None
    fmap = new_map(bounds)
    layers = dispatch.layers.console_layers(db.session, streets=road_names(), bbox=bounds)
    if layers.road_labels:
        incident_map.add_road_labels(
            fmap,
            [(r.name, r.lon, r.lat, r.road_class) for r in layers.road_labels],
            name=_("道路名称"),
        )
    incident_map.add_console_layers(
        fmap,
        _console_points(layers),
        hidden=[pgettext("nav", "企业")],
        route_legend=[(display.label(code, SPECIALTIES), code) for code in SPECIALTIES],
        legend_title=_("路线颜色（按专业）"),
    )
    open_incidents = dispatch.live_incidents(db.session, status="open", limit=50)
    return render_template(
        "dispatch/console.html",
        map_html=embed(fmap, height="72vh", title="console map"),
        incident_types=INCIDENT_TYPES,
        severities=SEVERITIES,
        specialties=SPECIALTIES,
        open_incidents=open_incidents,
        roads_loaded=network is not None,
        specialty_labels={code: display.label(code, SPECIALTIES) for code in SPECIALTIES},
        status_labels={code: display.label(code, TEAM_STATUSES) for code in TEAM_STATUSES},
        labels=page_labels(),
        can_write=can_dispatch(),
        timezone=current_app.config["TIMEZONE"],
    )


@bp.get("/incidents")
@login_required
def incidents() -> Any:
    items = dispatch.live_incidents(db.session, limit=200)
    return render_template(
        "dispatch/incidents.html",
        incidents=items,
        incident_types=INCIDENT_TYPES,
        severities=SEVERITIES,
        status_labels=incident_status_labels(),
    )


@bp.get("/incidents/<int:incident_id>")
@login_required
def incident_page(incident_id: int) -> Any:
    incident = dispatch.get_live_incident(db.session, incident_id)
    proposal = _latest_proposal(incident_id)
    return render_template(
        "dispatch/incident.html",
        incident=incident,
        proposal=proposal,
        place=dispatch.board.place_of(incident),
        events=dispatch.timeline.events(db.session, incident),
        event_labels=timeline_labels(),
        state_labels=assignment_labels(),
        status_labels=incident_status_labels(),
        labels=page_labels(),
        can_write=can_dispatch(),
        timezone=current_app.config["TIMEZONE"],
        version=dispatch.board.change_version(db.session),
        map_html=embed(_incident_map(incident, proposal), height="60vh", title="incident map"),
        incident_types=INCIDENT_TYPES,
        severities=SEVERITIES,
        specialties=SPECIALTIES,
    )


@bp.get("/incidents/<int:incident_id>/map.html")
@login_required
def incident_map_html(incident_id: int) -> Response:
    """The incident map as one standalone HTML file (scripts and styles inlined, so it opens
    offline; add ``?download=1`` to save it)."""
    incident = dispatch.get_live_incident(db.session, incident_id)
    fmap = _incident_map(incident, _latest_proposal(incident_id))
    document = standalone_html(fmap)
    response = Response(document, mimetype="text/html")
    if request.args.get("download"):
        response.headers["Content-Disposition"] = (
            f'attachment; filename="incident-{incident_id}-map.html"'
        )
    return response


def _console_points(
    layers: dispatch.layers.ConsoleLayers,
) -> list[tuple[str, list[MapPoint]]]:
    """Teams by status, depots, enterprises and hazard sources by grade, as named map
    layers in the page's language."""
    teams: dict[str, list[MapPoint]] = {code: [] for code in TEAM_STATUSES}
    for team in layers.teams:
        teams.setdefault(team.status, []).append(
            MapPoint(
                team.lon,
                team.lat,
                team.name,
                styles.for_team(list(team.specialties)),
                rows=((_("专业"), display.labels(list(team.specialties), SPECIALTIES)),),
                muted=team.status != "available",
            )
        )
    depots = [MapPoint(d.lon, d.lat, d.name, styles.KIND["depot"]) for d in layers.depots]
    enterprises = [
        MapPoint(e.lon, e.lat, e.name, styles.KIND["enterprise"], rows=((_("信用代码"), e.detail),))
        for e in layers.enterprises
    ]
    grades: dict[int, list[MapPoint]] = {grade: [] for grade in styles.HAZARD_GRADE}
    for source in layers.hazard_sources:
        substances = "、".join(f"{name} {tonnes:g} t" for name, tonnes in source.substances)
        grades.setdefault(source.grade, []).append(
            MapPoint(
                source.lon,
                source.lat,
                f"{source.enterprise} · {source.name}",
                styles.HAZARD_GRADE.get(source.grade, styles.KIND["hazard_source"]),
                rows=((_("物质"), substances),),
            )
        )
    named = [
        (_("队伍") + " · " + display.label(code, TEAM_STATUSES), points)
        for code, points in teams.items()
        if points
    ]
    named += [(_("物资库"), depots), (pgettext("nav", "企业"), enterprises)]
    named += [
        (_("危险源") + " · " + display.label(str(grade), HAZARD_GRADES), points)
        for grade, points in grades.items()
        if points
    ]
    return named


def _latest_proposal(incident_id: int) -> dict[str, Any] | None:
    proposal = dispatch.latest_proposal(db.session, incident_id)
    return {**proposal.body, "proposal_id": proposal.id} if proposal else None


def _incident_map(incident: Incident, proposal: dict[str, Any] | None) -> Any:
    network = loaded_road_network()
    span = 0.03
    fmap = new_map(
        (incident.lon - span, incident.lat - span, incident.lon + span, incident.lat + span),
        road_margin_deg=0.0,  # the frame already leaves room around the incident
    )
    if network is not None:
        try:
            rings = dispatch.reach_rings(
                network, incident.lon, incident.lat, ISOCHRONE_MINUTES, snap_max_m=snap_max_m()
            )
            incident_map.add_isochrones(fmap, rings)
        except ValueError:  # rings are context: the map must render without them
            current_app.logger.exception("isochrones failed for incident %s", incident.id)
    title = (
        f"#{incident.id} {label(INCIDENT_TYPES, incident.type)} "
        f"({label(SEVERITIES, incident.severity)})"
    )
    dispatched = [
        {
            "lon": a.team.lon,
            "lat": a.team.lat,
            "name": a.team.name,
            "specialty": a.specialty,
            "status": a.status,
        }
        for a in incident.assignments
        if a.status != "released"
    ]
    incident_map.add_incident(
        fmap,
        {
            "lon": incident.lon,
            "lat": incident.lat,
            "title": title,
            "rows": (("上报 reported", incident.reported_at.strftime("%Y-%m-%d %H:%M")),),
        },
        proposal if incident.status == "open" else None,
        dispatched=dispatched,
    )
    return fmap
