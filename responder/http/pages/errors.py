"""Error pages for people (the API answers JSON instead)."""

from __future__ import annotations

from flask import render_template


def render_error(status: int, message: str) -> tuple[str, int]:
    return render_template("error.html", status=status, message=message), status
