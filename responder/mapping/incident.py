"""The map of one incident: the site, proposed or dispatched teams with their routes
coloured by specialty, the depots used, nearby hazard sources and isochrone rings.

Takes plain values (a proposal body as the dispatch service returns it, polygons) so it
stays a leaf that knows nothing of the database.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import folium
from shapely.geometry import mapping as geojson

from responder.mapping.legend import add_legend
from responder.mapping.markers import MapPoint, add_markers
from responder.mapping.styles import HAZARD_GRADE, HEX, KIND, SPECIALTY, MarkerStyle
from responder.mapping.text import map_text
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


__all__ = ["HEX", "add_incident", "add_isochrones"]


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
        add_legend(
            fmap,
            [(text, SPECIALTY.get(code, KIND["team"])) for text, code in route_legend],
            title=legend_title,
        )
