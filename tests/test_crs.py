"""responder.crs against published reference pairs.

The pairs are the ones the widely used ``coordtransform`` library publishes for the point
(116.404, 39.915) in its test (github.com/wandergis/coordtransform, test/app.js).  Its
GCJ-02 -> WGS-84 and BD-09 -> GCJ-02 are one-step approximations; ours are solved exactly,
so they must agree to a couple of metres and invert our forward transforms to well under a
centimetre.
"""

from __future__ import annotations

import pytest

from responder import crs

POINT = (116.404, 39.915)
WGS84_TO_GCJ02 = (116.41024449916938, 39.91640428150164)
GCJ02_TO_BD09 = (116.41036949371029, 39.92133699351021)
BD09_TO_GCJ02 = (116.39762729119315, 39.90865673957631)
GCJ02_TO_WGS84_ONE_STEP = (116.39775550083061, 39.91359571849836)


def test_wgs84_to_gcj02_matches_the_published_pair() -> None:
    assert crs.from_wgs84(*POINT, "gcj02") == pytest.approx(WGS84_TO_GCJ02, abs=1e-9)


def test_gcj02_to_bd09_and_back_match_the_published_pairs() -> None:
    # a GCJ-02 point to BD-09: via its exact WGS-84 point
    as_bd = crs.from_wgs84(*crs.to_wgs84(*POINT, "gcj02"), "bd09")
    assert as_bd == pytest.approx(GCJ02_TO_BD09, abs=1e-7)
    as_gcj = crs.from_wgs84(*crs.to_wgs84(*POINT, "bd09"), "gcj02")
    assert as_gcj == pytest.approx(BD09_TO_GCJ02, abs=1e-6)  # theirs is one-step: ~5 cm off


def test_gcj02_to_wgs84_is_exact_and_near_the_one_step_inverse() -> None:
    wgs = crs.to_wgs84(*POINT, "gcj02")
    assert wgs == pytest.approx(GCJ02_TO_WGS84_ONE_STEP, abs=3e-5)  # ~2 m
    assert crs.from_wgs84(*wgs, "gcj02") == pytest.approx(POINT, abs=1e-9)  # ~0.1 mm


@pytest.mark.parametrize("code", ["wgs84", "cgcs2000", "WGS-84", None, ""])
def test_wgs84_and_cgcs2000_are_unchanged(code: str | None) -> None:
    assert crs.to_wgs84(120.15, 30.28, code) == (120.15, 30.28)


def test_points_outside_china_are_unchanged_and_unknown_codes_refused() -> None:
    assert crs.to_wgs84(-71.34, -29.95, "gcj02") == (-71.34, -29.95)
    with pytest.raises(crs.UnknownCRS, match="unknown coordinate system"):
        crs.check_crs("epsg:3857")
