"""Values made safe for a spreadsheet cell, for every CSV and XLSX export.

A cell whose text starts with ``=``, ``+``, ``-`` or ``@`` (or a tab or carriage return,
which spreadsheets skip before looking) is run as a formula when the file is opened —
``=cmd|' /C calc'!A0`` in a team name would execute on the clerk's machine.  Such text is
written with a leading apostrophe, which spreadsheets show as text and the importer drops
again (:func:`responder.services.imports.cell_text`), so exports still re-import
unchanged.  Control characters other than tab and line breaks are removed: XML, and so
XLSX, cannot hold them (openpyxl refused the whole export with a 500).
"""

from __future__ import annotations

import re
from typing import Any

FORMULA_START = frozenset("=+-@\t\r")
_CONTROL = re.compile("[\\x00-\\x08\\x0b\\x0c\\x0e-\\x1f]")


def spreadsheet_cell(value: Any) -> Any:
    """``value`` as it may go into a CSV or XLSX cell: numbers, dates and None as they
    are, text without control characters and with formulas neutralised."""
    if not isinstance(value, str):
        return value
    text = _CONTROL.sub("", value)
    if text[:1] in FORMULA_START:
        return "'" + text
    return text
