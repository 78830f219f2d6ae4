"""Error pages for people (the API answers JSON instead)."""

from __future__ import annotations

from flask import render_template


def render_error(status: int, message: str, field: str | None = None) -> tuple[str, int]:
    """The error page; ``field`` names the input at fault (as the API's JSON does)."""
    return render_template("error.html", status=status, message=message, field=field), status
