"""An incident's life over the API: its record and grade, reinforcement, notes and the
timeline, the board with its change version, and a close that assumes nothing used."""

from __future__ import annotations

from sqlalchemy import select

from responder.models import AuditEntry, InventoryLine, db
from tests.dispatch.test_confirm import line_of, setup_incident
from tests.dispatch.test_proposal import propose


def confirm_proposal(api, incident_id, proposal):
    teams = [
        {"team_id": o["team_id"], "specialty": specialty}
        for specialty, options in proposal["teams"].items()
        for o in options
        if o["recommended"]
    ]
    materials = [
        {"inventory_line_id": s["inventory_line_id"], "quantity": s["quantity"]}
        for m in proposal["materials"]
        for s in m["sources"]
    ]
    response = api.post(
        f"/api/v1/incidents/{incident_id}/dispatch",
        json={"proposal_id": proposal["proposal_id"], "teams": teams, "materials": materials},
    )
    assert response.status_code == 201, response.json
    return response.json


def test_close_without_consumption_returns_everything(world, login_as, times_to):
    api = login_as("operator")
    incident, _fire, depot = setup_incident(world, api, times_to)
    before = {line.id: line.quantity for line in depot.lines}
    confirmed = confirm_proposal(api, incident["id"], propose(api, incident["id"]))
    assert confirmed["material_dispatches"], "the proposal sends stock"
    closed = api.post(f"/api/v1/incidents/{incident['id']}/close", json={"reason": "误报"})
    assert closed.status_code == 200, closed.json
    settlement = closed.json["settlement"]
    assert sorted(settlement["assumed_returned"]) == sorted(
        d["id"] for d in confirmed["material_dispatches"]
    )
    assert "nothing is assumed used" in settlement["message"]
    assert all(d["consumed"] == 0 for d in closed.json["material_dispatches"])
    db.session.expire_all()
    assert {line.id: db.session.get(InventoryLine, line.id).quantity for line in depot.lines} == (
        before
    )


def test_consumption_entered_is_gone_the_rest_returns(world, login_as, times_to):
    api = login_as("operator")
    incident, _fire, depot = setup_incident(world, api, times_to)
    foam = line_of(depot, "foam_concentrate")
    start = foam.quantity
    confirmed = confirm_proposal(api, incident["id"], propose(api, incident["id"]))
    foam_dispatch = next(
        d for d in confirmed["material_dispatches"] if d["inventory_line_id"] == foam.id
    )
    closed = api.post(
        f"/api/v1/incidents/{incident['id']}/close",
        json={
            "reason": "处置完毕",
            "consumed": [{"material_dispatch_id": foam_dispatch["id"], "consumed": 1}],
        },
    )
    assert closed.status_code == 200, closed.json
    assert foam_dispatch["id"] not in closed.json["settlement"]["assumed_returned"]
    db.session.expire_all()
    assert db.session.get(InventoryLine, foam.id).quantity == start - 1


def test_grade_follows_figures_raise_is_kept_never_lower(world, login_as, times_to):
    api = login_as("operator")
    incident, _fire, _depot = setup_incident(world, api, times_to)
    url = f"/api/v1/incidents/{incident['id']}/record"
    figures = {"deaths": 3, "serious_injuries": 0, "direct_loss_yuan": 0}
    grown = api.put(url, json=figures)
    assert grown.status_code == 200, grown.json
    assert (grown.json["severity"], grown.json["derived_severity"]) == ("larger", "larger")
    lower = api.put(url, json={**figures, "severity": "general", "severity_reason": "估计偏高"})
    assert lower.status_code == 422
    assert lower.json["error"]["field"] == "severity"
    unexplained = api.put(url, json={**figures, "severity": "major"})
    assert unexplained.json["error"]["field"] == "severity_reason"
    raised = api.put(url, json={**figures, "severity": "major", "severity_reason": "多人被困"})
    assert (raised.json["severity"], raised.json["severity_reason"]) == ("major", "多人被困")
    # A later estimate below the raised grade keeps the raise and its reason.
    revised = api.put(url, json={**figures, "deaths": 4})
    assert (revised.json["severity"], revised.json["derived_severity"]) == ("major", "larger")
    entries = db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "severity").order_by(AuditEntry.id)
    ).all()
    assert [e.after["severity"] for e in entries] == ["larger", "major", "major"]


def test_raising_the_grade_rescales_the_reinforcement(world, login_as, times_to):
    api = login_as("operator")
    incident, fire, _depot = setup_incident(world, api, times_to)
    first = confirm_proposal(api, incident["id"], propose(api, incident["id"]))
    sent = {a["team_id"] for a in first["assignments"]}
    assert len(sent) == 1  # general: one fire team
    nothing = propose(api, incident["id"], reinforce="true")
    assert nothing["reinforcement"] is True
    assert nothing["committed"]["teams"] == sorted(sent)
    assert "fire" not in nothing["teams"]
    api.put(
        f"/api/v1/incidents/{incident['id']}/record",
        json={
            "deaths": 0,
            "serious_injuries": 0,
            "direct_loss_yuan": 0,
            "severity": "major",
            "severity_reason": "爆炸风险",
        },
    )
    more = propose(api, incident["id"], reinforce="true")
    fire_need = next(n for n in more["needs"] if n["specialty"] == "fire")
    assert fire_need["count"] == 2  # major needs 3 fire teams; one is committed
    offered = {o["team_id"] for o in more["teams"]["fire"] if o["recommended"]}
    assert len(offered) == 2 and not offered & sent
    assert offered <= {t.id for t in fire}


def test_board_answers_304_until_something_changes(world, login_as, times_to):
    api = login_as("operator")
    incident, _fire, _depot = setup_incident(world, api, times_to)
    first = api.get("/api/v1/dispatch/board")
    assert first.status_code == 200
    assert [row["id"] for row in first.json["items"]] == [incident["id"]]
    etag = first.headers["ETag"]
    same = api.get("/api/v1/dispatch/board", headers={"If-None-Match": etag})
    assert same.status_code == 304 and not same.data
    note = api.post(f"/api/v1/incidents/{incident['id']}/notes", json={"text": "现场有风"})
    assert note.status_code == 201
    changed = api.get("/api/v1/dispatch/board", headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["ETag"] != etag


def test_board_keeps_to_the_users_scope(world, login_as, times_to):
    incident, _fire, _depot = setup_incident(world, login_as("operator"), times_to)
    inside = db.session.get(type(world.west), incident["jurisdiction_id"])
    other = world.east if inside.id == world.west.id else world.west
    assert login_as("operator", inside.code).get("/api/v1/dispatch/board").json["items"]
    assert login_as("operator", other.code).get("/api/v1/dispatch/board").json["items"] == []


def test_timeline_in_order(world, login_as, times_to):
    api = login_as("operator")
    incident, _fire, _depot = setup_incident(world, api, times_to)
    confirmed = confirm_proposal(api, incident["id"], propose(api, incident["id"]))
    assignment = confirmed["assignments"][0]
    base = f"/api/v1/incidents/{incident['id']}"
    api.post(f"{base}/assignments/{assignment['id']}/status", json={"status": "on_scene"})
    api.post(f"{base}/notes", json={"text": "风向东南"})
    api.post(f"{base}/close", json={"reason": "处置完毕"})
    kinds = [e["kind"] for e in api.get(f"{base}/timeline").json["items"]]
    assert kinds == [
        "reported",
        "proposed",
        "confirmed",
        "team_dispatched",
        "team_on_scene",
        "note",
        "team_released",
        "closed",
    ]
