"""Confirming a dispatch: all or nothing, never the same team or stock twice, and the life
of a dispatch until the incident closes."""

from __future__ import annotations

import threading

from sqlalchemy import select

from responder.models import AuditEntry, InventoryLine, RescueTeam, db
from tests.fixtures.dispatch import line_of, propose, setup_incident


def test_confirm_the_proposal_then_follow_and_close(world, login_as, times_to):
    api = login_as("operator")
    incident, _fire, depot = setup_incident(world, api, times_to)
    proposal = propose(api, incident["id"])
    chosen = [o for o in proposal["teams"]["fire"] if o["recommended"]]
    materials = [
        {"inventory_line_id": s["inventory_line_id"], "quantity": s["quantity"]}
        for m in proposal["materials"]
        for s in m["sources"]
    ]
    confirmed = api.post(
        f"/api/v1/incidents/{incident['id']}/dispatch",
        json={
            "proposal_id": proposal["proposal_id"],
            "teams": [{"team_id": o["team_id"], "specialty": "fire"} for o in chosen],
            "materials": materials,
        },
    )
    assert confirmed.status_code == 201, confirmed.json
    team_id = chosen[0]["team_id"]
    assert db.session.get(RescueTeam, team_id).status == "dispatched"
    foam = line_of(depot, "foam_concentrate")
    db.session.refresh(foam)
    assert foam.quantity == 2  # 7 - 5
    assignment = confirmed.json["assignments"][0]
    assert assignment["deviation_reason"] == ""

    # A second confirmation of the same team is refused, naming it; nothing else applied.
    again = api.post(
        f"/api/v1/incidents/{incident['id']}/dispatch",
        json={
            "teams": [{"team_id": team_id}],
            "materials": [{"inventory_line_id": foam.id, "quantity": 1}],
            "deviation_reason": "再派一次",
        },
    )
    assert again.status_code == 409
    assert again.json["error"]["field"] == "teams.0.team_id"
    db.session.refresh(foam)
    assert foam.quantity == 2

    base = f"/api/v1/incidents/{incident['id']}/assignments/{assignment['id']}/status"
    assert api.post(base, json={"status": "returning"}).status_code == 409  # must arrive first
    assert api.post(base, json={"status": "on_scene"}).json["on_scene_at"]
    assert db.session.get(RescueTeam, team_id).status == "on_scene"

    foam_dispatch = next(
        d for d in confirmed.json["material_dispatches"] if d["inventory_line_id"] == foam.id
    )
    closed = api.post(
        f"/api/v1/incidents/{incident['id']}/close",
        json={
            "reason": "火灾扑灭",
            "consumed": [{"material_dispatch_id": foam_dispatch["id"], "consumed": 3}],
        },
    )
    assert closed.status_code == 200, closed.json
    assert closed.json["status"] == "closed"
    db.session.expire_all()
    assert {db.session.get(RescueTeam, o["team_id"]).status for o in chosen} == {"available"}
    assert db.session.get(InventoryLine, foam.id).quantity == 4  # 2 left + 2 unused returned
    actions = db.session.scalars(
        select(AuditEntry.action)
        .where(AuditEntry.entity.in_(["incident", "assignment"]))
        .order_by(AuditEntry.id)
    ).all()
    assert actions == ["create", "dispatch", "on_scene", "close"]


def test_deviation_needs_a_reason_and_it_is_kept(world, login_as, times_to):
    api = login_as("operator")
    incident, _fire, _depot = setup_incident(world, api, times_to)
    proposal = propose(api, incident["id"])
    other = next(o for o in proposal["teams"]["fire"] if not o["recommended"])
    body = {"proposal_id": proposal["proposal_id"], "teams": [{"team_id": other["team_id"]}]}
    refused = api.post(f"/api/v1/incidents/{incident['id']}/dispatch", json=body)
    assert refused.status_code == 422
    assert refused.json["error"]["field"] == "deviation_reason"
    assert db.session.get(RescueTeam, other["team_id"]).status == "available"
    body["deviation_reason"] = "首选队伍车辆故障"
    ok = api.post(f"/api/v1/incidents/{incident['id']}/dispatch", json=body)
    assert ok.status_code == 201
    assert ok.json["assignments"][0]["deviation_reason"] == "首选队伍车辆故障"


def test_bad_confirmations_change_nothing(world, login_as, times_to):
    api = login_as("operator")
    incident, fire, depot = setup_incident(world, api, times_to)
    url = f"/api/v1/incidents/{incident['id']}/dispatch"
    foam = line_of(depot, "foam_concentrate")
    cases = [
        (
            {
                "teams": [{"team_id": fire[0].id}],
                "materials": [{"inventory_line_id": foam.id, "quantity": 999}],
                "deviation_reason": "x",
            },
            409,
            "materials.0.quantity",
        ),
        (
            {"teams": [{"team_id": fire[0].id}, {"team_id": fire[0].id}], "deviation_reason": "x"},
            422,
            "teams.1.team_id",
        ),
        (
            {
                "materials": [{"inventory_line_id": foam.id, "quantity": -1}],
                "deviation_reason": "x",
            },
            422,
            "materials.0.quantity",
        ),
        ({"teams": [{"team_id": 99999}], "deviation_reason": "x"}, 409, "teams.0.team_id"),
        ({"teams": [], "materials": []}, 422, "teams"),
        ({"proposal_id": 12345, "teams": [{"team_id": fire[0].id}]}, 422, "proposal_id"),
    ]
    for body, status, field in cases:
        response = api.post(url, json=body)
        assert response.status_code == status, (body, response.json)
        assert response.json["error"]["field"] == field
    db.session.expire_all()
    assert db.session.get(RescueTeam, fire[0].id).status == "available"
    assert db.session.get(InventoryLine, foam.id).quantity == 7
    viewer = login_as("viewer")
    assert (
        viewer.post(
            url, json={"teams": [{"team_id": fire[0].id}], "deviation_reason": "x"}
        ).status_code
        == 403
    )


def test_registry_cannot_bypass_dispatch_status(world, login_as, times_to):
    api = login_as("operator")
    _incident, fire, _depot = setup_incident(world, api, times_to)
    response = api.patch(f"/api/v1/teams/{fire[0].id}", json={"status": "dispatched"})
    assert response.status_code == 409 and response.json["error"]["field"] == "status"


def test_twenty_operators_race_for_one_team_and_one_stock_line(app, world, login_as, times_to):
    """20 threads confirm the same team and stock at once on SQLite: exactly one wins."""
    api = login_as("operator")
    incident, fire, depot = setup_incident(world, api, times_to)
    foam = line_of(depot, "foam_concentrate")
    headers = api.headers
    url = f"/api/v1/incidents/{incident['id']}/dispatch"
    body = {
        "teams": [{"team_id": fire[0].id}],
        "materials": [{"inventory_line_id": foam.id, "quantity": 5}],
        "deviation_reason": "race",
    }
    results: list[int] = []
    barrier = threading.Barrier(20)

    def confirm() -> None:
        with app.app_context():
            client = app.test_client()
            barrier.wait()
            results.append(client.post(url, json=body, headers=headers).status_code)
            db.session.remove()

    threads = [threading.Thread(target=confirm) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == [201] + [409] * 19
    db.session.rollback()  # end this session's snapshot to see the threads' writes
    assert db.session.get(InventoryLine, foam.id).quantity == 2
    assert db.session.get(RescueTeam, fire[0].id).status == "dispatched"
