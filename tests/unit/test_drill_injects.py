"""Injects replayed by the drill simulation on the tiny network, with hand-worked times.

The tiny network (tests/fixtures/tiny_dispatch.py): SW1 -> SE3 is 8.95 s by the primary
road through (0.001, -0.0005) and 2 x 16.01 s by the residential street along lat 0.  A
closure of the primary road (30 m round its middle point, 56 m from the street) leaves
the street.
"""

from __future__ import annotations

import pytest

from responder.services.dispatch import Resources
from responder.services.drills import Inject, Planned, simulate
from responder.services.matrix import TeamNeed
from tests.fixtures.tiny_dispatch import BLOCK_S, E6, PRIMARY_S, SE3, SW1, team

PRIMARY_MIDDLE = (0.001, -0.0005)
ON_SCENE_S = 0.0


def planned(incident_id, at, offset_min, count=1):
    incident = {"id": incident_id, "lon": at[0], "lat": at[1], "offset_min": offset_min}
    return Planned(incident, 1, [TeamNeed("fire", count)], [])


def primary_closure(tiny_net, at_min, inject_id=7):
    edges = tuple(int(e) for e in tiny_net.edges_near(*PRIMARY_MIDDLE, radius_m=30))
    assert edges, "the primary road passes through its middle point"
    return Inject(inject_id, "road_closure", at_min * 60.0, closed_edges=edges)


def replay(tiny_ctx, plan, teams, injects):
    effects = {}
    timeline = simulate(
        tiny_ctx,
        plan,
        Resources(teams, []),
        on_scene_s=lambda _: ON_SCENE_S,
        injects=injects,
        effects=effects,
    )
    return timeline, effects


def test_a_closure_changes_the_route_of_teams_setting_off_after_it(tiny_ctx, tiny_net):
    quick = team(1, SW1, "fire", mobilization_min=4)
    plan = [planned(1, SE3, 0), planned(2, SE3, 12)]
    (before, after), effects = replay(tiny_ctx, plan, [quick], [primary_closure(tiny_net, 10)])

    [first] = before["teams"]
    assert first["travel_s"] == pytest.approx(PRIMARY_S, abs=1e-3)  # +0: the primary road
    assert "detour_s" not in first
    [second] = after["teams"]
    assert second["travel_s"] == pytest.approx(2 * BLOCK_S, abs=1e-3)  # +12: the street
    assert second["detour_s"] == pytest.approx(2 * BLOCK_S - PRIMARY_S, abs=1e-3)
    assert second["open_travel_s"] == pytest.approx(PRIMARY_S, abs=1e-3)
    assert second["detour_injects"] == [7]
    assert second["return_s"] == pytest.approx(2 * BLOCK_S, abs=1e-3)  # back by the street
    assert second["response_s"] == pytest.approx(240 + 2 * BLOCK_S, abs=1e-3)
    assert effects[7]["edges_closed"] >= 1
    assert effects[7]["detoured"] == [{"index": 2, "team_id": 1, "name": "team 1"}]


def test_a_closure_from_t_applies_at_t_and_not_to_a_team_already_on_the_road(tiny_ctx, tiny_net):
    early = team(1, SW1, "fire", mobilization_min=4)
    on_time = team(2, SW1, "fire", mobilization_min=4)
    # Team 1 sets off at +9 min (arrives at +13): it keeps the primary road.  Team 2 is sent
    # at +10 min exactly, when the closure comes in: it takes the street.
    plan = [planned(1, SE3, 9), planned(2, SE3, 10)]
    (before, at_t), _ = replay(tiny_ctx, plan, [early, on_time], [primary_closure(tiny_net, 10)])
    assert [t["team_id"] for t in before["teams"]] == [1]
    assert before["teams"][0]["travel_s"] == pytest.approx(PRIMARY_S, abs=1e-3)
    assert [t["team_id"] for t in at_t["teams"]] == [2]
    assert at_t["teams"][0]["travel_s"] == pytest.approx(2 * BLOCK_S, abs=1e-3)


def test_a_team_that_becomes_unavailable_is_not_sent_again(tiny_ctx):
    quick = team(1, SW1, "fire", mobilization_min=4)
    slow = team(2, E6, "fire", mobilization_min=10)
    plan = [planned(1, SE3, 0), planned(2, SE3, 10)]
    out = Inject(3, "team_unavailable", 5 * 60.0, team_id=1)
    (first, second), effects = replay(tiny_ctx, plan, [quick, slow], [out])
    assert [t["team_id"] for t in first["teams"]] == [1]  # before +5: its job stands
    [sent] = second["teams"]
    assert sent["team_id"] == 2
    assert sent["response_s"] == pytest.approx(600 + BLOCK_S, abs=1e-3)  # E6 -> SE3
    assert [(b["team_id"], b["unavailable"]) for b in second["busy"]] == [(1, True)]
    assert effects[3] == {"in_drill": True, "was_busy": False}


def test_a_raised_severity_sends_what_the_incident_lacks(tiny_ctx):
    quick = team(1, SW1, "fire", mobilization_min=4)
    slow = team(2, E6, "fire", mobilization_min=10)
    plan = [planned(1, SE3, 0)]
    raised = Inject(
        4,
        "severity_raised",
        20 * 60.0,
        incident_id=1,
        severity="major",
        team_needs=[TeamNeed("fire", 2)],
    )
    (entry,), effects = replay(tiny_ctx, plan, [quick, slow], [raised])
    assert [(t["team_id"], t["reinforcement"]) for t in entry["teams"]] == [(1, False), (2, True)]
    reinforcement = entry["teams"][1]
    assert reinforcement["dispatched_s"] == 1200
    assert reinforcement["arrival_s"] == pytest.approx(1200 + 600 + BLOCK_S, abs=1e-3)
    assert entry["raised"] == {"inject_id": 4, "severity": "major", "at_s": 1200}
    assert effects[4] == {"applied": True, "index": 1, "teams_sent": 1}


def test_a_second_incident_is_replayed_at_its_time_with_what_is_left(tiny_ctx):
    quick = team(1, SW1, "fire", mobilization_min=4)
    second = {"id": None, "inject_id": 9, "lon": E6[0], "lat": E6[1], "offset_min": 1}
    plan = [planned(1, SE3, 0), Planned(second, 1, [TeamNeed("fire", 1)], [])]
    (first, other), _ = replay(tiny_ctx, plan, [quick], [])
    assert [t["team_id"] for t in first["teams"]] == [1]
    assert other["teams"] == [] and other["busy"][0]["team_id"] == 1  # still on the first
