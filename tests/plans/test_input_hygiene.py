"""The shared field types (:mod:`responder.http.api.fields`) on the dispatch, plans, roads
and accounts APIs: text is trimmed, a whole number is a whole number (``"3"`` is read as 3,
as everywhere; ``1.5`` and ``true`` are refused), a body boolean is JSON ``true``/``false``."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from responder.models import Plan, User, db

INCIDENT = {"type": "hazchem_leak", "lon": 120.05, "lat": 30.05}


def refused(response: Any, field: str) -> str:
    """The message of a 422 that names ``field``."""
    assert response.status_code == 422, response.json
    error = response.json["error"]
    assert error["field"] == field
    return str(error["message"])


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"deaths": 1.5}, "deaths", "deaths: must be a whole number"),
        ({"deaths": True}, "deaths", "deaths: Not a valid integer."),
        ({"serious_injuries": "two"}, "serious_injuries", "serious_injuries: Not a valid integer."),
        (
            {"figures_estimated": "yes"},
            "figures_estimated",
            "figures_estimated: Not a valid boolean.",
        ),
        ({"figures_estimated": 1}, "figures_estimated", "figures_estimated: Not a valid boolean."),
        ({"enterprise_id": 2.5}, "enterprise_id", "enterprise_id: must be a whole number"),
    ],
)
def test_incident_numbers_and_booleans_have_their_types(region, login_as, change, field, message):
    answer = login_as("operator").post("/api/v1/incidents", json={**INCIDENT, **change})
    assert refused(answer, field) == message


def test_a_closure_reason_of_spaces_is_no_reason(region, login_as):
    body = {"lon": 120.05, "lat": 30.05, "reason": "   "}
    answer = login_as("operator").post("/api/v1/roads/closures", json=body)
    assert refused(answer, "reason").startswith("reason: Length must be between 1 and 500")


def test_usernames_are_trimmed_and_active_is_a_json_boolean(region, login_as):
    admin = login_as("admin")
    body = {"username": "  wang.li ", "role": "viewer", "password": "correct horse 1"}
    created = admin.post("/api/v1/users", json=body)
    assert created.status_code == 201, created.json
    user = db.session.scalar(select(User).where(User.username == "wang.li"))
    assert user is not None and created.json["username"] == "wang.li"
    url = f"/api/v1/users/{user.id}"
    assert refused(admin.patch(url, json={"active": 0}), "active") == "active: Not a valid boolean."
    assert refused(admin.patch(url, json={"active": "false"}), "active").endswith("boolean.")
    db.session.refresh(user)
    assert user.active is True  # nothing changed
    assert admin.patch(url, json={"active": False}).status_code == 200


def test_token_days_are_whole_days(region, login_as):
    me = login_as("viewer")
    assert refused(me.post("/api/v1/me/tokens", json={"days": 1.5}), "days").endswith("number")
    assert refused(me.post("/api/v1/me/tokens", json={"days": True}), "days").endswith("integer.")
    assert me.post("/api/v1/me/tokens", json={"days": "3"}).status_code == 201


def test_plan_text_is_trimmed_and_counts_are_whole(region, login_as, make_enterprise):
    enterprise = make_enterprise("hazchem_storage", name="西区化工")
    db.session.commit()
    clerk = login_as("clerk", "330102")
    body = {
        "enterprise_id": enterprise.id,
        "title": "  综合应急预案 ",
        "plan_type": "comprehensive",
        "version": " 1.0 ",
    }
    bad = {**body, "team_needs": [{"specialty": "fire", "count": 1.5}]}
    assert refused(clerk.post("/api/v1/plans", json=bad), "team_needs.0.count").endswith(
        "whole number"
    )
    blank = refused(clerk.post("/api/v1/plans", json={**body, "title": "   "}), "title")
    assert blank.startswith("title: Length must be between 1 and 300")
    assert db.session.scalars(select(Plan)).all() == []
    created = clerk.post("/api/v1/plans", json=body)
    assert created.status_code == 201, created.json
    assert created.json["title"] == "综合应急预案" and created.json["version"] == "1.0"
