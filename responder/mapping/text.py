"""User text on a map, escaped for every context Folium puts it in.

Folium writes popup and tooltip HTML into JavaScript *template literals*
(``$(`<div>…</div>`)``, ``bindTooltip(`…`)``), so HTML escaping alone is not enough: a
name holding ``${alert(1)}`` would be evaluated as an interpolation, a backtick would end
the literal and a backslash would start an escape sequence.  :func:`map_text` escapes the
HTML characters and writes those three as character references, which the browser shows
as the same characters once the literal becomes HTML.  Every piece of text this package
draws goes through it; nothing else in the package escapes on its own.
"""

from __future__ import annotations

import html

_TEMPLATE_LITERAL = str.maketrans({"`": "&#96;", "$": "&#36;", "\\": "&#92;"})


def map_text(value: object) -> str:
    """``value`` as text that is inert in HTML, in an HTML attribute and inside a
    JavaScript template literal (and therefore in a plain JS string too)."""
    return html.escape(str(value), quote=True).translate(_TEMPLATE_LITERAL)
