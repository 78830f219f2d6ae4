"""Benchmark the heaviest map pages on the demo data: the operator console and one incident.

Builds a throw-away SQLite database (real migrations) holding the demo region exactly as
``flask --app wsgi demo load`` writes it, places one incident with a proposal, signs in as
the demo operator with the Flask test client and measures, for ``/console`` and
``/incidents/<id>``: the HTML size and the server render time (median of ``--rounds``
GETs after one untimed warm-up).

Each page is measured twice in the same run: as the app draws it now (registry markers
from one JSON block per layer, drawn by ``static/map_points.js``; road lines handed to
Folium without its per-coordinate checks and written as compact JSON) and with the old
way patched back in (one Folium marker, icon, tooltip and popup object per point, each
its own Jinja template; road lines as plain Folium PolyLines), so the ratios compare like
with like on the same machine load.

    python scripts/bench_pages.py [--rounds 9]
"""

from __future__ import annotations

import argparse
import re
import statistics
import tempfile
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import folium
from flask import Flask
from flask.testing import FlaskClient
from flask_migrate import upgrade
from sqlalchemy import select

from responder import create_app, demo, mapping
from responder.mapping import incident as incident_map
from responder.mapping import markers, roads
from responder.mapping.markers import MapPoint
from responder.mapping.text import map_text
from responder.models import User, db
from responder.routing import ensure_compiled
from responder.services import accounts, dispatch
from responder.services.actors import SYSTEM

REPO = Path(__file__).resolve().parent.parent
PASSWORD = "bench-pass-123"


def popup_html(point: MapPoint) -> str:
    """The old popup body: an escaped title (linked when ``url`` is set) and a table."""
    title = map_text(point.title)
    if point.url:
        title = f'<a href="{map_text(point.url)}" target="_top">{title}</a>'
    rows = "".join(
        f"<tr><th>{map_text(label)}</th><td>{map_text(value)}</td></tr>"
        for label, value in point.rows
    )
    return f'<div class="responder-popup"><strong>{title}</strong><table>{rows}</table></div>'


def folium_markers(
    fmap: folium.Map, points: Iterable[MapPoint], *, layer: str | None = None
) -> folium.FeatureGroup:
    """The old ``add_markers``: a Folium Marker (with Icon, tooltip and Popup) per point."""
    group = folium.FeatureGroup(name=layer or "markers")
    for point in points:
        icon = folium.Icon(
            color=point.style.color,
            icon=point.style.icon,
            prefix="fa",
            icon_color="#dddddd" if point.muted else "white",
        )
        folium.Marker(
            location=[point.lat, point.lon],
            icon=icon,
            tooltip=map_text(point.title),
            popup=folium.Popup(popup_html(point), max_width=320),
        ).add_to(group)
    group.add_to(fmap)
    return group


@contextmanager
def old_way() -> Iterator[None]:
    """Inside, maps are drawn as before: every caller of ``add_markers`` draws Folium
    markers, and the road layer's lines are plain Folium PolyLines (every coordinate
    checked, JSON with spaces)."""
    holders = (markers, mapping, incident_map)
    saved = [holder.add_markers for holder in holders]
    saved_lines = roads._RoadLines
    for holder in holders:
        holder.add_markers = folium_markers  # type: ignore[attr-defined]
    roads._RoadLines = folium.PolyLine  # type: ignore[misc, assignment]
    try:
        yield
    finally:
        for holder, original in zip(holders, saved, strict=True):
            holder.add_markers = original  # type: ignore[attr-defined]
        roads._RoadLines = saved_lines  # type: ignore[misc]


def build(app: Flask) -> int:
    """Load the demo and place one incident (at the region's centre); return its id."""
    upgrade()
    demo.load(
        db.session,
        today=date(2026, 12, 1),
        password=PASSWORD,
        rules=app.extensions["responder.rules"],
    )
    operator = db.session.scalar(select(User).where(User.username == "operator"))
    network = app.extensions["responder.roads"]
    min_lon, min_lat, max_lon, max_lat = network.bounds
    incident = dispatch.create_incident(
        db.session,
        accounts.actor_for(operator),
        network,
        {
            "type": "fire_explosion",
            "severity": "general",
            "lon": (min_lon + max_lon) / 2,
            "lat": (min_lat + max_lat) / 2,
        },
        snap_max_m=app.config["SNAP_MAX_M"],
    )
    db.session.commit()
    return incident.id


def signed_in(app: Flask) -> FlaskClient:
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert token, "no CSRF token on /login"
    response = client.post(
        "/login",
        data={"username": "operator", "password": PASSWORD, "csrf_token": token.group(1)},
    )
    assert response.status_code == 302, response.status_code
    return client


def measure(client: FlaskClient, path: str, rounds: int) -> tuple[int, float]:
    """(HTML bytes, median ms over ``rounds`` GETs after one warm-up)."""
    response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    size = len(response.data)
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        response = client.get(path)
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200
    return size, statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=9)
    args = parser.parse_args()
    ensure_compiled(
        REPO / "maps" / "demo" / "hangzhou_core.osm.bz2", REPO / "maps" / "cache" / "demo"
    )
    with tempfile.TemporaryDirectory(prefix="bench-pages-") as tmp:
        app = create_app(
            {
                "DATABASE_URL": f"sqlite:///{tmp}/bench.sqlite",
                "SECRET_KEY": "bench",
                "MAPS_DIR": REPO / "maps",
                "DOCUMENTS_DIR": Path(tmp) / "documents",
            }
        )
        with app.app_context():
            incident_id = build(app)
            client = signed_in(app)
            operator = db.session.scalar(select(User).where(User.username == "operator"))
            token = accounts.issue_token(db.session, SYSTEM, operator)
            db.session.commit()
            proposed = client.post(
                f"/api/v1/incidents/{incident_id}/proposal",
                headers={"Authorization": f"Bearer {token}"},
            )
            assert proposed.status_code in (200, 201), proposed.get_json()
            print(f"demo loaded; incident #{incident_id} proposed; {args.rounds} GETs per figure")
            print(f"{'page':<16}{'way':<14}{'bytes':>11}{'median ms':>11}")
            for path in ("/console", f"/incidents/{incident_id}"):
                with old_way():
                    old_size, old_ms = measure(client, path, args.rounds)
                new_size, new_ms = measure(client, path, args.rounds)
                name = path if path == "/console" else "/incidents/<id>"
                print(f"{name:<16}{'folium':<14}{old_size:>11,}{old_ms:>11.0f}")
                print(f"{'':<16}{'json layers':<14}{new_size:>11,}{new_ms:>11.0f}")
                print(
                    f"{'':<16}{'new / old':<14}{new_size / old_size:>11.2f}{new_ms / old_ms:>11.2f}"
                )
            db.session.remove()
            db.engine.dispose()


if __name__ == "__main__":
    main()
