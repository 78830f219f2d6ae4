"""The clerk's desk pages: the same validation as the API with the error beside the field
(and nothing changed), lists in the page's words, exports of the same rows."""

from __future__ import annotations

import io
from datetime import date, timedelta

from openpyxl import load_workbook
from sqlalchemy import func, select

from responder.models import Plan, User, db
from responder.services import plans
from responder.services.actors import SYSTEM
from tests.fixtures.pages import csrf_token
from tests.plans.conftest import attach_materials

DAY = date(2024, 6, 3)


def _submitted(make_enterprise, rules, *, complete: bool):
    enterprise = make_enterprise("hazchem_storage", name="西区化工")
    plan = plans.create(
        db.session,
        SYSTEM,
        {
            "enterprise_id": enterprise.id,
            "title": "西区化工综合应急预案",
            "plan_type": "comprehensive",
            "published_on": DAY,
        },
        today=DAY,
    )
    attach_materials(plan, rules, skip=() if complete else ("risk_assessment",))
    plans.submit(db.session, SYSTEM, plan, rules=rules, today=DAY)
    db.session.commit()
    return plan


def test_filing_an_incomplete_submission_shows_the_error_and_changes_nothing(
    sign_in, make_enterprise, rules, region
):
    plan = _submitted(make_enterprise, rules, complete=False)
    client = sign_in("clerk", region.west.code)
    token = csrf_token(client, f"/plans/{plan.id}")
    response = client.post(f"/plans/{plan.id}/file", data={"csrf_token": token})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'data-field="documents"' in html and "risk_assessment" in html
    db.session.expire_all()
    assert db.session.get(Plan, plan.id).status == "submitted"
    empty = client.post(f"/plans/{plan.id}/return", data={"csrf_token": token, "reason": " "})
    assert empty.status_code == 422 and 'data-field="reason"' in empty.get_data(as_text=True)
    bad_date = client.post(
        f"/plans/{plan.id}/drills",
        data={"csrf_token": token, "held_on": "2024-13-01", "kind": "live"},
    )
    assert bad_date.status_code == 422 and 'data-field="held_on"' in bad_date.get_data(as_text=True)
    returned = client.post(
        f"/plans/{plan.id}/return", data={"csrf_token": token, "reason": "缺风险评估结果"}
    )
    assert returned.status_code == 302
    db.session.expire_all()
    assert db.session.get(Plan, plan.id).status == "returned"


def test_the_queue_warns_of_deemed_filing(sign_in, make_enterprise, rules, region):
    _submitted(make_enterprise, rules, complete=True)  # submitted 3 June 2024: long past
    client = sign_in("clerk", region.west.code)
    html = client.get("/filing/queue").get_data(as_text=True)
    assert "已于 2024-06-12 视为备案" in html  # Dragon Boat Festival on 10 June moves it
    english = client.get("/filing/queue?lang=en").get_data(as_text=True)
    assert "Deemed filed on 2024-06-12" in english


def test_plan_list_filters_sorts_and_exports_in_words(sign_in, make_enterprise, rules, region):
    _submitted(make_enterprise, rules, complete=True)
    client = sign_in("clerk", region.west.code)
    deemed = client.get("/plans?state=deemed_filed&sort=title").get_data(as_text=True)
    assert "西区化工综合应急预案" in deemed and "视为已备案" in deemed
    assert "西区化工综合应急预案" not in client.get("/plans?state=draft").get_data(as_text=True)
    bad = client.get("/plans?industry=poetry")
    assert bad.status_code == 422 and 'data-field="industry"' in bad.get_data(as_text=True)
    assert client.get("/plans?sort=colour").status_code == 422
    book = load_workbook(io.BytesIO(client.get("/plans/export.xlsx?lang=en").data))
    rows = list(book.active.values)
    assert rows[0][:3] == ("No.", "Plan", "Type")
    assert rows[1][2] == "Comprehensive plan" and rows[1][6] == "Deemed filed"


def test_enterprise_staff_draft_their_own_plan_from_a_page(sign_in, make_enterprise, region, app):
    enterprise = make_enterprise("crowded_place", name="西区商场")
    db.session.commit()
    client = sign_in("enterprise_staff")
    user = db.session.scalar(select(User).where(User.role == "enterprise_staff"))
    plans.link_staff(db.session, SYSTEM, user_id=user.id, enterprise_id=enterprise.id)
    db.session.commit()
    token = csrf_token(client, "/plans/new")
    future = (date.today() + timedelta(days=400)).isoformat()
    refused = client.post(
        "/plans/new",
        data={
            "csrf_token": token,
            "enterprise_id": enterprise.id,
            "title": "商场综合应急预案",
            "plan_type": "comprehensive",
            "published_on": future,
        },
    )
    assert refused.status_code == 422
    assert 'data-field="published_on"' in refused.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Plan.id))) == 0
    made = client.post(
        "/plans/new",
        data={
            "csrf_token": token,
            "enterprise_id": enterprise.id,
            "title": "商场综合应急预案",
            "plan_type": "comprehensive",
        },
    )
    assert made.status_code == 302
    assert db.session.scalar(select(func.count(Plan.id))) == 1
