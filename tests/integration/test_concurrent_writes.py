"""Many operators writing at once on the embedded SQLite: every write succeeds or is refused
for a reason, never a 500 "database is locked"."""

from __future__ import annotations

import threading

from sqlalchemy import func, select

from responder.models import RescueTeam, db


def test_concurrent_creates_all_land(app, region, login_as):
    headers = login_as("operator").headers
    statuses: list[int] = []
    barrier = threading.Barrier(16)

    def create(i: int) -> None:
        with app.app_context():
            client = app.test_client()
            barrier.wait()
            for j in range(3):
                response = client.post(
                    "/api/v1/teams",
                    headers=headers,
                    json={
                        "name": f"并发队伍{i}-{j}",
                        "specialties": ["fire"],
                        "level": "county",
                        "kind": "professional",
                        "lon": 120.05,
                        "lat": 30.05,
                    },
                )
                statuses.append(response.status_code)
            db.session.remove()

    threads = [threading.Thread(target=create, args=(i,)) for i in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert statuses == [201] * 48
    db.session.rollback()
    assert db.session.scalar(select(func.count(RescueTeam.id))) == 48
