"""Arrival-time standards: what each counts, worked by hand (DOMAIN.md "Dispatch"), and
coverage on the tiny network judged only on the standard's land."""

from __future__ import annotations

import math

import pytest
from shapely.geometry import box

from responder.rules import Standard, load_rules
from responder.services import coverage
from responder.services.standards import EVERYWHERE, Land, judge
from tests.fixtures.tiny_dispatch import E6, PRIMARY_S, SE3, SNAP_MAX_M, SW1, SW1_TO_E6, team

RULES = load_rules()
MIN = 60.0


def test_the_default_standards_say_what_they_count():
    fire, mine, hazchem = (RULES.standard_for(s) for s in ("fire", "mine", "hazchem"))
    assert (fire.limit_min, fire.counts, fire.turnout_min, fire.land) == (
        5,
        "from_order",
        1,
        "urban",
    )
    assert (mine.limit_min, mine.counts, mine.land) == (30, "drive", "all")
    assert (hazchem.limit_min, hazchem.counts) == (30, "mobilization_drive")
    # The drive each leaves a team that mobilizes in 5 min: 5 - 1, 30, 30 - 5.
    assert [s.drive_budget_min(5) for s in (fire, mine, hazchem)] == [4, 30, 25]
    assert RULES.standard_for("medical").drive_budget_min(5) == 55


def test_a_fire_station_3_min_away_meets_the_fire_standard():
    fire = RULES.standard_for("fire")
    verdict = judge(fire, 5 * MIN, 3 * MIN)  # 1 min turnout + 3 min drive = 4 <= 5
    assert (verdict.counted_s, verdict.limit_s, verdict.met) == (4 * MIN, 5 * MIN, True)
    late = judge(fire, 5 * MIN, 4.5 * MIN)  # 1 + 4.5 = 5.5 > 5
    assert (late.counted_s, late.met) == (5.5 * MIN, False)
    assert judge(fire, 0, 4 * MIN).met is True  # exactly 5 min still meets it


def test_a_mine_team_27_min_away_meets_the_mine_standard():
    mine = RULES.standard_for("mine")
    verdict = judge(mine, 5 * MIN, 27 * MIN)  # drive only: 27 <= 30, mobilization not added
    assert (verdict.counted_s, verdict.met) == (27 * MIN, True)
    assert judge(mine, 5 * MIN, 31 * MIN).met is False


def test_hazchem_counts_the_teams_mobilization():
    hazchem = RULES.standard_for("hazchem")
    assert judge(hazchem, 5 * MIN, 25 * MIN).counted_s == 30 * MIN
    assert judge(hazchem, 10 * MIN, 25 * MIN).met is False  # 35 > 30


def test_a_place_off_the_standards_land_is_reported_but_not_judged():
    verdict = judge(RULES.standard_for("fire"), 5 * MIN, 30 * MIN, judged=False)
    assert (verdict.counted_s, verdict.met) == (31 * MIN, None)


def test_a_rules_file_with_an_unknown_count_is_refused(tmp_path):
    path = tmp_path / "rules.toml"
    path.write_text('[arrival_standard_counts]\nfire = "mobilisation"\n', encoding="utf-8")
    with pytest.raises(ValueError, match=r"arrival_standard_counts\.fire"):
        load_rules(path)


# On the tiny network drives take seconds, so the fire-like standard is scaled: a 30 s
# limit counted from the order with 10 s turnout; the team's 5 min mobilization is ignored.
SCALED_FIRE = Standard("fire", 0.5, "from_order", turnout_min=10 / 60, land="urban")
#: Urban land around SE3 only (E6 lies outside it).
AROUND_SE3 = Land("urban", False, box(0.0015, -0.0005, 0.0025, 0.0005))


def fire_coverage(network, land):
    hazards = [
        coverage.Site("hazard_source", 1, "near", *SE3, grade=1),  # 10 + 8.95 s
        coverage.Site("hazard_source", 2, "far", *E6, grade=1),  # 10 + 24.96 s
    ]
    return coverage.compute(
        network,
        specialty="fire",
        standard=SCALED_FIRE,
        teams=[team(1, SW1, "fire", mobilization_min=5)],
        enterprises=[],
        hazards=hazards,
        area=coverage.Area(None, None),
        closures=None,
        snap_max_m=SNAP_MAX_M,
        land=land,
    )


def test_coverage_counts_the_standards_turnout_not_the_teams_mobilization(tiny_net):
    result = fire_coverage(tiny_net, EVERYWHERE)
    assert result.site_times[("hazard_source", 1)] == pytest.approx(10 + PRIMARY_S, abs=1e-3)
    assert result.site_times[("hazard_source", 2)] == pytest.approx(10 + SW1_TO_E6, abs=1e-3)
    assert result.figures["hazard_sources"] == {"covered": 1, "total": 2, "share": 0.5}
    assert [h["id"] for h in result.figures["uncovered_hazard_sources"]] == [2]
    assert result.figures["standard"]["counts"] == "from_order"


def test_coverage_judges_only_the_urban_land(tiny_net):
    result = fire_coverage(tiny_net, AROUND_SE3)
    assert result.figures["hazard_sources"] == {"covered": 1, "total": 1, "share": 1.0}
    assert result.figures["not_judged"] == {"enterprises": 0, "hazard_sources": 1}
    assert result.figures["uncovered_hazard_sources"] == []  # E6 is not judged
    assert math.isfinite(result.site_times[("hazard_source", 2)])  # but still reported
    everywhere = fire_coverage(tiny_net, EVERYWHERE).figures["roads"]["total_km"]
    assert 0 < result.figures["roads"]["total_km"] < everywhere
    layers = coverage.map_layers(tiny_net, result)
    assert [h["covered"] for h in layers.hazards] == [True, None]


def test_no_urban_land_known_judges_nothing(tiny_net):
    result = fire_coverage(tiny_net, Land("urban", False))
    assert result.figures["hazard_sources"] == {"covered": 0, "total": 0, "share": None}
    assert result.figures["roads"]["share"] is None
    assert result.figures["standard"]["land_known"] is False
