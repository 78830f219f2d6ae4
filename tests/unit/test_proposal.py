"""compute_proposal on the hand-drawn tiny network with hand-made teams and stock."""

from __future__ import annotations

import pytest

from responder.services.dispatch import Resources, compute_proposal
from responder.services.matrix import MaterialNeed, TeamNeed
from tests.fixtures.tiny_dispatch import (
    E6,
    E6_TO_SE3,
    SE3,
    SNAP_MAX_M,
    SW1,
    SW1_TO_SE3,
    W4,
    W4_TO_SE3,
    stock,
    team,
)

FOAM = MaterialNeed(material_id=1, code="foam", name="foam", unit="t", quantity=5.0)
BOATS = MaterialNeed(material_id=2, code="boat", name="boat", unit="unit", quantity=4.0)


def propose(network, resources, *, team_needs, material_needs=(), alternatives=1):
    target = network.snap(*SE3, max_distance_m=SNAP_MAX_M)
    return compute_proposal(
        network,
        target,
        incident_county_id=1,
        team_needs=team_needs,
        material_needs=material_needs,
        resources=resources,
        closures=None,
        snap_max_m=SNAP_MAX_M,
        alternatives=alternatives,
    )


def test_teams_rank_by_mobilization_plus_road_time(tiny_net):
    teams = [
        team(1, SW1, "fire", mobilization_min=5, county_id=2),  # 300 + 8.95 s
        team(2, E6, "fire", mobilization_min=5),  # 300 + 16.01 s
        team(3, W4, "fire", mobilization_min=0),  # 0 + 24.96 s: farthest, but ready
        team(4, SW1, "medical", mobilization_min=0),  # not needed
    ]
    result = propose(tiny_net, Resources(teams, []), team_needs=[TeamNeed("fire", 2)])
    options = result.teams["fire"]
    assert [(o.team_id, o.recommended) for o in options] == [(3, True), (1, True), (2, False)]
    arrival = {o.team_id: o.arrival_s for o in options}
    assert arrival[3] == pytest.approx(W4_TO_SE3, abs=1e-3)
    assert arrival[1] == pytest.approx(300 + SW1_TO_SE3, abs=1e-3)
    assert arrival[2] == pytest.approx(300 + E6_TO_SE3, abs=1e-3)
    first = options[1]
    assert first.cross_jurisdiction and not options[0].cross_jurisdiction
    assert first.straight_m == pytest.approx(222.39, abs=0.01)  # 0.002 deg along the equator
    assert first.road_m == pytest.approx(248.6, abs=0.1)  # the primary road: the quick way
    assert first.route[0] == SW1 and first.route[-1] == SE3
    assert result.unmet == [] and result.excluded == []
    assert result.recommended()["teams"] == [1, 3]


def test_a_team_is_recommended_once_and_missing_teams_are_unmet(tiny_net):
    both = team(1, SW1, "fire", "rescue", mobilization_min=1)
    off_road = team(9, (1.0, 1.0), "fire", mobilization_min=0)
    result = propose(
        tiny_net,
        Resources([both, off_road], []),
        team_needs=[TeamNeed("fire", 1), TeamNeed("rescue", 1), TeamNeed("water", 1)],
        alternatives=0,
    )
    assert [o.recommended for o in result.teams["fire"]] == [True]
    assert [o.recommended for o in result.teams["rescue"]] == [False]
    unmet = {u["specialty"]: (u["found"], u["message"]) for u in result.unmet}
    assert unmet["rescue"] == (0, "only 0 of 1 rescue team(s) available")
    assert unmet["water"][0] == 0 and unmet["water"][1].startswith("no available")
    assert [(e["kind"], e["id"]) for e in result.excluded] == [("team", 9)]


def test_materials_come_from_the_nearest_depots_and_the_rest_is_short(tiny_net):
    lines = [
        stock(10, 100, W4, FOAM.material_id, 10),  # 24.96 s away
        stock(11, 101, E6, FOAM.material_id, 3),  # 16.01 s
        stock(12, 102, SW1, FOAM.material_id, 1),  # 8.95 s
        stock(13, 102, SW1, BOATS.material_id, 1),
        stock(14, 103, (1.0, 1.0), BOATS.material_id, 50),  # off the road network
    ]
    result = propose(tiny_net, Resources([], lines), team_needs=[], material_needs=[FOAM, BOATS])
    foam, boats = result.materials
    assert [(s["inventory_line_id"], s["quantity"]) for s in foam.sources] == [
        (12, 1),
        (11, 3),
        (10, 1),
    ]
    assert [s["arrival_s"] for s in foam.sources] == pytest.approx(
        [SW1_TO_SE3, E6_TO_SE3, W4_TO_SE3], abs=1e-3
    )
    assert foam.shortfall == 0
    assert [(s["inventory_line_id"], s["quantity"]) for s in boats.sources] == [(13, 1)]
    assert boats.shortfall == 3
    assert [u["shortfall"] for u in result.unmet] == [3]
    assert [(e["kind"], e["id"]) for e in result.excluded] == [("depot", 103)]
    assert result.recommended()["materials"] == [[10, 1], [11, 3], [12, 1], [13, 1]]
