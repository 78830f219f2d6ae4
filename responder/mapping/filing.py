"""Choropleth of filing rates by jurisdiction (a leaf: plain values in, Folium out)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import folium

from responder.mapping.legend import Legend
from responder.mapping.text import map_text

#: (lower bound of the rate as a share of the target, colour, label), best first.
BANDS: tuple[tuple[float, str, str], ...] = (
    (1.0, "#1a7f37", "≥ 目标"),
    (0.9, "#9fc93c", "90–100% 目标"),
    (0.8, "#f2b134", "80–90% 目标"),
    (0.0, "#c62828", "< 80% 目标"),
)
NO_DATA = "#b0b7c3"


@dataclass(frozen=True)
class RateArea:
    """One jurisdiction to colour: its name, boundary geometry and counts."""

    name: str
    geometry: Mapping[str, Any]
    required: int
    filed: int

    @property
    def rate(self) -> float | None:
        return self.filed / self.required if self.required else None


def colour_for(rate: float | None, target: float) -> str:
    """The band colour of ``rate`` against ``target`` (grey when nothing is required)."""
    if rate is None:
        return NO_DATA
    share = rate / target if target > 0 else 1.0
    for bound, colour, _label in BANDS:
        if share >= bound - 1e-9:
            return colour
    return BANDS[-1][1]


def add_rate_choropleth(
    fmap: folium.Map, areas: Iterable[RateArea], *, target: float, layer: str = "filing rate"
) -> folium.FeatureGroup:
    """Fill each area by its filing rate against ``target``; tooltip: name, rate, counts."""
    group = folium.FeatureGroup(name=layer)
    for area in areas:
        colour = colour_for(area.rate, target)
        shown = "—" if area.rate is None else f"{area.rate:.1%}"
        tip = f"{area.name}: {shown} ({area.filed}/{area.required})"
        folium.GeoJson(
            {
                "type": "Feature",
                "properties": {"name": area.name, "rate": area.rate},
                "geometry": dict(area.geometry),
            },
            style_function=lambda _f, colour=colour: {
                "color": "#39424e",
                "weight": 1.2,
                "fillColor": colour,
                "fillOpacity": 0.6,
            },
            tooltip=map_text(tip),
        ).add_to(group)
    group.add_to(fmap)
    return group


def add_rate_legend(
    fmap: folium.Map,
    *,
    target: float,
    title: str = "备案率",
    labels: Sequence[str] | None = None,
) -> Legend:
    """The colour bands, relative to ``target``.  ``labels`` names the bands in the page's
    language (one per entry of :data:`BANDS`, then the "nothing required" grey)."""
    names = list(labels) if labels is not None else [b[2] for b in BANDS] + ["无应备案企业"]
    if len(names) != len(BANDS) + 1:
        raise ValueError(f"add_rate_legend needs {len(BANDS) + 1} labels, got {len(names)}")
    lines = [f"<strong>{map_text(title)}</strong> ({map_text(f'{target:.0%}')})"]
    bands = list(zip([b[1] for b in BANDS] + [NO_DATA], names, strict=True))
    for colour, text in bands:
        lines.append(
            f'<div><span style="display:inline-block;width:1.2em;height:.8em;'
            f'background:{colour};margin-right:4px"></span>{map_text(text)}</div>'
        )
    legend = Legend("".join(lines))
    fmap.get_root().add_child(legend)
    return legend
