"""Severity derivation at every boundary of the national rule (国务院令493号 Art 3):
"以上" includes the number, "以下" excludes it; the highest criterion wins."""

from __future__ import annotations

import pytest

from responder.errors import InvalidInput
from responder.services.dispatch.severity import Figures, derive, grade_for

WAN = 10_000
YI = 100_000_000


@pytest.mark.parametrize(
    ("deaths", "grade"),
    [
        (0, "general"),
        (2, "general"),
        (3, "larger"),
        (9, "larger"),
        (10, "major"),
        (29, "major"),
        (30, "especially_major"),
        (31, "especially_major"),
    ],
)
def test_deaths_boundaries(deaths, grade):
    assert derive(Figures(deaths=deaths)) == grade


@pytest.mark.parametrize(
    ("injuries", "grade"),
    [
        (9, "general"),
        (10, "larger"),
        (49, "larger"),
        (50, "major"),
        (99, "major"),
        (100, "especially_major"),
    ],
)
def test_serious_injury_boundaries(injuries, grade):
    assert derive(Figures(serious_injuries=injuries)) == grade


@pytest.mark.parametrize(
    ("loss", "grade"),
    [
        (999 * WAN, "general"),
        (1000 * WAN - 1, "general"),
        (1000 * WAN, "larger"),
        (4999 * WAN, "larger"),
        (5000 * WAN, "major"),
        (YI - 1, "major"),
        (YI, "especially_major"),
    ],
)
def test_direct_loss_boundaries(loss, grade):
    assert derive(Figures(direct_loss_yuan=loss)) == grade


def test_highest_criterion_wins():
    assert derive(Figures(deaths=2, serious_injuries=50, direct_loss_yuan=1000 * WAN)) == "major"
    assert derive(Figures(deaths=30, serious_injuries=0, direct_loss_yuan=0)) == (
        "especially_major"
    )


def test_raise_needs_a_reason_and_is_kept():
    with pytest.raises(InvalidInput) as missing:
        grade_for(Figures(deaths=1), "major", "  ")
    assert missing.value.field == "severity_reason"
    assert grade_for(Figures(deaths=1), "major", "被困人数不明") == (
        "major",
        "general",
        "被困人数不明",
    )


def test_never_below_the_derived_grade():
    with pytest.raises(InvalidInput) as lower:
        grade_for(Figures(deaths=3), "general", "估计过高")
    assert lower.value.field == "severity"
    assert grade_for(Figures(deaths=3), None, "") == ("larger", "larger", "")


@pytest.mark.parametrize(
    ("figures", "field"),
    [
        (Figures(deaths=-1), "deaths"),
        (Figures(serious_injuries=-2), "serious_injuries"),
        (Figures(direct_loss_yuan=float("nan")), "direct_loss_yuan"),
    ],
)
def test_bad_figures_name_their_field(figures, field):
    with pytest.raises(InvalidInput) as error:
        grade_for(figures, None, "")
    assert error.value.field == field
