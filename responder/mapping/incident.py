"""The map of one incident: the site, proposed or dispatched teams with their routes
coloured by specialty, the depots used, nearby hazard sources and isochrone rings.

Takes plain values (a proposal body as the dispatch service returns it, polygons) so it
stays a leaf that knows nothing of the database.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

import folium
from branca.element import Element, MacroElement
from jinja2 import Template
from shapely.geometry import mapping as geojson

from responder.mapping.legend import add_legend
from responder.mapping.markers import MapPoint, add_markers
from responder.mapping.styles import HAZARD_GRADE, HEX, KIND, SPECIALTY, MarkerStyle
from responder.mapping.text import map_text, script_json
from responder.vocabulary import SPECIALTIES, label

#: Isochrone ring fill colours, inner (shortest) first.
RING_COLOURS = ("#d7301f", "#fc8d59", "#fdcc8a", "#fef0d9")


def add_isochrones(fmap: folium.Map, rings: Sequence[tuple[float, Any]]) -> None:
    """Draw (minutes, polygon) rings, largest first so the smaller ones stay on top."""
    group = folium.FeatureGroup(name="isochrones")
    ordered = sorted(enumerate(rings), key=lambda item: -item[1][0])
    for index, (minutes, polygon) in ordered:
        if polygon is None or polygon.is_empty:
            continue
        colour = RING_COLOURS[min(index, len(RING_COLOURS) - 1)]
        folium.GeoJson(
            geojson(polygon),
            name=f"{minutes:g} min",
            style_function=lambda _f, c=colour: {
                "color": c,
                "weight": 1,
                "fillColor": c,
                "fillOpacity": 0.18,
            },
            tooltip=map_text(f"{minutes:g} 分钟可达 / reachable in {minutes:g} min"),
        ).add_to(group)
    group.add_to(fmap)


def add_incident(
    fmap: folium.Map,
    incident: Mapping[str, Any],
    proposal: Mapping[str, Any] | None,
    *,
    dispatched: Sequence[Mapping[str, Any]] = (),
) -> None:
    """Draw the incident, its teams and routes, depots used and nearby hazard sources.

    ``incident`` has lon, lat, title; ``proposal`` is a stored proposal body (or None);
    ``dispatched`` lists teams already sent (lon, lat, name, specialty, status).
    """
    add_markers(
        fmap,
        [
            MapPoint(
                incident["lon"],
                incident["lat"],
                incident["title"],
                KIND["incident"],
                rows=incident.get("rows", ()),
            )
        ],
        layer="incident",
    )
    used_specialties: set[str] = set()
    if proposal:
        team_points = []
        for specialty, options in proposal.get("teams", {}).items():
            style = SPECIALTY.get(specialty, KIND["team"])
            for option in options:
                if not option["recommended"]:
                    continue
                used_specialties.add(specialty)
                if option.get("route"):
                    folium.PolyLine(
                        [(lat, lon) for lon, lat in option["route"]],
                        color=style.hex,
                        weight=4,
                        opacity=0.85,
                        tooltip=map_text(f"{option['name']}: {option['arrival_s'] / 60:.1f} min"),
                    ).add_to(fmap)
                team_points.append(
                    MapPoint(
                        option["lon"],
                        option["lat"],
                        option["name"],
                        style,
                        rows=(
                            ("到达 arrival", f"{option['arrival_s'] / 60:.1f} min"),
                            ("路程 road", f"{(option.get('road_m') or 0) / 1000:.1f} km"),
                            (
                                "跨区 cross-area",
                                "是 yes" if option["cross_jurisdiction"] else "否 no",
                            ),
                        ),
                    )
                )
        add_markers(fmap, team_points, layer="proposed teams")
        depots = {}
        for fill in proposal.get("materials", []):
            for source in fill["sources"]:
                depots.setdefault(source["depot_id"], source)
        add_markers(
            fmap,
            [
                MapPoint(s["lon"], s["lat"], s["depot"], KIND["depot"])
                for s in depots.values()
                if "lon" in s
            ],
            layer="depots",
        )
        add_markers(
            fmap,
            [
                MapPoint(
                    h["lon"],
                    h["lat"],
                    f"{h['enterprise']}: {h['name']}",
                    HAZARD_GRADE.get(h["grade"], KIND["hazard_source"]),
                    rows=(
                        ("等级 grade", str(h["grade"])),
                        ("距离 distance", f"{h['distance_m']:.0f} m"),
                    ),
                )
                for h in proposal.get("hazard_sources", [])
            ],
            layer="hazard sources",
        )
    add_markers(
        fmap,
        [
            MapPoint(
                d["lon"],
                d["lat"],
                d["name"],
                SPECIALTY.get(d["specialty"], KIND["team"]),
                rows=(("状态 status", d["status"]),),
            )
            for d in dispatched
        ],
        layer="dispatched teams",
    )
    used_specialties.update(d["specialty"] for d in dispatched if d["specialty"] in SPECIALTY)
    legend: list[tuple[str, MarkerStyle]] = [
        ("事故 incident", KIND["incident"]),
        ("物资库 depot", KIND["depot"]),
        ("重大危险源 hazard source", HAZARD_GRADE[1]),
    ]
    legend += [
        (f"{label(SPECIALTIES, code)} {label(SPECIALTIES, code, 'en')}", SPECIALTY[code])
        for code in sorted(used_specialties)
    ]
    add_legend(fmap, legend, title="图例 Legend")


__all__ = ["HEX", "add_incident", "add_isochrones", "add_road_labels"]

#: The zoom from which a road class's names are written (major roads first).
LABEL_MIN_ZOOM: dict[str, int] = {"motorway": 13, "trunk": 13, "primary": 13, "secondary": 15}
_LABEL_ORDER = ("motorway", "trunk", "primary", "secondary")
_LABEL_STYLE = """<style>
.leaflet-tooltip.road-label { background: rgba(255,255,255,.78); border: 0; box-shadow: none;
  padding: 0 3px; border-radius: 2px; color: #5b4a26; font: 11px/1.35 sans-serif;
  white-space: nowrap; pointer-events: none; }
.leaflet-tooltip.road-label.road-label-motorway, .leaflet-tooltip.road-label.road-label-trunk,
.leaflet-tooltip.road-label.road-label-primary { font-weight: 600; color: #4a3a12; }
</style>"""
#: In a phone-wide map the route legend would cover half of it: smaller, and it scrolls.
_NARROW_LEGEND = """<style>
@media (max-width: 520px) {
  .responder-legend { font-size: 10px !important; line-height: 1.35 !important;
    max-height: 32% !important; padding: 3px 6px !important; }
}
</style>"""


class _RoadLabels(MacroElement):
    """Names written on the map as permanent tooltips of one switchable layer.  Each name
    is set as text (``textContent``), never parsed as HTML.  On every zoom, names of a
    class below its zoom threshold, and names that would overlap an earlier (more
    important) one, are hidden, so the map stays readable."""

    _template = Template(
        """
{% macro script(this, kwargs) %}
(function () {
  var group = {{ this._parent.get_name() }}, map = {{ this.map_name }};
  var minZoom = {{ this.min_zoom }}, labels = [];
  {{ this.rows }}.forEach(function (row) {
    var span = document.createElement("span");
    span.textContent = row[0];
    var tip = L.tooltip({permanent: true, direction: "center", interactive: false,
                         className: "road-label road-label-" + row[3]})
      .setLatLng([row[2], row[1]]).setContent(span);
    labels.push({tip: tip, min: minZoom[row[3]] || 99});
    group.addLayer(tip);
  });
  function declutter() {
    if (!map.hasLayer(group)) return;
    var zoom = map.getZoom(), kept = [];
    var shown = labels.filter(function (l) { return l.tip.getElement() && zoom >= l.min; });
    labels.forEach(function (l) {
      var element = l.tip.getElement();
      if (element) element.style.display = zoom >= l.min ? "" : "none";
    });
    var boxes = shown.map(function (l) { return l.tip.getElement().getBoundingClientRect(); });
    shown.forEach(function (l, i) {
      var b = boxes[i], free = kept.every(function (k) {
        return b.right + 4 < k.left || b.left > k.right + 4 ||
               b.bottom + 2 < k.top || b.top > k.bottom + 2;
      });
      if (free) kept.push(b); else l.tip.getElement().style.display = "none";
    });
  }
  map.on("zoomend overlayadd", declutter);
  map.whenReady(function () { setTimeout(declutter, 0); });
})();
{% endmacro %}
"""
    )

    def __init__(self, rows: str, min_zoom: str, map_name: str) -> None:
        super().__init__()
        self._name = "RoadLabels"
        self.rows, self.min_zoom, self.map_name = rows, min_zoom, map_name


def add_road_labels(
    fmap: folium.Map,
    labels: Sequence[tuple[str, float, float, str]],
    *,
    name: str,
    min_zoom: Mapping[str, int] = LABEL_MIN_ZOOM,
) -> folium.FeatureGroup:
    """Write road names on the map: ``labels`` are (name, lon, lat, highway class), one
    switchable layer called ``name``; a class's names show from ``min_zoom[class]`` on
    (classes not in ``min_zoom`` are left out), more important classes win overlaps."""
    rank = {code: i for i, code in enumerate(_LABEL_ORDER)}
    rows = sorted(
        (
            (text, round(lon, 5), round(lat, 5), cls)
            for text, lon, lat, cls in labels
            if cls in min_zoom
        ),
        key=lambda row: (rank.get(row[3], len(rank)), row[0]),
    )
    group = folium.FeatureGroup(name=name, show=True)
    group.add_child(
        _RoadLabels(
            script_json(rows),
            json.dumps(dict(min_zoom)),
            fmap.get_name(),
        )
    )
    fmap.get_root().header.add_child(Element(_LABEL_STYLE), name="responder_road_labels")
    group.add_to(fmap)
    return group


def add_console_layers(
    fmap: folium.Map,
    layers: Sequence[tuple[str, Sequence[MapPoint]]],
    *,
    hidden: Sequence[str] = (),
    route_legend: Sequence[tuple[str, str]] = (),
    legend_title: str = "",
) -> None:
    """Our own data as switchable layers (one feature group per name, e.g. teams by status,
    depots, enterprises, hazard sources by grade) with a layer switch, and a legend of the
    route colours by specialty (``route_legend``: label, specialty code).  Layers named in
    ``hidden`` start switched off (the switch turns them on)."""
    for name, points in layers:
        group = add_markers(fmap, points, layer=name)
        group.show = name not in hidden
    folium.LayerControl(collapsed=True).add_to(fmap)
    if route_legend:
        fmap.get_root().header.add_child(Element(_NARROW_LEGEND), name="responder_narrow_legend")
        add_legend(
            fmap,
            [(text, SPECIALTY.get(code, KIND["team"])) for text, code in route_legend],
            title=legend_title,
        )
