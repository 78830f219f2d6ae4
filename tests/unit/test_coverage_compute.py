"""coverage.compute on the tiny network with hand-made teams and sites."""

from __future__ import annotations

import math

import pytest

from responder.rules import Standard
from responder.services import coverage
from tests.fixtures.tiny_dispatch import (
    BLOCK_S,
    E6,
    M_PER_DEG,
    PRIMARY_S,
    SE3,
    SNAP_MAX_M,
    SW1,
    SW1_TO_E6,
    W4,
    team,
)

#: The five kept roads: two 0.002 deg residential streets, two 0.001 deg ones, the primary.
TOTAL_KM = (2 * 0.002 + 2 * 0.001 + 2 * math.hypot(0.001, 0.0005)) * M_PER_DEG / 1000


def compute(network, teams, standard_min, hazards=()):
    return coverage.compute(
        network,
        specialty="hazchem",
        standard=Standard("hazchem", standard_min),
        teams=teams,
        enterprises=[coverage.Site("enterprise", 1, "works", *W4)],
        hazards=list(hazards),
        area=coverage.Area(None, None),
        closures=None,
        snap_max_m=SNAP_MAX_M,
    )


def test_everything_is_covered_when_the_standard_is_long(tiny_net):
    result = compute(tiny_net, [team(1, SW1, "hazchem", mobilization_min=0)], standard_min=1)
    roads = result.figures["roads"]
    assert roads["total_km"] == pytest.approx(TOTAL_KM, abs=1e-3)
    assert roads["share"] == 1.0
    assert result.figures["enterprises"] == {"covered": 1, "total": 1, "share": 1.0}
    assert result.site_times[("enterprise", 1)] == pytest.approx(BLOCK_S, abs=1e-3)


def test_mobilization_counts_and_late_hazards_are_listed(tiny_net):
    hazards = [
        coverage.Site("hazard_source", 7, "tank", *E6, grade=1),  # SW1 -> SE3 -> E6: 24.96 s
        coverage.Site("hazard_source", 8, "silo", *SE3, grade=2),  # 8.95 s
        coverage.Site("hazard_source", 9, "far", 1.0, 1.0, grade=3),  # off the roads
    ]
    ready_in_10_s = team(1, SW1, "hazchem", mobilization_min=10 / 60)
    result = compute(tiny_net, [ready_in_10_s], standard_min=0.5, hazards=hazards)  # 30 s
    assert result.site_times[("hazard_source", 8)] == pytest.approx(10 + PRIMARY_S, abs=1e-3)
    assert result.site_times[("hazard_source", 7)] == pytest.approx(10 + SW1_TO_E6, abs=1e-3)
    assert math.isinf(result.site_times[("hazard_source", 9)])
    assert result.figures["hazard_sources"]["covered"] == 1
    late = result.figures["uncovered_hazard_sources"]
    assert [(h["id"], h["arrival_s"]) for h in late] == [
        (7, round(10 + SW1_TO_E6, 1)),
        (9, None),
    ]
    assert 0 < result.figures["roads"]["share"] < 1


def test_no_team_covers_nothing(tiny_net):
    result = compute(tiny_net, [], standard_min=60)
    assert result.figures["roads"]["covered_km"] == 0
    assert result.figures["enterprises"]["covered"] == 0
