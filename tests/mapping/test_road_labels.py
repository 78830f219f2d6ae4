"""Road names written on our base map: one switchable layer, names kept as data (never
markup), only the classes that have a zoom threshold."""

from __future__ import annotations

import json
import re

from responder import mapping
from responder.mapping.incident import add_road_labels

HOSTILE = "</script><img src=x onerror=alert(1)>`${alert(2)}`"


def _rows(html: str) -> list[list[object]]:
    match = re.search(r"\n\s*(\[\[.*?\]\])\.forEach", html)
    assert match, "the labels' data array is missing"
    return json.loads(match.group(1))


def test_labels_are_data_set_as_text_and_cannot_end_the_script() -> None:
    fmap = mapping.base_map((120.0, 30.0, 120.2, 30.1))
    add_road_labels(
        fmap,
        [
            (HOSTILE, 120.05, 30.05, "primary"),
            ("莫干山路", 120.1, 30.06, "secondary"),
            ("小巷", 120.1, 30.07, "residential"),
        ],
        name="道路名称",
    )
    html = mapping.render_html(fmap, assets_url="/static/vendor/")
    assert "</script><img" not in html and "<img" not in html
    assert "textContent = row[0]" in html and "setContent(span)" in html
    rows = _rows(html)
    # Major classes only, the most important first; the name survives unchanged as data.
    assert [(row[0], row[3]) for row in rows] == [(HOSTILE, "primary"), ("莫干山路", "secondary")]


def test_the_labels_layer_joins_the_layer_switch() -> None:
    import folium

    fmap = mapping.base_map((120.0, 30.0, 120.2, 30.1))
    group = add_road_labels(fmap, [("莫干山路", 120.1, 30.06, "trunk")], name="道路名称")
    folium.LayerControl().add_to(fmap)
    html = mapping.render_html(fmap, assets_url="/static/vendor/")
    assert f"{json.dumps('道路名称')} : {group.get_name()}" in html
