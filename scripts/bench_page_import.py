"""Time the page import of a 1,000-row team file and count the progress lines the page sees.

    python scripts/bench_page_import.py [--rows 1000]

Builds a temporary SQLite database through the real migrations, signs in an operator
through the login form, posts a CSV of ``--rows`` teams to the page's streaming import and
reports the wall time, the number of progress lines and the time to the first one (what
the progress bar shows while the rows are checked and written).
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import re
import tempfile
import time

from flask_migrate import upgrade

from responder import create_app
from responder.models import db
from responder.services import accounts, jurisdictions
from responder.services.actors import SYSTEM


def _square(lon: float, lat: float, size: float) -> dict:
    ring = [[lon, lat], [lon + size, lat], [lon + size, lat + size], [lon, lat + size], [lon, lat]]
    return {"type": "Polygon", "coordinates": [ring]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        app = create_app({"DATABASE_URL": f"sqlite:///{folder}/bench.sqlite", "LOAD_ROADS": False})
        with app.app_context():
            upgrade()
            jurisdictions.create(
                db.session,
                SYSTEM,
                {
                    "code": "330000",
                    "name": "省",
                    "level": "province",
                    "boundary": _square(120, 30, 0.2),
                },
            )
            accounts.create_user(
                db.session, SYSTEM, username="bench", password="bench-pass-1", role="operator"
            )
            db.session.commit()
            buffer = io.StringIO()
            writer = csv.writer(buffer)
            writer.writerow(["名称", "专业", "级别", "性质", "人数", "经度", "纬度", "坐标系"])
            for i in range(args.rows):
                writer.writerow(
                    [f"队伍{i}", "消防", "县级", "专职", 10, 120.02 + 1e-4 * i, 30.05, "GCJ-02"]
                )
            data = buffer.getvalue().encode()
            client = app.test_client()
            token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").text)
            client.post(
                "/login",
                data={"username": "bench", "password": "bench-pass-1", "csrf_token": token[1]},
            )
            started = time.perf_counter()
            response = client.post(
                "/registry/import/teams/run",
                data={"file": (io.BytesIO(data), "teams.csv")},
                headers={"X-CSRFToken": token[1]},
                buffered=False,
            )
            first = None
            lines = []
            for chunk in response.response:
                for line in (
                    chunk.decode().splitlines() if isinstance(chunk, bytes) else chunk.splitlines()
                ):
                    if line:
                        lines.append(json.loads(line))
                        if first is None and lines[-1].get("done", 0) > 0:
                            first = time.perf_counter() - started
            total = time.perf_counter() - started
            print(
                f"{args.rows}-row team import from the page: {total:.2f} s, "
                f"{sum('done' in e for e in lines)} progress lines, first progress after "
                f"{first or 0:.2f} s, outcome {lines[-1].get('result') or lines[-1].get('message')}"
            )


if __name__ == "__main__":
    main()
