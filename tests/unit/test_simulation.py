"""simulate (drills) on the tiny network: teams busy until back home, stock used up."""

from __future__ import annotations

import pytest

from responder.services.dispatch import Resources
from responder.services.drills import Planned, simulate
from responder.services.matrix import MaterialNeed, TeamNeed
from tests.fixtures.tiny_dispatch import (
    E6,
    E6_TO_W4,
    SE3,
    SW1,
    SW1_TO_SE3,
    W4,
    stock,
    team,
)

FOAM = MaterialNeed(material_id=1, code="foam", name="foam", unit="t", quantity=5.0)
ON_SCENE_S = 600.0


def planned(incident_id, at, offset_min):
    incident = {"id": incident_id, "lon": at[0], "lat": at[1], "offset_min": offset_min}
    return Planned(incident, 1, [TeamNeed("fire", 1)], [FOAM])


def test_a_sent_team_is_busy_until_back_and_stock_is_gone(tiny_ctx):
    quick = team(1, SW1, "fire", mobilization_min=4)  # SE3 in 240 + 8.95 s
    slow = team(2, E6, "fire", mobilization_min=10)
    foam = stock(10, 100, SW1, FOAM.material_id, 6)
    plan = [planned(1, SE3, 0), planned(2, W4, 1)]
    first, second = simulate(
        tiny_ctx, plan, Resources([quick, slow], [foam]), on_scene_s=lambda _: ON_SCENE_S
    )

    [sent] = first["teams"]
    back = SW1_TO_SE3  # SE3 -> SW1 by the primary road, the same time both ways
    assert sent["team_id"] == 1
    assert sent["response_s"] == pytest.approx(240 + SW1_TO_SE3, abs=1e-3)
    assert sent["counted_s"] == pytest.approx(60 + SW1_TO_SE3, abs=1e-3)  # 1 min turnout
    assert sent["met"]  # within the 5 min fire standard
    assert sent["return_s"] == pytest.approx(back, abs=1e-3)
    assert sent["free_at_s"] == pytest.approx(240 + SW1_TO_SE3 + ON_SCENE_S + back, abs=1e-3)
    assert [s["quantity"] for s in first["materials"][0]["sources"]] == [5]

    [busy] = second["busy"]
    assert busy["team_id"] == 1
    [other] = second["teams"]
    assert other["team_id"] == 2
    assert other["dispatched_s"] == 60
    assert other["response_s"] == pytest.approx(600 + E6_TO_W4, abs=1e-3)  # not the one-way
    assert other["arrival_s"] == pytest.approx(60 + 600 + E6_TO_W4, abs=1e-3)
    # The fire standard counts its own 1 min turnout, not the team's 10 min mobilization:
    # 60 + 41 s <= 5 min.
    assert other["counted_s"] == pytest.approx(60 + E6_TO_W4, abs=1e-3)
    assert other["met"]
    [left] = second["materials"]
    assert [s["quantity"] for s in left["sources"]] == [1] and left["shortfall"] == 4


def test_an_incident_off_the_roads_is_unmet_and_the_rest_go_on(tiny_ctx):
    quick = team(1, SW1, "fire", mobilization_min=4)
    plan = [planned(1, (1.0, 1.0), 0), planned(2, SE3, 0)]
    lost, found = simulate(tiny_ctx, plan, Resources([quick], []), on_scene_s=lambda _: 0.0)
    assert [u["kind"] for u in lost["unmet"]] == ["location"] and lost["teams"] == []
    assert [t["team_id"] for t in found["teams"]] == [1]
