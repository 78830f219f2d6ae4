"""Writes check jurisdiction as well as role: a county operator closes and lifts roads only
inside their county, and takes another county's teams only with a recorded reason."""

from __future__ import annotations

import json

import numpy as np
import pytest
from shapely.geometry import shape
from sqlalchemy import select

from responder.errors import InvalidInput
from responder.models import AuditEntry, db
from responder.services import mutual_aid
from tests.dispatch.test_proposal import place_incident
from tests.fixtures.dispatch import central_node


def _inner_node(world, county) -> int:
    """A road node well inside ``county`` (at least ~3 km from its edge)."""
    boundary = shape(json.loads(county.boundary)).buffer(-0.03)
    for node in np.argsort(np.abs(world.network.node_lon - boundary.centroid.x)):
        lon, lat = world.node_point(int(node))
        if boundary.contains(shape({"type": "Point", "coordinates": [lon, lat]})):
            return int(node)
    raise AssertionError("no road node deep inside the county")


def _close(api, world, node: int, radius_m: float = 30.0):
    lon, lat = world.node_point(node)
    body = {"lon": lon, "lat": lat, "radius_m": radius_m, "reason": "积水"}
    return api.post("/api/v1/roads/closures", json=body)


def test_a_county_operator_closes_roads_only_in_their_county(world, login_as):
    west = login_as("operator", world.west.code)
    east_node, west_node = _inner_node(world, world.east), _inner_node(world, world.west)
    refused = _close(west, world, east_node)
    assert refused.status_code == 403
    assert refused.get_json()["error"]["field"] == "lon"
    assert _close(west, world, west_node).status_code == 201


def test_a_closure_may_not_reach_across_the_county_line(world, login_as):
    west = login_as("operator", world.west.code)
    node = _inner_node(world, world.west)
    assert _close(west, world, node, radius_m=5000).status_code == 403  # ~5 km reaches east
    assert (
        db.session.scalar(select(AuditEntry.id).where(AuditEntry.entity == "road_closure")) is None
    )


def test_a_county_operator_lifts_only_their_own_countys_closures(world, login_as):
    west, east, city = (
        login_as("operator", world.west.code),
        login_as("operator", world.east.code),
        login_as("operator"),
    )
    closure = _close(west, world, _inner_node(world, world.west)).get_json()
    assert east.post(f"/api/v1/roads/closures/{closure['id']}/lift").status_code == 403
    assert west.post(f"/api/v1/roads/closures/{closure['id']}/lift").status_code == 200
    other = _close(city, world, _inner_node(world, world.east)).get_json()
    assert city.post(f"/api/v1/roads/closures/{other['id']}/lift").status_code == 200


def test_taking_another_countys_team_needs_a_reason_and_is_recorded(world, login_as):
    incident = place_incident(login_as("operator"), world, central_node(world.network))
    home, other = (
        (world.west, world.east)
        if incident["jurisdiction_id"] == world.west.id
        else (world.east, world.west)
    )
    api = login_as("operator", home.code)
    foreign_team = world.add_team(_inner_node(world, other), ["fire"])
    pick = {"teams": [{"team_id": foreign_team.id, "specialty": "fire"}], "deviation_reason": "近"}
    url = f"/api/v1/incidents/{incident['id']}/dispatch"
    refused = api.post(url, json=pick)
    assert refused.status_code == 422
    assert refused.get_json()["error"]["field"] == "cross_jurisdiction_reason"
    db.session.rollback()
    assert db.session.get(type(foreign_team), foreign_team.id).status == "available"
    taken = api.post(url, json={**pick, "cross_jurisdiction_reason": "本区队伍已全部出动"})
    assert taken.status_code == 201
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "cross_jurisdiction"))
    assert entry is not None and entry.entity_id == incident["id"]
    assert entry.after["reason"] == "本区队伍已全部出动"
    assert entry.after["teams"] == [foreign_team.id]


def test_unscoped_operators_need_no_reason(world):
    from responder.services.actors import Actor

    team = world.add_team(_inner_node(world, world.east), ["fire"])
    city = Actor(user_id=1, username="city", role="operator", scope_path=None)
    assert mutual_aid.check(db.session, city, [team.id], "") == {}
    west = Actor(user_id=2, username="w", role="operator", scope_path=world.west.path)
    with pytest.raises(InvalidInput):
        mutual_aid.check(db.session, west, [team.id], " ")
    assert mutual_aid.check(db.session, west, [team.id], "支援") == {team.id: world.east.code}
