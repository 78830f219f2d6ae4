"""The plan workflow through the services: submit, file, return, revise, withdraw, numbers
under concurrency, permissions."""

from __future__ import annotations

import threading
from datetime import date

import pytest
from sqlalchemy import func, select

from responder.errors import Conflict, Forbidden, InvalidInput
from responder.models import AuditEntry, Plan, db
from responder.services import accounts, filing, plans
from responder.services.actors import SYSTEM
from tests.plans.conftest import actor, submit

TODAY = date(2024, 6, 3)  # a Monday


@pytest.fixture
def staff(make_enterprise):
    """An enterprise in the west county and a staff user acting for it."""
    enterprise = make_enterprise("hazchem_storage", name="西区化工")
    user = accounts.create_user(
        db.session, SYSTEM, username="staff", password="password123", role="enterprise_staff"
    )
    plans.link_staff(db.session, SYSTEM, user_id=user.id, enterprise_id=enterprise.id)
    db.session.commit()
    return enterprise, accounts.actor_for(user)


def draft(enterprise, who, **extra):
    data = {
        "enterprise_id": enterprise.id,
        "title": "综合应急预案",
        "plan_type": "comprehensive",
        "incident_types": ["hazchem_leak", "fire_explosion"],
        "published_on": date(2024, 5, 20),
        **extra,
    }
    return plans.create(db.session, who, data, today=TODAY)


def test_submit_file_revise_supersede(staff, region, rules):
    enterprise, member = staff
    clerk = actor("clerk", region.west.path)
    plan = draft(enterprise, member)
    submit(member, plan, rules, TODAY)
    filing.file_plan(db.session, clerk, plan, rules=rules, today=TODAY)
    db.session.commit()
    assert plan.status == "filed" and plan.filing_number == "330102-2024-0001"
    assert plan.filed_on == TODAY and plan.filing_authority_id == region.west.id
    assert not plan.filed_late

    new = plans.revise(db.session, member, plan, {"version": "2.0"}, today=TODAY)
    assert new.status == "draft" and new.supersedes_id == plan.id
    assert new.incident_types == ["fire_explosion", "hazchem_leak"]
    with pytest.raises(Conflict):
        plans.revise(db.session, member, plan, {"version": "3.0"}, today=TODAY)
    plans.update(db.session, member, new, {"published_on": TODAY}, today=TODAY)
    submit(member, new, rules, TODAY)
    assert plan.status == "filed"  # the old one stays in force until the new one is filed
    filing.file_plan(db.session, clerk, new, rules=rules, today=date(2024, 6, 5))
    db.session.commit()
    db.session.refresh(plan)
    assert new.filing_number == "330102-2024-0002"
    assert plan.status == "superseded" and plan.superseded_on == date(2024, 6, 5)
    assert plan.superseded_by_id == new.id
    actions = db.session.scalars(
        select(AuditEntry.action).where(AuditEntry.entity == "plan").order_by(AuditEntry.id)
    ).all()
    assert actions == [
        "create",
        "submit",
        "file",
        "revise",
        "update",
        "submit",
        "supersede",
        "file",
    ]


def test_return_with_reason_then_resubmit(staff, region, rules):
    enterprise, member = staff
    clerk = actor("clerk", region.west.path)
    plan = draft(enterprise, member)
    submit(member, plan, rules, TODAY)
    with pytest.raises(InvalidInput) as no_reason:
        plans.return_plan(db.session, clerk, plan, reason="  ", today=TODAY)
    assert no_reason.value.field == "reason"
    plans.return_plan(db.session, clerk, plan, reason="缺少风险评估报告", today=TODAY)
    assert plan.status == "returned" and plan.status_note == "缺少风险评估报告"
    with pytest.raises(Conflict):
        filing.file_plan(db.session, clerk, plan, rules=rules, today=TODAY)
    plans.update(db.session, member, plan, {"summary": "补充风险评估"}, today=TODAY)
    submit(member, plan, rules, TODAY)
    filing.file_plan(db.session, clerk, plan, rules=rules, today=TODAY)
    assert plan.status == "filed" and plan.filing_number.endswith("-0001")


def test_rules_of_the_workflow(staff, region, rules):
    enterprise, member = staff
    clerk = actor("clerk", region.west.path)
    unpublished = draft(enterprise, member, published_on=None)
    with pytest.raises(InvalidInput) as error:
        submit(member, unpublished, rules, TODAY)
    assert error.value.field == "published_on"
    with pytest.raises(InvalidInput):
        draft(enterprise, member, published_on=date(2030, 1, 1))
    plan = draft(enterprise, member)
    with pytest.raises(Conflict):  # not submitted yet
        filing.file_plan(db.session, clerk, plan, rules=rules, today=TODAY)
    submit(member, plan, rules, TODAY)
    with pytest.raises(InvalidInput):
        filing.file_plan(
            db.session, clerk, plan, rules=rules, today=TODAY, filed_on=date(2024, 5, 1)
        )  # before publication
    filing.file_plan(db.session, clerk, plan, rules=rules, today=TODAY)
    with pytest.raises(Conflict):  # a filed plan keeps its content
        plans.update(db.session, member, plan, {"title": "改名"}, today=TODAY)
    plans.update(db.session, member, plan, {"last_drill_on": TODAY}, today=TODAY)
    assert plan.last_drill_on == TODAY
    plans.withdraw(db.session, member, plan, reason="企业停产", today=TODAY)
    assert plan.status == "withdrawn" and plan.withdrawn_on == TODAY
    with pytest.raises(Conflict):
        plans.withdraw(db.session, member, plan, reason="again", today=TODAY)


def test_late_filing_is_flagged(staff, region, rules):
    enterprise, member = staff
    clerk = actor("clerk", region.west.path)
    # Published Friday 3 May 2024, a Labour Day holiday: counting starts after it, the
    # make-up Saturday 11 May counts, so the 20th working day is Thursday 30 May.
    on_time = draft(enterprise, member, published_on=date(2024, 5, 3))
    late = draft(
        enterprise, member, published_on=date(2024, 5, 3), title="专项预案", plan_type="special"
    )
    # Submitted on the last day, filed days later: on time (judged on submission).
    assert plans.due_dates(db.session, on_time, rules).filing_deadline == date(2024, 5, 30)
    submit(member, on_time, rules, date(2024, 5, 30))
    submit(member, late, rules, TODAY)
    assert late.filed_late and not on_time.filed_late  # known at submission already
    filing.file_plan(db.session, clerk, on_time, rules=rules, today=TODAY)
    filing.file_plan(db.session, clerk, late, rules=rules, today=TODAY)
    assert not on_time.filed_late and late.filed_late


def test_permissions(staff, region, make_enterprise, rules):
    enterprise, member = staff
    other = make_enterprise("hazchem_storage", county="west")
    with pytest.raises(Forbidden):  # staff act only for their own enterprise
        draft(other, member)
    with pytest.raises(Forbidden):
        plans.create(
            db.session,
            member,
            {
                "owner_kind": "government",
                "owner_body": "应急管理局",
                "jurisdiction_id": region.west.id,
                "title": "专项",
                "plan_type": "special",
            },
            today=TODAY,
        )
    plan = draft(enterprise, member)
    submit(member, plan, rules, TODAY)
    with pytest.raises(Forbidden):  # staff do not file
        filing.file_plan(db.session, member, plan, rules=rules, today=TODAY)
    east_clerk = actor("clerk", region.east.path)
    with pytest.raises(Forbidden) as outside:  # a county clerk cannot file for another county
        filing.file_plan(db.session, east_clerk, plan, rules=rules, today=TODAY)
    assert outside.value.field == "jurisdiction"
    with pytest.raises(Forbidden):
        plans.return_plan(db.session, east_clerk, plan, reason="no", today=TODAY)
    with pytest.raises(Forbidden):
        filing.file_plan(db.session, actor("operator"), plan, rules=rules, today=TODAY)
    city_clerk = actor("clerk", region.city.path)  # the city covers its counties
    filing.file_plan(db.session, city_clerk, plan, rules=rules, today=TODAY)
    assert plan.filing_number == "330102-2024-0001"


def test_government_plan_and_dovetailing(staff, region, rules):
    enterprise, member = staff
    clerk = actor("clerk", region.west.path)
    special = plans.create(
        db.session,
        clerk,
        {
            "owner_kind": "government",
            "owner_body": "西区应急管理局",
            "title": "危化品事故专项应急预案",
            "plan_type": "special",
            "jurisdiction_id": region.west.id,
            "incident_types": ["hazchem_leak"],
            "published_on": date(2024, 5, 2),
        },
        today=TODAY,
    )
    plan = draft(enterprise, member, parent_plan_ids=[special.id])
    assert plan.parent_plan_ids == [special.id]
    with pytest.raises(InvalidInput) as missing:
        draft(enterprise, member, parent_plan_ids=[99999])
    assert missing.value.field == "parent_plan_ids"
    submit(clerk, special, rules, TODAY)
    # Government plans file with the same-level government, copied one level up, and
    # within 20 working days of issuance too: issued Thu 2 May 2024, the Labour Day
    # holiday (1–5 May) and the make-up Saturday 11 May put the deadline on 30 May.
    assert filing.authority_for(special).id == region.west.id
    assert filing.copy_to(special).id == region.city.id
    assert plans.due_dates(db.session, special, rules).filing_deadline == date(2024, 5, 30)
    filing.file_plan(db.session, clerk, special, rules=rules, today=TODAY)
    assert special.filed_late  # submitted 3 June


def test_numbers_are_gap_free_under_concurrent_filing(app, staff, region, rules):
    """Twelve clerks file twelve plans at once (plus two race for the same plan): the
    numbers are exactly 1..12, and the doubly-filed plan gets one number."""
    enterprise, member = staff
    ids = []
    for index in range(12):
        plan = draft(enterprise, member, title=f"现场处置方案{index}", plan_type="on_site")
        submit(member, plan, rules, TODAY)
        ids.append(plan.id)
    db.session.commit()
    clerk = actor("clerk", region.west.path)
    work = [*ids, ids[0]]  # the first plan is filed twice at once
    barrier = threading.Barrier(len(work))
    results: list[str] = []
    errors: list[Exception] = []

    def file_one(plan_id: int) -> None:
        with app.app_context():
            try:
                plan = db.session.get(Plan, plan_id)
                barrier.wait()
                filing.file_plan(db.session, clerk, plan, rules=rules, today=TODAY)
                db.session.commit()
                results.append(plan.filing_number)
            except Exception as exc:  # collected and asserted below
                db.session.rollback()
                errors.append(exc)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=file_one, args=(plan_id,)) for plan_id in work]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [type(e) for e in errors] == [Conflict], errors
    assert sorted(results) == [f"330102-2024-{n:04d}" for n in range(1, 13)]
    db.session.rollback()  # end the main thread's snapshot; read what the threads wrote
    stored = db.session.scalars(select(Plan.filing_number).where(Plan.id.in_(ids))).all()
    assert sorted(stored) == sorted(results)
    assert (
        db.session.scalar(select(func.count(AuditEntry.id)).where(AuditEntry.action == "file"))
        == 12
    )
