"""A team's own status from the API (the page's status form uses the same PATCH path):
unavailable with a reason and expected return, back to available, and a compare-and-set
against a concurrent dispatch."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import update

from responder.errors import Conflict
from responder.models import RescueTeam, db
from responder.services import registry
from responder.services.actors import SYSTEM
from responder.services.resources import TEAMS


def test_unavailable_with_reason_then_available_clears_it(
    registry_records: Any, login_as: Any
) -> None:
    api = login_as("operator")
    team = registry_records.fire_team
    url = f"/api/v1/teams/{team.id}"
    body = api.patch(
        url,
        json={
            "status": "unavailable",
            "unavailable_reason": "training",
            "expected_back_at": "2099-05-01T08:00:00+08:00",
        },
    ).json
    assert body["status"] == "unavailable" and body["unavailable_reason"] == "training"
    assert body["expected_back_at"].startswith("2099-05-01T00:00")
    back = api.patch(url, json={"status": "available"}).json
    assert back["unavailable_reason"] is None and back["expected_back_at"] is None


@pytest.mark.parametrize(
    ("patch", "field"),
    [
        ({"status": "unavailable", "unavailable_reason": "holiday"}, "unavailable_reason"),
        ({"unavailable_reason": "repair"}, "unavailable_reason"),  # the team is available
        (
            {"status": "unavailable", "expected_back_at": "2001-01-01T00:00:00Z"},
            "expected_back_at",
        ),
    ],
)
def test_bad_unavailability_is_refused_naming_the_field(
    registry_records: Any, login_as: Any, patch: dict[str, Any], field: str
) -> None:
    api = login_as("operator")
    answer = api.patch(f"/api/v1/teams/{registry_records.fire_team.id}", json=patch)
    assert answer.status_code == 422 and answer.json["error"]["field"] == field
    db.session.expire_all()
    assert db.session.get(RescueTeam, registry_records.fire_team.id).status == "available"


def test_status_change_loses_to_a_dispatch_that_came_first(registry_records: Any) -> None:
    team = registry_records.fire_team
    db.session.commit()
    loaded = db.session.get(RescueTeam, team.id)
    # A dispatch takes the team behind this session's back (its compare-and-set).
    db.session.execute(
        update(RescueTeam)
        .where(RescueTeam.id == team.id)
        .values(status="dispatched", status_version=RescueTeam.status_version + 1)
        .execution_options(synchronize_session=False)
    )
    with pytest.raises(Conflict) as refused:
        registry.update(
            db.session,
            SYSTEM,
            TEAMS,
            loaded,
            {"status": "unavailable", "unavailable_reason": "rest"},
        )
    assert refused.value.field == "status"
