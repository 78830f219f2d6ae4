"""The fire standard on the demo registry: counted from the order (1 min turnout + drive),
judged on urban land only, and site suggestions that close real gaps."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from responder.demo import loader
from responder.models import HazardSource, db
from responder.services import coverage
from responder.services.actors import SYSTEM
from tests.drills.test_coverage import ctx_for


@pytest.fixture
def demo_ctx(app):
    loader.load(db.session, password="demo-pass-123")
    db.session.commit()
    return ctx_for(app, app.extensions["responder.roads"])


def test_fire_coverage_and_suggestions_on_the_demo(app, demo_ctx):
    result = coverage.coverage(db.session, SYSTEM, demo_ctx, specialty="fire")
    figures = result.figures
    judged = figures["hazard_sources"]["total"]
    # Only hazard sources on urban land are judged; the rest are counted apart (the demo's
    # central districts are all urban land, so every source is judged there).
    sources = db.session.scalar(select(func.count()).select_from(HazardSource))
    assert judged > 0
    assert judged + figures["not_judged"]["hazard_sources"] == sources
    uncovered = {h["id"] for h in figures["uncovered_hazard_sources"]}
    # A judged hazard source is covered exactly when reached within 1 min turnout + 4 min
    # drive; one off urban land is never listed as uncovered.
    for site in result.hazards:
        key = (site.kind, site.id)
        if key in result.judged:
            assert (result.site_times[key] <= 300 + 1e-6) == (site.id not in uncovered)
        else:
            assert site.id not in uncovered
    assert uncovered  # something is left to suggest for

    answer = coverage.suggest_sites(
        db.session, SYSTEM, demo_ctx, specialty="fire", k=3, candidates="nodes"
    )
    assert answer["drive_budget_min"] == 4  # 5 min - 1 min turnout, whatever the mobilization
    assert answer["picks"]
    for pick in answer["picks"]:
        assert pick["gain"] >= 1
        assert {c["id"] for c in pick["covers"]} <= uncovered
    covered_by_picks = {c["id"] for p in answer["picks"] for c in p["covers"]}
    assert len(covered_by_picks) == sum(p["gain"] for p in answer["picks"])  # no double count
