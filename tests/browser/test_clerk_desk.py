"""The clerk's desk in Chromium, with two people in two browser contexts: the clerk returns
the oldest submission for a missing material, the enterprise's staff member uploads it
and resubmits, the clerk files it, and the dashboard and the missing list move by exactly
that one enterprise."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from flask import Flask

from responder.models import Enterprise, db
from responder.services import accounts
from responder.services import plans as plan_service
from responder.services.actors import SYSTEM
from responder.services.workdays import today_in
from tests.fixtures.browser import ARTIFACTS, PASSWORD, sign_in
from tests.plans.conftest import attach_materials

pytestmark = pytest.mark.browser
PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def _enterprise(name: str, industry: str, county: Any, code: str) -> Enterprise:
    enterprise = Enterprise(
        name=name,
        credit_code=code,
        industry=industry,
        jurisdiction_id=county.id,
        lon=120.05,
        lat=30.05,
    )
    db.session.add(enterprise)
    db.session.flush()
    return enterprise


def _submitted(enterprise: Enterprise, rules: Any, day: date, *, skip: tuple[str, ...]) -> int:
    plan = plan_service.create(
        db.session,
        SYSTEM,
        {
            "enterprise_id": enterprise.id,
            "title": f"{enterprise.name}综合应急预案",
            "plan_type": "comprehensive",
            "published_on": day,
        },
        today=day,
    )
    attach_materials(plan, rules, skip=skip)
    plan_service.submit(db.session, SYSTEM, plan, rules=rules, today=day)
    return plan.id


@pytest.fixture
def desk(app: Flask, region: Any) -> dict[str, Any]:
    """Two west hazchem stores with submissions (the older lacks its risk assessment), a
    west clerk, and a staff member acting for the older one's enterprise."""
    rules = app.extensions["responder.rules"]
    today = today_in(app.config["TIMEZONE"])
    store = _enterprise(
        "西区化工储运有限公司", "hazchem_storage", region.west, "91330102MA0000A001"
    )
    other = _enterprise("西区液化气有限公司", "hazchem_storage", region.west, "91330102MA0000A002")
    older = _submitted(store, rules, today - timedelta(days=2), skip=("risk_assessment",))
    _submitted(other, rules, today - timedelta(days=1), skip=())
    accounts.create_user(
        db.session,
        SYSTEM,
        username="west_clerk",
        password=PASSWORD,
        role="clerk",
        jurisdiction_code=region.west.code,
    )
    staff = accounts.create_user(
        db.session, SYSTEM, username="store_staff", password=PASSWORD, role="enterprise_staff"
    )
    plan_service.link_staff(db.session, SYSTEM, user_id=staff.id, enterprise_id=store.id)
    db.session.commit()
    return {"plan_id": older, "store": store, "industry": "hazchem_storage"}


def _counts(page: Any, region: Any, industry: str) -> tuple[int, int, int]:
    """(filed in the industry row, filed in the west row, missing total) on the dashboard."""
    page.goto(f"{page.base}/filing?jurisdiction_id={region.west.id}")
    industry_filed = page.locator(f"#filing-by-industry tr[data-key='{industry}'] td.filed")
    west_filed = page.locator(f"#filing-by-jurisdiction tr[data-key='{region.west.id}'] td.filed")
    missing = page.locator("#filing-total a.missing-link")
    return int(industry_filed.inner_text()), int(west_filed.inner_text()), int(missing.inner_text())


def _missing_rows(page: Any, region: Any) -> set[str]:
    page.goto(f"{page.base}/filing/lists/missing?jurisdiction_id={region.west.id}")
    rows = page.locator("#filing-list tbody tr")
    return {rows.nth(i).get_attribute("data-enterprise") for i in range(rows.count())}


def test_return_fix_resubmit_file(
    browser: Any, page: Any, live_server: str, region: Any, desk: Any
) -> None:
    clerk = page
    sign_in(clerk, "west_clerk")
    before = _counts(clerk, region, desk["industry"])
    missing_before = _missing_rows(clerk, region)
    store_id = str(desk["store"].id)
    assert store_id in missing_before

    # The clerk opens the queue and the oldest submission: a material is missing.
    clerk.goto(f"{clerk.base}/filing/queue")
    first = clerk.locator("#review-queue tbody tr").first
    assert first.get_attribute("data-id") == str(desk["plan_id"])
    first.locator("a").click()
    clerk.wait_for_url(f"**/plans/{desk['plan_id']}")
    assert clerk.locator("li.missing[data-material='risk_assessment']").count() == 1
    clerk.fill("#return-form textarea[name=reason]", "缺少风险评估结果")
    clerk.click("#return-form button[type=submit]")
    assert "已退回" in clerk.locator(".flash.success").inner_text()
    clerk.screenshot(path=str(ARTIFACTS / "clerk_desk_returned.png"), full_page=True)

    # The enterprise's staff member, in a browser context of their own, fixes it.
    context = browser.new_context(viewport={"width": 390, "height": 900}, locale="zh-CN")
    staff = context.new_page()
    staff.base = live_server
    try:
        sign_in(staff, "store_staff")
        staff.goto(f"{live_server}/plans/{desk['plan_id']}")
        assert "缺少风险评估结果" in staff.locator("#return-reason").inner_text()
        staff.select_option("#upload-form select[name=material]", "risk_assessment")
        staff.set_input_files(
            "#upload-form input[name=file]",
            {"name": "风险评估.pdf", "mimeType": "application/pdf", "buffer": PDF},
        )
        staff.click("#upload-form button[type=submit]")
        assert staff.locator("li.missing").count() == 0
        staff.click("#submit-form button[type=submit]")
        assert "已报送" in staff.locator(".flash.success").inner_text()
        staff.screenshot(path=str(ARTIFACTS / "clerk_desk_resubmitted.png"), full_page=True)
    finally:
        context.close()

    # The clerk files it.
    clerk.goto(f"{clerk.base}/plans/{desk['plan_id']}")
    clerk.click("#file-form button[type=submit]")
    assert "已备案" in clerk.locator(".flash.success").inner_text()
    assert clerk.locator("#filing-number").inner_text().startswith(region.west.code)

    after = _counts(clerk, region, desk["industry"])
    assert after == (before[0] + 1, before[1] + 1, before[2] - 1)
    assert _missing_rows(clerk, region) == missing_before - {store_id}
    assert clerk.log.problems() == []
