"""County targets (县级目标) with hand-worked values on the tiny network (see
tests/fixtures/county_world.py for the world and the times), through the service and the
API, and the key-county marks on the jurisdiction API."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask

from responder.errors import Forbidden, InvalidInput
from responder.http.context import routing_context
from responder.models import AuditEntry, Jurisdiction, db
from responder.services import coverage, jurisdictions
from responder.services.actors import SYSTEM, Actor


@pytest.fixture
def app(county_app: Flask) -> Flask:
    return county_app


def targets(**kwargs: Any) -> dict[str, Any]:
    return coverage.county_targets(db.session, SYSTEM, routing_context(), **kwargs)


def by_name(answer: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {row["name"]: row for row in answer["counties"]}


def test_a_key_county_with_two_of_three_sources_covered_is_not_met(county_world):
    rows = by_name(targets())
    assert list(rows) == ["甲县", "乙县", "丙县"]  # by code; the township is not a county
    jia = rows["甲县"]
    assert jia["professional_teams"] == {"count": 1, "min": 1, "met": True}
    assert jia["bases"] == {"count": 1, "min": 1, "met": True}
    (hazchem,) = jia["key"]
    assert hazchem["specialty"] == "hazchem"
    assert hazchem["target_share"] == 1.0
    # SW1 0 s and SE3 8.95 s are within 15 s; E6 24.96 s is not.  The machine works'
    # enterprise (industry and trade) is not counted.
    assert hazchem["enterprises"] == {
        "covered": 2,
        "total": 3,
        "share": 0.6667,
        "not_judged": 0,
        "met": False,
    }
    assert hazchem["hazard_sources"]["covered"] == 2
    assert hazchem["hazard_sources"]["total"] == 3
    assert hazchem["hazard_sources"]["met"] is False
    assert hazchem["met"] is False and jia["met"] is False


def test_one_team_and_one_base_meet_the_minimum_and_none_fails(county_world):
    rows = by_name(targets())
    assert rows["乙县"]["professional_teams"]["count"] == 1
    assert rows["乙县"]["bases"]["count"] == 1
    assert rows["乙县"]["key"] == [] and rows["乙县"]["met"] is True
    bing = rows["丙县"]
    # Its only team is quasi-professional: no professional team, no base.
    assert bing["professional_teams"] == {"count": 0, "min": 1, "met": False}
    assert bing["bases"] == {"count": 0, "min": 1, "met": False}
    (mining,) = bing["key"]
    assert mining["specialty"] == "mine"
    assert mining["enterprises"]["total"] == 0 and mining["enterprises"]["met"] is None
    assert mining["met"] is None  # nothing registered to cover: not judged
    assert bing["met"] is False
    summary = targets()["summary"]
    assert summary == {"counties": 3, "met": 1, "key_counties": 2, "key_met": 0}


def test_covering_the_third_source_meets_the_key_target(county_world):
    from responder.services import registry
    from responder.services.resources import TEAMS
    from tests.fixtures.tiny_dispatch import E6

    registry.create(
        db.session,
        SYSTEM,
        TEAMS,
        {
            "name": "乙县危化二队",
            "specialties": ["hazchem"],
            "level": "county",
            "kind": "professional",
            "headcount": 10,
            "lon": E6[0],
            "lat": E6[1],
            "jurisdiction_id": county_world.yi.id,
        },
    )
    db.session.commit()
    jia = by_name(targets())["甲县"]
    assert jia["key"][0]["hazard_sources"]["share"] == 1.0
    assert jia["met"] is True


def test_the_counties_asked_about(county_world):
    assert [r["name"] for r in targets(jurisdiction_id=county_world.jia.id)["counties"]] == ["甲县"]
    # A township answers for its county; a city for the counties under it.
    assert [r["name"] for r in targets(jurisdiction_id=county_world.jia_town.id)["counties"]] == [
        "甲县"
    ]
    assert len(targets(jurisdiction_id=county_world.city.id)["counties"]) == 3
    with pytest.raises(InvalidInput) as refused:
        targets(jurisdiction_id=999_999)
    assert refused.value.field == "jurisdiction_id"


def test_the_rules_file_sets_the_minimum(county_world, app, tmp_path):
    from responder.rules import load_rules

    path = tmp_path / "stricter.toml"
    path.write_text("[county_targets]\nmin_professional_teams = 2\n", encoding="utf-8")
    assert load_rules(path).county_targets.min_professional_teams == 2
    app.extensions["responder.rules"] = load_rules(path)
    rows = by_name(targets())
    assert rows["乙县"]["professional_teams"] == {"count": 1, "min": 2, "met": False}


def test_a_bad_key_share_in_the_rules_is_refused(tmp_path):
    from responder.rules import load_rules

    path = tmp_path / "bad.toml"
    path.write_text('[county_targets.mine]\nhazard_sources = "some"\n', encoding="utf-8")
    with pytest.raises(ValueError, match=r"county_targets\.mine\.hazard_sources"):
        load_rules(path)


def test_only_readers_of_coverage_get_the_targets(county_world):
    clerk = Actor(user_id=None, username="c", role="clerk")
    with pytest.raises(Forbidden):
        coverage.county_targets(db.session, clerk, routing_context())


# ------------------------------------------------------------------ key-county marks


def test_marking_a_county_key_is_audited(county_world):
    jurisdictions.update(db.session, SYSTEM, county_world.yi, {"key_mining": True})
    db.session.commit()
    assert (county_world.yi.key_hazchem, county_world.yi.key_mining) == (False, True)
    entry = db.session.scalars(
        db.select(AuditEntry)
        .where(AuditEntry.entity == "jurisdiction", AuditEntry.entity_id == county_world.yi.id)
        .order_by(AuditEntry.id.desc())
    ).first()
    assert entry.before["key_mining"] is False and entry.after["key_mining"] is True


def test_only_a_county_can_be_key(county_world):
    with pytest.raises(InvalidInput) as refused:
        jurisdictions.update(db.session, SYSTEM, county_world.jia_town, {"key_hazchem": True})
    assert refused.value.field == "key_hazchem"
    db.session.rollback()
    assert db.session.get(Jurisdiction, county_world.jia_town.id).key_hazchem is False


# ------------------------------------------------------------------ API


def test_the_api_answers_the_targets(county_world, login_as):
    api = login_as("drill_organizer")
    response = api.get("/api/v1/coverage/counties")
    assert response.status_code == 200
    rows = {r["name"]: r for r in response.get_json()["counties"]}
    assert rows["甲县"]["key"][0]["enterprises"]["share"] == 0.6667
    assert rows["乙县"]["met"] is True
    one = api.get(f"/api/v1/coverage/counties?jurisdiction_id={county_world.jia.id}").get_json()
    assert [r["name"] for r in one["counties"]] == ["甲县"]


def test_the_api_refuses_bad_input(county_world, login_as):
    api = login_as("drill_organizer")
    unknown = api.get("/api/v1/coverage/counties?jurisdiction_id=999999")
    assert unknown.status_code == 422
    assert unknown.get_json()["error"]["field"] == "jurisdiction_id"
    typed = api.get("/api/v1/coverage/counties?jurisdiction_id=x")
    assert typed.status_code == 422 and typed.get_json()["error"]["field"] == "jurisdiction_id"
    assert login_as("clerk").get("/api/v1/coverage/counties").status_code == 403


def test_the_jurisdiction_api_sets_and_shows_the_marks(county_world, login_as):
    admin = login_as("admin")
    response = admin.patch(
        f"/api/v1/jurisdictions/{county_world.yi.id}", json={"key_hazchem": True}
    )
    assert response.status_code == 200
    assert (response.get_json()["key_hazchem"], response.get_json()["key_mining"]) == (True, False)
    listed = admin.get("/api/v1/jurisdictions?level=county").get_json()["items"]
    assert {j["name"]: j["key_hazchem"] for j in listed} == {
        "甲县": True,
        "乙县": True,
        "丙县": False,
    }
    created = admin.post(
        "/api/v1/jurisdictions",
        json={
            "code": "330104",
            "name": "丁县",
            "level": "county",
            "parent_id": county_world.city.id,
            "key_mining": True,
        },
    )
    assert created.status_code == 201 and created.get_json()["key_mining"] is True


def test_the_jurisdiction_api_refuses_bad_marks(county_world, login_as):
    admin = login_as("admin")
    town = admin.patch(
        f"/api/v1/jurisdictions/{county_world.jia_town.id}", json={"key_mining": True}
    )
    assert town.status_code == 422
    assert town.get_json()["error"]["field"] == "key_mining"
    typed = admin.patch(f"/api/v1/jurisdictions/{county_world.yi.id}", json={"key_mining": "maybe"})
    assert typed.status_code == 422
    operator = login_as("operator")
    refused = operator.patch(
        f"/api/v1/jurisdictions/{county_world.yi.id}", json={"key_mining": True}
    )
    assert refused.status_code == 403
    assert db.session.get(Jurisdiction, county_world.yi.id).key_mining is False
