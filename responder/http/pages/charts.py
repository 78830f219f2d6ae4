"""Small server-side SVG charts (no JavaScript, nothing from a CDN): bars and a line.

Every label is escaped; the output is marked safe for templates.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from markupsafe import Markup

GOOD, BAD, TARGET, NEUTRAL = "#1a7f37", "#c62828", "#39424e", "#b0b7c3"


def rate_bars(
    rows: Sequence[tuple[str, float | None, str]], *, target: float, title: str
) -> Markup:
    """Horizontal bars, one per (label, rate, detail), with the target as a dashed line."""
    label_w, bar_w, row_h, pad = 150, 320, 22, 8
    width, height = label_w + bar_w + 110, pad * 2 + row_h * max(len(rows), 1) + 18
    parts = [
        f'<svg class="chart bars" role="img" aria-label="{escape(title)}" '
        f'xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}"><title>{escape(title)}</title>'
    ]
    for index, (label, rate, detail) in enumerate(rows):
        y = pad + index * row_h
        share = 0.0 if rate is None else max(0.0, min(rate, 1.0))
        colour = NEUTRAL if rate is None else (GOOD if rate >= target - 1e-9 else BAD)
        shown = "—" if rate is None else f"{rate:.1%}"
        data_rate = "" if rate is None else rate
        parts.append(
            f'<g class="bar" data-label="{escape(label)}" data-rate="{data_rate}">'
            f'<text x="{label_w - 6}" y="{y + 15}" text-anchor="end" font-size="12">'
            f"{escape(label)}</text>"
            f'<rect x="{label_w}" y="{y + 3}" width="{bar_w * share:.1f}" height="{row_h - 6}" '
            f'fill="{colour}"/>'
            f'<text x="{label_w + bar_w + 6}" y="{y + 15}" font-size="12">{escape(shown)} '
            f"{escape(detail)}</text></g>"
        )
    x = label_w + bar_w * min(max(target, 0.0), 1.0)
    parts.append(
        f'<line class="target" x1="{x:.1f}" x2="{x:.1f}" y1="{pad}" y2="{height - 16}" '
        f'stroke="{TARGET}" stroke-dasharray="4 3"/>'
        f'<text x="{x:.1f}" y="{height - 4}" text-anchor="middle" font-size="11">'
        f"{escape(f'{target:.0%}')}</text></svg>"
    )
    return Markup("".join(parts))


def rate_line(points: Sequence[tuple[str, float | None]], *, target: float, title: str) -> Markup:
    """A line of rates over time (label, rate) on a 0–100% axis with the target line."""
    width, height, left, right, top, bottom = 640, 220, 44, 12, 12, 36
    plot_w, plot_h = width - left - right, height - top - bottom

    def y_of(rate: float) -> float:
        return top + plot_h * (1 - max(0.0, min(rate, 1.0)))

    step = plot_w / max(len(points) - 1, 1)
    parts = [
        f'<svg class="chart line" role="img" aria-label="{escape(title)}" '
        f'xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}"><title>{escape(title)}</title>'
    ]
    for tick in (0.0, 0.5, 1.0):
        y = y_of(tick)
        parts.append(
            f'<line x1="{left}" x2="{width - right}" y1="{y:.1f}" y2="{y:.1f}" stroke="#e3e6ea"/>'
            f'<text x="{left - 4}" y="{y + 4:.1f}" text-anchor="end" font-size="11">'
            f"{tick:.0%}</text>"
        )
    ty = y_of(target)
    parts.append(
        f'<line class="target" x1="{left}" x2="{width - right}" y1="{ty:.1f}" y2="{ty:.1f}" '
        f'stroke="{TARGET}" stroke-dasharray="4 3"/>'
    )
    coords = [
        (left + i * step, y_of(rate), label, rate)
        for i, (label, rate) in enumerate(points)
        if rate is not None
    ]
    if coords:
        path = " ".join(f"{x:.1f},{y:.1f}" for x, y, _l, _r in coords)
        parts.append(f'<polyline points="{path}" fill="none" stroke="{GOOD}" stroke-width="2"/>')
    for x, y, label, rate in coords:
        parts.append(
            f'<circle class="point" cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{GOOD}" '
            f'data-label="{escape(label)}" data-rate="{rate}"><title>{escape(label)}: '
            f"{rate:.1%}</title></circle>"
        )
    every = max(1, len(points) // 6)
    for i, (label, _rate) in enumerate(points):
        if i % every == 0 or i == len(points) - 1:
            parts.append(
                f'<text x="{left + i * step:.1f}" y="{height - 14}" text-anchor="middle" '
                f'font-size="11">{escape(label)}</text>'
            )
    parts.append("</svg>")
    return Markup("".join(parts))
