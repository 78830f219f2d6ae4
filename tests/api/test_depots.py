"""Depots and their stock over HTTP: CRUD, inventory lines, atomic audited adjustments."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from sqlalchemy import select

from responder.errors import Conflict
from responder.models import AuditEntry, Depot, InventoryLine, db
from responder.services import inventory, materials
from responder.services.actors import SYSTEM
from tests.api.factories import count, depot


@pytest.fixture
def catalog(app):
    materials.seed_catalog(db.session)
    db.session.commit()


@pytest.fixture
def stocked(region, catalog, login_as) -> dict[str, Any]:
    """A west-county depot with 10 breathing apparatus sets, and a west operator."""
    api = login_as("operator", "330102")
    made = api.post("/api/v1/depots", json=depot()).json
    line = api.post(
        f"/api/v1/depots/{made['id']}/inventory",
        json={"material_code": "breathing_apparatus", "quantity": 10},
    ).json
    return {
        "api": api,
        "depot": made,
        "line": line,
        "url": f"/api/v1/depots/{made['id']}/inventory/{line['id']}",
    }


def test_create_list_filter_update_verify(region, catalog, login_as):
    api = login_as("operator")
    created = api.post("/api/v1/depots", json=depot())
    assert created.status_code == 201, created.json
    body = created.json
    assert body["jurisdiction_id"] == region.west.id
    assert "updated_at" in body and body["verified_at"] is None
    assert created.headers["Location"].endswith(f"/api/v1/depots/{body['id']}")
    east = api.post(
        "/api/v1/depots", json=depot(name="东区消防物资库", lon=120.15, level="municipal")
    ).json
    api.post(
        f"/api/v1/depots/{east['id']}/inventory",
        json={"material_code": "foam_concentrate", "quantity": 12.5},
    )

    def names(query: str) -> list[str]:
        return [d["name"] for d in api.get(f"/api/v1/depots?{query}").json["items"]]

    assert names("level=municipal") == ["东区消防物资库"]
    assert names("material=foam_concentrate") == ["东区消防物资库"]
    assert names(f"jurisdiction_id={region.west.id}") == ["西区应急物资储备库"]
    assert names("bbox=120.1,30,120.2,30.1") == ["东区消防物资库"]
    assert names("q=消防") == ["东区消防物资库"]
    assert api.get(f"/api/v1/depots?jurisdiction_id={region.city.id}").json["total"] == 2

    patched = api.patch(f"/api/v1/depots/{body['id']}", json={"operator": "西区物资中心"})
    assert patched.status_code == 200 and patched.json["operator"] == "西区物资中心"
    assert api.post(f"/api/v1/depots/{body['id']}/verify").json["verified_at"]


def test_inventory_lines_take_the_unit_from_the_catalog(stocked):
    api, line, url = stocked["api"], stocked["line"], stocked["url"]
    assert line["unit"] == "set" and line["material_code"] == "breathing_apparatus"
    assert line["material_name_zh"] == "正压式空气呼吸器" and line["quantity"] == 10
    assert "updated_at" in line and "verified_at" in line
    base = f"/api/v1/depots/{stocked['depot']['id']}/inventory"
    dated = api.post(
        base, json={"material_code": "neutralizer", "quantity": 2, "expiry_date": "2027-06-30"}
    )
    assert dated.status_code == 201 and dated.json["expiry_date"] == "2027-06-30"
    assert [x["material_code"] for x in api.get(base).json] == [
        "breathing_apparatus",
        "neutralizer",
    ]
    counted = api.patch(url, json={"quantity": 8})
    assert counted.status_code == 200 and counted.json["quantity"] == 8
    assert api.delete(f"{base}/{dated.json['id']}").status_code == 204
    assert api.get(f"{base}/{dated.json['id']}").status_code == 404
    assert count(InventoryLine) == 1


@pytest.mark.parametrize(
    ("payload", "status", "field"),
    [
        ({"material_code": "unobtainium", "quantity": 1}, 422, "material_code"),
        ({"material_id": 9999, "quantity": 1}, 422, "material_id"),
        ({"material_code": "sandbag", "quantity": -1}, 422, "quantity"),
        ({"material_code": "sandbag"}, 422, "quantity"),
        (
            {"material_code": "sandbag", "quantity": 1, "expiry_date": "30/06/2027"},
            422,
            "expiry_date",
        ),
        ({"quantity": 1}, 422, "material_id"),
        ({"material_code": "breathing_apparatus", "quantity": 1}, 409, "material_id"),
    ],
)
def test_bad_inventory_lines_are_refused(stocked, payload, status, field):
    base = f"/api/v1/depots/{stocked['depot']['id']}/inventory"
    response = stocked["api"].post(base, json=payload)
    assert response.status_code == status, response.json
    assert response.json["error"]["field"] == field
    assert count(InventoryLine) == 1


def test_adjust_is_audited_with_before_after_and_reason(stocked):
    api, url = stocked["api"], stocked["url"]
    taken = api.post(f"{url}/adjust", json={"delta": -4, "reason": "借用给消防大队"})
    assert taken.status_code == 200 and taken.json["quantity"] == 6
    added = api.post(f"{url}/adjust", json={"delta": 2.5, "reason": "补充"})
    assert added.json["quantity"] == 8.5
    entries = db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "adjust").order_by(AuditEntry.id)
    ).all()
    assert [(e.before, e.after, e.note) for e in entries] == [
        ({"quantity": 10}, {"quantity": 6}, "借用给消防大队"),
        ({"quantity": 6}, {"quantity": 8.5}, "补充"),
    ]


@pytest.mark.parametrize(
    ("payload", "status", "field"),
    [
        ({"delta": -11, "reason": "too much"}, 409, "delta"),
        ({"delta": 0, "reason": "nothing"}, 422, "delta"),
        ({"delta": "many", "reason": "x"}, 422, "delta"),
        ({"delta": -1}, 422, "reason"),
        ({"delta": -1, "reason": "   "}, 422, "reason"),
    ],
)
def test_bad_adjustments_change_nothing(stocked, payload, status, field):
    response = stocked["api"].post(f"{stocked['url']}/adjust", json=payload)
    assert response.status_code == status, response.json
    assert response.json["error"]["field"] == field
    db.session.rollback()  # end this session's read snapshot
    assert db.session.get(InventoryLine, stocked["line"]["id"]).quantity == 10
    assert db.session.scalar(select(AuditEntry.id).where(AuditEntry.action == "adjust")) is None


def test_inventory_writes_need_role_and_scope(stocked, login_as, client):
    url = f"{stocked['url']}/adjust"
    body = {"delta": -1, "reason": "test"}
    assert client.post(url, json=body).status_code == 401
    assert login_as("viewer").post(url, json=body).status_code == 403
    assert login_as("clerk").post(url, json=body).status_code == 403
    outside = login_as("operator", "330103").post(url, json=body)
    assert outside.status_code == 403 and outside.json["error"]["field"] == "jurisdiction"
    other = login_as("operator", "330103").patch(stocked["url"], json={"quantity": 0})
    assert other.status_code == 403
    assert login_as("viewer").get(stocked["url"]).status_code == 200
    db.session.rollback()  # end this session's read snapshot
    assert db.session.get(InventoryLine, stocked["line"]["id"]).quantity == 10


def test_line_of_another_depot_is_404(stocked):
    api = stocked["api"]
    other = api.post("/api/v1/depots", json=depot(name="另一个库")).json
    url = f"/api/v1/depots/{other['id']}/inventory/{stocked['line']['id']}"
    assert api.get(url).status_code == 404
    assert api.post(f"{url}/adjust", json={"delta": -1, "reason": "x"}).status_code == 404
    db.session.rollback()  # end this session's read snapshot
    assert db.session.get(InventoryLine, stocked["line"]["id"]).quantity == 10


def test_depot_bad_input(region, login_as):
    api = login_as("operator")
    for payload, field in [
        (depot(lat=95), "lat"),
        (depot(level="galactic"), "level"),
        (depot(base_id=42), "base_id"),
    ]:
        response = api.post("/api/v1/depots", json=payload)
        assert response.status_code == 422 and response.json["error"]["field"] == field
    assert api.post("/api/v1/depots", json=depot()).status_code == 201
    duplicate = api.post("/api/v1/depots", json=depot())
    assert duplicate.status_code == 409 and duplicate.json["error"]["field"] == "name"
    assert count(Depot) == 1


def _run_concurrently(count_: int, work) -> list[Any]:
    barrier = threading.Barrier(count_)
    results: list[Any] = [None] * count_

    def run(i: int) -> None:
        barrier.wait()
        try:
            results[i] = work(i)
        except Exception as error:  # collected and asserted on below
            results[i] = error

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count_)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def test_concurrent_http_adjustments_never_go_negative(stocked, app):
    """Twelve clerks each take 3 of 10 sets at once: exactly three succeed, one set is left."""
    headers = stocked["api"].headers
    url = f"{stocked['url']}/adjust"

    def take(i: int) -> int:
        client = app.test_client()
        return client.post(
            url, json={"delta": -3, "reason": f"clerk {i}"}, headers=headers
        ).status_code

    statuses = _run_concurrently(12, take)
    assert sorted(statuses) == [200] * 3 + [409] * 9, statuses
    db.session.rollback()  # end this session's read snapshot
    assert db.session.get(InventoryLine, stocked["line"]["id"]).quantity == 1
    notes = db.session.scalars(select(AuditEntry.after).where(AuditEntry.action == "adjust"))
    assert sorted(after["quantity"] for after in notes) == [1, 4, 7]


def test_concurrent_service_takes_never_go_negative(stocked, app):
    """The dispatch primitive: each thread has its own app context and session."""
    line_id = stocked["line"]["id"]
    depot_id = stocked["depot"]["id"]

    def take(i: int) -> bool:
        with app.app_context():
            try:
                if i % 2:
                    inventory.adjust(db.session, SYSTEM, depot_id, line_id, -1, reason="t")
                    ok = True
                else:
                    ok = inventory.take(db.session, line_id, 1)
                db.session.commit()
                return ok
            except Conflict:
                db.session.rollback()
                return False
            finally:
                db.session.remove()

    results = _run_concurrently(16, take)
    assert all(isinstance(r, bool) for r in results), results
    assert results.count(True) == 10
    db.session.rollback()  # end this session's read snapshot
    assert db.session.get(InventoryLine, line_id).quantity == 0


def test_take_and_put_back_primitives(stocked):
    line_id = stocked["line"]["id"]
    assert inventory.take(db.session, line_id, 10) is True
    assert inventory.take(db.session, line_id, 0.5) is False
    assert inventory.put_back(db.session, line_id, 2) is True
    assert inventory.take(db.session, 99999, 1) is False
    db.session.commit()
    assert db.session.get(InventoryLine, line_id).quantity == 2
