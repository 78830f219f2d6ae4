"""The material catalog: the seeded docs/domain.md list, admin-only writes, filters."""

from __future__ import annotations

from sqlalchemy import select

from responder.models import AuditEntry, Material, db
from responder.services import materials
from tests.api.factories import count

SOAP = {
    "code": "decon_soap",
    "name_zh": "洗消剂",
    "name_en": "Decontamination agent",
    "unit": "kg",
    "category": "hazchem",
}


def test_seed_catalog_is_the_domain_list_and_idempotent(app):
    added = materials.seed_catalog(db.session)
    db.session.commit()
    codes = {m.code for m in added}
    assert {
        "foam_concentrate",
        "oil_boom",
        "absorbent_felt",
        "breathing_apparatus",
        "protective_suit",
        "gas_detector",
        "neutralizer",
        "sandbag",
        "drainage_pump",
        "generator",
        "hydraulic_tools",
        "assault_boat",
        "life_jacket",
        "self_rescuer",
        "stretcher",
    } == codes
    boom = materials.by_code(db.session, "oil_boom")
    assert (boom.name_zh, boom.name_en, boom.unit) == ("围油栏", "Oil boom", "m")
    assert materials.seed_catalog(db.session) == []
    assert count(Material) == 15
    seeded = db.session.scalars(select(AuditEntry).where(AuditEntry.entity == "material"))
    assert len(seeded.all()) == 15


def test_admin_writes_everyone_reads(app, login_as):
    materials.seed_catalog(db.session)
    db.session.commit()
    admin = login_as("admin")
    created = admin.post("/api/v1/materials", json=SOAP)
    assert created.status_code == 201, created.json
    assert created.json["updated_at"] and created.json["verified_at"] is None
    viewer = login_as("viewer")
    assert viewer.get("/api/v1/materials").json["total"] == 16
    assert [
        m["code"] for m in viewer.get("/api/v1/materials?category=oil_spill").json["items"]
    ] == ["oil_boom", "absorbent_felt"]
    assert [m["code"] for m in viewer.get("/api/v1/materials?q=担架").json["items"]] == [
        "stretcher"
    ]
    renamed = admin.patch(f"/api/v1/materials/{created.json['id']}", json={"name_zh": "洗消粉"})
    assert renamed.status_code == 200 and renamed.json["name_zh"] == "洗消粉"
    assert admin.post(f"/api/v1/materials/{created.json['id']}/verify").json["verified_at"]

    for role in ("operator", "clerk", "viewer"):
        refused = login_as(role).post("/api/v1/materials", json={**SOAP, "code": "x_" + role})
        assert refused.status_code == 403
    assert count(Material) == 16


def test_bad_materials_are_refused(app, login_as):
    admin = login_as("admin")
    assert admin.post("/api/v1/materials", json=SOAP).status_code == 201
    for payload, status, field in [
        (SOAP, 409, "code"),
        ({**SOAP, "code": "Bad Code"}, 422, "code"),
        ({**SOAP, "code": "ok_code", "unit": ""}, 422, "unit"),
        ({k: v for k, v in SOAP.items() if k != "name_zh"} | {"code": "no_name"}, 422, "name_zh"),
    ]:
        response = admin.post("/api/v1/materials", json=payload)
        assert response.status_code == status, response.json
        assert response.json["error"]["field"] == field
    assert count(Material) == 1
