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


def add_coverage(
    fmap: folium.Map,
    lines: Mapping[str, Sequence[Any]],
    hazards: Sequence[Mapping[str, Any]],
    *,
    standard_min: float,
    sites: Sequence[Mapping[str, Any]] = (),
) -> None:
    """Draw roads by coverage (``lines``: covered / partial / uncovered -> lon/lat arrays),
    hazard sources green when covered and red when not, and suggested sites."""
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
    add_markers(
        fmap,
        [
            MapPoint(
                h["lon"],
                h["lat"],
                h["name"],
                COVERED_STYLE if h["covered"] else UNCOVERED_STYLE,
                rows=[
                    ("企业 enterprise", h.get("enterprise", "")),
                    ("等级 grade", str(h.get("grade", ""))),
                    (
                        "到达 arrival",
                        f"{h['arrival_s'] / 60:.1f} min" if h.get("arrival_s") is not None else "—",
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
                    f"建议 #{s['rank']}: {s['name']}",
                    MarkerStyle("blue", "plus"),
                    rows=[("增益 gain", str(s["gain"]))],
                )
                for s in sites
            ],
            layer="suggested sites",
        )
    add_legend(
        fmap,
        [
            (f"≤ {standard_min:g} min 覆盖 covered", MarkerStyle("green", "road")),
            ("部分 partly", MarkerStyle("orange", "road")),
            ("未覆盖 uncovered", MarkerStyle("red", "road")),
            ("危险源已覆盖 hazard covered", COVERED_STYLE),
            ("危险源未覆盖 hazard uncovered", UNCOVERED_STYLE),
        ],
        title="救援圈 coverage",
    )
