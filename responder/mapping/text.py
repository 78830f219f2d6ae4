"""User text on a map, escaped for every context Folium puts it in.

Folium writes popup and tooltip HTML into JavaScript *template literals*
(``$(`<div>…</div>`)``, ``bindTooltip(`…`)``), so HTML escaping alone is not enough: a
name holding ``${alert(1)}`` would be evaluated as an interpolation, a backtick would end
the literal and a backslash would start an escape sequence.  :func:`map_text` escapes the
HTML characters and writes those three as character references, which the browser shows
as the same characters once the literal becomes HTML.  Every piece of text this package
draws into HTML or JavaScript source goes through it; data for our own scripts goes
through :func:`script_json` instead, and those scripts set it as text (``textContent``).
"""

from __future__ import annotations

import html
import json
from typing import Any

_TEMPLATE_LITERAL = str.maketrans({"`": "&#96;", "$": "&#36;", "\\": "&#92;"})


def map_text(value: object) -> str:
    """``value`` as text that is inert in HTML, in an HTML attribute and inside a
    JavaScript template literal (and therefore in a plain JS string too)."""
    return html.escape(str(value), quote=True).translate(_TEMPLATE_LITERAL)


#: JSON placed in a script: "<", ">" and "&" as escapes, so no value can end the script.
_SCRIPT_SAFE = str.maketrans({"<": "\\u003c", ">": "\\u003e", "&": "\\u0026"})


def script_json(value: Any) -> str:
    """``value`` as compact JSON that is safe inside a ``<script>`` element (a data block
    or code): no string in it can close the element or open a comment."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return text.translate(_SCRIPT_SAFE)
