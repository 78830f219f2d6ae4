"""Drill and coverage maps: the 【演练】 DRILL watermark, a drill run's incidents, teams and
routes, and coverage (roads reached within the standard or not, hazard sources coloured).

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


def add_drill_run(fmap: folium.Map, incidents: Sequence[Mapping[str, Any]]) -> None:
    """Draw a run's simulated incidents (numbered), the teams sent and their routes
    coloured by specialty; teams that missed the standard get a dashed route."""
    points = []
    for entry in incidents:
        incident = entry["incident"]
        unmet = len(entry.get("unmet", []))
        points.append(
            MapPoint(
                incident["lon"],
                incident["lat"],
                f"#{entry['index']} {incident.get('label', incident['type'])} "
                f"(+{incident['offset_min']:g} min)",
                KIND["incident"],
                rows=[("未满足 unmet", str(unmet))] if unmet else [],
            )
        )
    add_markers(fmap, points, layer="simulated incidents")
    routes = folium.FeatureGroup(name="routes")
    teams = []
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
                        f"#{entry['index']} {team['name']}: {team['response_s'] / 60:.1f} min"
                    ),
                ).add_to(routes)
            teams.append(
                MapPoint(
                    team["lon"],
                    team["lat"],
                    team["name"],
                    SPECIALTY.get(team["specialty"], KIND["team"]),
                    rows=[
                        ("事故 incident", f"#{entry['index']}"),
                        ("到达 response", f"{team['response_s'] / 60:.1f} min"),
                        ("标准 standard", f"{team['standard_min']:g} min"),
                        (
                            "达标 met",
                            {True: "是 yes", False: "否 NO"}.get(team["met"], "不评定 not judged"),
                        ),
                    ],
                )
            )
    routes.add_to(fmap)
    add_markers(fmap, teams, layer="teams")
    used = {team["specialty"] for entry in incidents for team in entry.get("teams", [])}
    add_legend(
        fmap,
        [("模拟事故 simulated incident", KIND["incident"])]
        + [(code, SPECIALTY[code]) for code in sorted(used) if code in SPECIALTY],
        title="演练 drill · 虚线=超标准 dashed=missed",
    )


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
