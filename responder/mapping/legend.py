"""A fixed legend box in the map's corner."""

from __future__ import annotations

from collections.abc import Iterable

import folium
from branca.element import MacroElement, Template

from responder.mapping.styles import MarkerStyle
from responder.mapping.text import map_text

_TEMPLATE = Template(
    """
    {% macro html(this, kwargs) %}
    <div class="responder-legend" style="position:absolute; z-index:1000; bottom:24px;
         right:10px; background:rgba(255,255,255,.92); padding:6px 10px; border-radius:4px;
         box-shadow:0 1px 4px rgba(0,0,0,.3); font:12px/1.5 sans-serif; max-height:60%;
         overflow:auto">
      {{ this.body }}
    </div>
    {% endmacro %}
    """
)


class Legend(MacroElement):
    """Rendered into the map document's body (the template is our own, already escaped)."""

    def __init__(self, body: str) -> None:
        super().__init__()
        self._name = "Legend"
        self.body = body
        self._template = _TEMPLATE


def add_legend(
    fmap: folium.Map, entries: Iterable[tuple[str, MarkerStyle]], *, title: str = ""
) -> Legend:
    """Add a legend with one line per (label, style): a colour swatch, the icon, the label."""
    lines = [f"<strong>{map_text(title)}</strong>"] if title else []
    for label, style in entries:
        lines.append(
            f'<div><span style="display:inline-block;width:1.4em;text-align:center;'
            f'color:#fff;background:{style.hex};border-radius:3px;margin-right:4px">'
            f'<i class="fa fa-{map_text(style.icon)}"></i></span>{map_text(label)}</div>'
        )
    legend = Legend("".join(lines))
    fmap.get_root().add_child(legend)
    return legend
