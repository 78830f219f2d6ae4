"""The demo's plans: a believable county filing history, derived from the loaded region."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from responder import demo
from responder.models import Jurisdiction, Plan, db
from responder.services import filing_rates
from responder.services import plans as plan_service

LOAD_DATE = date(2025, 6, 2)


def test_demo_plans_look_like_a_real_county(app, rules):
    demo.load(db.session, today=LOAD_DATE, password="demo-pass-123")
    db.session.commit()
    for row in filing_rates.rates(db.session, by="industry", day=LOAD_DATE, rules=rules):
        if row.required >= 10:
            assert 0.7 <= row.rate <= 0.97, (row.key, row.rate)
    everything = list(db.session.scalars(select(Plan)))
    states = {plan_service.filing_state(p, LOAD_DATE) for p in everything}
    assert {"filed", "deemed_filed", "awaiting_check", "incomplete", "returned", "draft"} <= states
    assert sum(plan_service.filing_state(p, LOAD_DATE) == "deemed_filed" for p in everything) >= 1
    assert any(p.filed_late for p in everything)
    levels = {
        db.session.get(Jurisdiction, p.jurisdiction_id).level
        for p in everything
        if p.owner_kind == "government"
    }
    assert "city" in levels and ({"county", "district"} & levels)
    for kind in ("overdue_drill", "overdue_evaluation", "missing", "filed_late"):
        assert filing_rates.listing(db.session, kind, day=LOAD_DATE, rules=rules).total > 0, kind
