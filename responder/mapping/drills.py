"""Drill and coverage maps: the 【演练】 DRILL watermark, a drill run's incidents, teams,
routes, road closures and teams taken out of the drill, and coverage (roads reached within
the standard or not, hazard sources coloured).

Takes plain values (a run's results JSON, lists of lon/lat arrays) so it stays a leaf.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import folium
import numpy as np
from branca.element import MacroElement, Template

from responder.mapping.legend import add_legend
from responder.mapping.markers import MapPoint, add_markers
from responder.mapping.styles import KIND, SPECIALTY, MarkerStyle
from responder.mapping.text import map_text

WATERMARK_TEXT = "【演练】 DRILL"

_WATERMARK = Template(
    """
    {% macro html(this, kwargs) %}
    <div class="responder-drill-watermark" aria-label="drill" style="position:absolute;
         z-index:1001; top:8px; left:50%; transform:translateX(-50%); pointer-events:none;
         padding:2px 14px; border:2px solid #b00020; border-radius:4px; color:#b00020;
         background:rgba(255,255,255,.8); font:700 18px/1.4 sans-serif; letter-spacing:2px">
      {{ this.text }}
    </div>
    <div class="responder-drill-watermark-diagonal" style="position:absolute; z-index:999;
         inset:0; pointer-events:none; display:flex; align-items:center;
         justify-content:center; color:rgba(176,0,32,.13); font:700 72px/1 sans-serif;
         transform:rotate(-24deg)">{{ this.text }}</div>
    {% endmacro %}
    """
)

COVERED = "#1a9850"
PARTIAL = "#fdae61"
UNCOVERED = "#d73027"
COVERED_STYLE = MarkerStyle("green", "triangle-exclamation")
UNCOVERED_STYLE = MarkerStyle("red", "triangle-exclamation")
#: A hazard source the standard does not judge where it lies (fire outside urban land).
NOT_JUDGED_STYLE = MarkerStyle("gray", "triangle-exclamation")


class Watermark(MacroElement):
    """A visible drill banner and a faint diagonal mark over the whole map."""

    def __init__(self, text: str = WATERMARK_TEXT) -> None:
        super().__init__()
        self._name = "DrillWatermark"
        self.text = map_text(text)
        self._template = _WATERMARK


def add_watermark(fmap: folium.Map, text: str = WATERMARK_TEXT) -> Watermark:
    mark = Watermark(text)
    fmap.get_root().add_child(mark)
    return mark


#: The fixed words of a drill run's map, in Chinese; pages pass their own language's.
DRILL_WORDS: dict[str, str] = {
    "incident": "模拟事故",
    "unmet": "未满足",
    "response": "到达用时",
    "standard": "标准",
    "met": "结果",
    "yes": "达标",
    "no": "超标准",
    "not_judged": "不评定",
    "min": "分钟",
    "title": "演练 · 虚线 = 超标准",
    "closure": "封路",
    "second": "次生事故",
    "team_unavailable": "队伍不可用",
}


def add_drill_run(
    fmap: folium.Map,
    incidents: Sequence[Mapping[str, Any]],
    *,
    closures: Sequence[Mapping[str, Any]] = (),
    unavailable: Sequence[Mapping[str, Any]] = (),
    words: Mapping[str, str] | None = None,
    specialty_labels: Mapping[str, str] | None = None,
) -> None:
    """Draw a run's simulated incidents (numbered), the teams sent and their routes
    coloured by specialty (teams that missed the standard get a dashed route), the
    drill's road closures and the teams its injects took out (see
    :func:`add_unavailable_teams`).  ``words`` and ``specialty_labels`` give the page's
    language (default: Chinese words, specialty codes)."""
    w = {**DRILL_WORDS, **(words or {})}
    names = specialty_labels or {}
    minutes = w["min"]
    points = []
    for entry in incidents:
        incident = entry["incident"]
        unmet = len(entry.get("unmet", []))
        points.append(
            MapPoint(
                incident["lon"],
                incident["lat"],
                f"#{entry['index']} {incident.get('label', incident['type'])} "
                f"(+{incident['offset_min']:g} {minutes})",
                KIND["incident"],
                rows=[(w["unmet"], str(unmet))] if unmet else [],
            )
        )
    add_markers(fmap, points, layer="simulated incidents")
    routes = folium.FeatureGroup(name="routes")
    teams = []
    verdicts = {True: w["yes"], False: w["no"]}
    for entry in incidents:
        for team in entry.get("teams", []):
            colour = SPECIALTY.get(team["specialty"], KIND["team"]).hex
            if team.get("route"):
                folium.PolyLine(
                    [[lat, lon] for lon, lat in team["route"]],
                    color=colour,
                    weight=4,
                    opacity=0.85,
                    dash_array="8 6" if team["met"] is False else None,
                    tooltip=map_text(
                        f"#{entry['index']} {team['name']}: {team['response_s'] / 60:.1f} {minutes}"
                    ),
                ).add_to(routes)
            teams.append(
                MapPoint(
                    team["lon"],
                    team["lat"],
                    team["name"],
                    SPECIALTY.get(team["specialty"], KIND["team"]),
                    rows=[
                        (w["incident"], f"#{entry['index']}"),
                        (w["response"], f"{team['response_s'] / 60:.1f} {minutes}"),
                        (w["standard"], f"{team['standard_min']:g} {minutes}"),
                        (w["met"], verdicts.get(team["met"], w["not_judged"])),
                    ],
                )
            )
    routes.add_to(fmap)
    add_markers(fmap, teams, layer="teams")
    add_closures(fmap, closures)
    add_unavailable_teams(fmap, unavailable)
    used = {team["specialty"] for entry in incidents for team in entry.get("teams", [])}
    entries = [(w["incident"], KIND["incident"])]
    entries += [
        (names.get(code, code), SPECIALTY[code]) for code in sorted(used) if code in SPECIALTY
    ]
    entries += inject_legend(closures, unavailable, words=w)
    add_legend(fmap, entries, title=w["title"])


def inject_legend(
    closures: Sequence[Mapping[str, Any]],
    unavailable: Sequence[Mapping[str, Any]],
    *,
    words: Mapping[str, str],
) -> list[tuple[str, MarkerStyle]]:
    """The legend lines of the injects drawn (only the kinds there are)."""
    entries = []
    if closures:
        entries.append((words["closure"], CLOSURE_STYLE))
    if unavailable:
        entries.append((words["team_unavailable"], TEAM_UNAVAILABLE_STYLE))
    return entries


#: A team a drill inject takes out of service (队伍不可用): the legend's swatch and the
#: badge drawn at the team's location.
TEAM_UNAVAILABLE_STYLE = MarkerStyle("black", "user-slash")
_TEAM_OUT_BADGE = (
    f'<div style="width:22px;height:22px;border-radius:50%;border:2px solid #fff;'
    f"background:{TEAM_UNAVAILABLE_STYLE.hex};color:#fff;font-size:11px;line-height:22px;"
    f'text-align:center;box-shadow:0 1px 3px rgba(0,0,0,.5)">'
    f'<i class="fa fa-{TEAM_UNAVAILABLE_STYLE.icon}"></i></div>'
)


def _popup_html(point: MapPoint) -> str:
    """A badge's popup body: the escaped title and a table of escaped rows (the few
    badges of a drill are Folium markers; registry points are drawn by map_points.js)."""
    rows = "".join(
        f"<tr><th>{map_text(label)}</th><td>{map_text(value)}</td></tr>"
        for label, value in point.rows
    )
    return (
        f'<div class="responder-popup"><strong>{map_text(point.title)}</strong>'
        f"<table>{rows}</table></div>"
    )


def add_unavailable_teams(fmap: folium.Map, teams: Sequence[Mapping[str, Any]]) -> None:
    """Draw the teams a drill's injects take out of service: a round badge centred on
    each team's location (``lon``, ``lat``), so that a team also sent in the run keeps its
    own pin visible above it.  ``label`` is the tooltip and popup title (e.g. "队伍不可用
    +10 分钟 (09:10) 东区消防站") and ``rows`` the popup's (label, value) pairs."""
    if not teams:
        return
    group = folium.FeatureGroup(name="drill unavailable teams")
    for team in teams:
        if team.get("lon") is None or team.get("lat") is None:
            continue
        point = MapPoint(
            team["lon"], team["lat"], team["label"], TEAM_UNAVAILABLE_STYLE, team.get("rows", ())
        )
        folium.Marker(
            location=[point.lat, point.lon],
            icon=folium.DivIcon(
                html=_TEAM_OUT_BADGE,
                icon_size=(26, 26),
                icon_anchor=(13, 13),
                class_name="responder-team-out",
            ),
            tooltip=map_text(point.title),
            popup=folium.Popup(_popup_html(point), max_width=320),
        ).add_to(group)
    group.add_to(fmap)


CLOSURE = "#7a0019"
CLOSURE_STYLE = MarkerStyle("darkred", "road-barrier")


def add_closures(fmap: folium.Map, closures: Sequence[Mapping[str, Any]]) -> None:
    """Draw a drill's road closures: a circle of ``radius_m`` round (``lon``, ``lat``) or a
    thick dashed ``line``; ``label`` is the tooltip (e.g. "封路 +10 分钟 10:10")."""
    if not closures:
        return
    group = folium.FeatureGroup(name="drill road closures")
    for closure in closures:
        tooltip = map_text(closure.get("label", ""))
        if closure.get("line"):
            folium.PolyLine(
                [[lat, lon] for lon, lat in closure["line"]],
                color=CLOSURE,
                weight=8,
                opacity=0.8,
                dash_array="4 6",
                tooltip=tooltip,
            ).add_to(group)
        elif closure.get("lon") is not None and closure.get("lat") is not None:
            folium.CircleMarker(  # seen at any zoom; the circle below is the closed area
                [closure["lat"], closure["lon"]],
                radius=7,
                color="#ffffff",
                weight=2,
                fill=True,
                fill_color=CLOSURE,
                fill_opacity=0.95,
                tooltip=tooltip,
            ).add_to(group)
            folium.Circle(
                [closure["lat"], closure["lon"]],
                radius=max(float(closure.get("radius_m") or 30.0), 15.0),
                color=CLOSURE,
                weight=3,
                fill=True,
                fill_opacity=0.35,
                tooltip=tooltip,
            ).add_to(group)
    group.add_to(fmap)


#: The coverage map's words (Chinese, the pages' default); a page passes its own language.
COVERAGE_LABELS: dict[str, str] = {
    "title": "救援圈",
    "covered": "≤ {standard} 分钟 覆盖",
    "partial": "部分覆盖",
    "uncovered": "未覆盖",
    "hazard_covered": "危险源 已覆盖",
    "hazard_uncovered": "危险源 未覆盖",
    "hazard_not_judged": "危险源 不评定（不在标准适用范围）",
    "enterprise": "企业",
    "grade": "等级",
    "arrival": "到达",
    "minutes": "分钟",
    "suggested": "建议",
    "gain": "新增覆盖",
}


def add_coverage(
    fmap: folium.Map,
    lines: Mapping[str, Sequence[Any]],
    hazards: Sequence[Mapping[str, Any]],
    *,
    standard_min: float,
    sites: Sequence[Mapping[str, Any]] = (),
    labels: Mapping[str, str] | None = None,
) -> None:
    """Draw roads by coverage (``lines``: covered / partial / uncovered -> lon/lat arrays),
    hazard sources green when covered, red when not and grey when the standard does not
    judge them there (``covered`` None), and suggested sites.  ``labels`` words the legend
    and pop-ups in the page's language (keys of :data:`COVERAGE_LABELS`)."""
    words = {**COVERAGE_LABELS, **(labels or {})}
    colours = {"covered": COVERED, "partial": PARTIAL, "uncovered": UNCOVERED}
    for key in ("uncovered", "partial", "covered"):
        group = folium.FeatureGroup(name=f"roads {key}")
        coords = [
            np.round(np.asarray(line, dtype=float), 5).tolist() for line in lines.get(key, [])
        ]
        if coords:  # one GeoJSON MultiLineString per class: compact and quick to build
            folium.GeoJson(
                {"type": "MultiLineString", "coordinates": coords},
                style_function=lambda _f, c=colours[key]: {
                    "color": c,
                    "weight": 2.2,
                    "opacity": 0.8,
                },
                interactive=False,
            ).add_to(group)
        group.add_to(fmap)
    minutes = words["minutes"]
    add_markers(
        fmap,
        [
            MapPoint(
                h["lon"],
                h["lat"],
                h["name"],
                _hazard_style(h["covered"]),
                rows=[
                    (words["enterprise"], h.get("enterprise", "")),
                    (words["grade"], str(h.get("grade", ""))),
                    (
                        words["arrival"],
                        f"{h['arrival_s'] / 60:.1f} {minutes}"
                        if h.get("arrival_s") is not None
                        else "—",
                    ),
                ],
            )
            for h in hazards
        ],
        layer="hazard sources",
    )
    if sites:
        add_markers(
            fmap,
            [
                MapPoint(
                    s["lon"],
                    s["lat"],
                    f"{words['suggested']} #{s['rank']}: {s['name']}",
                    MarkerStyle("blue", "plus"),
                    rows=[(words["gain"], str(s["gain"]))],
                )
                for s in sites
            ],
            layer="suggested sites",
        )
    entries = [
        (words["covered"].format(standard=f"{standard_min:g}"), MarkerStyle("green", "road")),
        (words["partial"], MarkerStyle("orange", "road")),
        (words["uncovered"], MarkerStyle("red", "road")),
        (words["hazard_covered"], COVERED_STYLE),
        (words["hazard_uncovered"], UNCOVERED_STYLE),
    ]
    if any(h["covered"] is None for h in hazards):
        entries.append((words["hazard_not_judged"], NOT_JUDGED_STYLE))
    add_legend(fmap, entries, title=words["title"])


def _hazard_style(covered: bool | None) -> MarkerStyle:
    if covered is None:
        return NOT_JUDGED_STYLE
    return COVERED_STYLE if covered else UNCOVERED_STYLE
