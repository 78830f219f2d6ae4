"""The filing rules over the real State Council calendar, with hand-worked dates: the
20-working-day deadline, the authority's 5-working-day check and deemed filing, the
evaluation and drill cycles (month-end clamping), and who is on each list."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import pytest

from responder.errors import Conflict
from responder.models import Plan, db
from responder.rules import load_rules
from responder.services import filing, filing_rates, plan_records, plans
from responder.services.workdays import (
    add_months,
    add_working_days,
    calendar_warnings,
    check_deadline,
    deadline_offsets,
    deemed_filed_on,
    filing_deadline,
    is_late,
    is_working_day,
)
from tests.plans.conftest import actor, attach_materials

RULES = load_rules()
D = date


# --- the calendar ---------------------------------------------------------------------------


def test_the_shipped_calendar_has_the_notices_days():
    # 2024 National Day 1–7 Oct off, Sun 29 Sep and Sat 12 Oct worked.
    assert not is_working_day(D(2024, 10, 7), RULES)
    assert is_working_day(D(2024, 9, 29), RULES) and is_working_day(D(2024, 10, 12), RULES)
    # 2025 Spring Festival 28 Jan – 4 Feb off, Sun 26 Jan and Sat 8 Feb worked.
    assert not is_working_day(D(2025, 2, 4), RULES)
    assert is_working_day(D(2025, 1, 26), RULES) and is_working_day(D(2025, 2, 8), RULES)
    # 2026 (国办发明电〔2025〕7号): Spring Festival 15–23 Feb off, Sat 14 and 28 Feb worked.
    assert not is_working_day(D(2026, 2, 23), RULES)
    assert is_working_day(D(2026, 2, 28), RULES) and is_working_day(D(2026, 1, 4), RULES)
    assert sorted(RULES.calendar_years) == [2024, 2025, 2026]
    assert all(year.verified for year in RULES.calendar_years.values())


def test_twenty_working_days_across_national_day_2024():
    # Fri 20 Sep: 5 days to 27 Sep, Sun 29 Sep and Mon 30 Sep (7), 1–7 Oct off, 8–11 Oct
    # (11), Sat 12 Oct (12), 14–18 Oct (17), 21–23 Oct (20).
    assert filing_deadline(D(2024, 9, 20), RULES) == D(2024, 10, 23)
    assert not is_late(D(2024, 9, 20), D(2024, 10, 23), RULES)
    assert is_late(D(2024, 9, 20), D(2024, 10, 24), RULES)


@pytest.mark.parametrize("working_days", [20, 5, 1])
def test_deadline_offsets_give_every_deadline(working_days):
    """The form the days-late sort hands to SQL is the deadline itself, day for day, from
    before the shipped calendar to after it (its weekday offsets and its moved dates)."""
    rules = replace(RULES, working_days_to_file=working_days)
    offsets = deadline_offsets(rules)
    day, moved = D(2023, 10, 1), 0
    while day <= D(2027, 3, 1):
        deadline = filing_deadline(day, rules)
        assert day + timedelta(days=offsets.days_to_deadline(day)) == deadline, day
        moved += day in offsets.moved
        day += timedelta(days=1)
    assert moved == len(offsets.moved) and moved > 20  # the calendar moves some, not all
    if working_days == 20:  # hand-worked below: Fri 20 Sep 2024 → Wed 23 Oct, not Fri 18 Oct
        assert offsets.by_weekday == (28, 28, 28, 28, 28, 27, 26)
        assert offsets.moved[D(2024, 9, 20)] == 33


def test_twenty_working_days_across_spring_festival_2025():
    # Mon 20 Jan: 21–24 Jan (4), Sun 26 Jan (5), Mon 27 Jan (6), 28 Jan – 4 Feb off,
    # 5–7 Feb (9), Sat 8 Feb (10), 10–14 Feb (15), 17–21 Feb (20).
    assert filing_deadline(D(2025, 1, 20), RULES) == D(2025, 2, 21)


def test_a_plan_published_on_a_holiday():
    # Thu 3 Oct 2024 is a National Day holiday: counting starts Tue 8 Oct; Sat 12 Oct is
    # worked; the 20th working day is Fri 1 Nov.
    assert filing_deadline(D(2024, 10, 3), RULES) == D(2024, 11, 1)


def test_the_check_window_ending_after_a_weekend():
    # Submitted Thu 7 Mar 2024: Fri 8 (1), Mon 11 – Thu 14 (5); deemed filed Fri 15 Mar.
    assert check_deadline(D(2024, 3, 7), RULES) == D(2024, 3, 14)
    assert deemed_filed_on(D(2024, 3, 7), RULES) == D(2024, 3, 15)
    # Submitted Wed 5 Jun 2024: Thu 6, Fri 7, the weekend, Mon 10 Jun is Dragon Boat
    # Festival, then Tue 11 – Thu 13 (5).
    assert check_deadline(D(2024, 6, 5), RULES) == D(2024, 6, 13)


def test_calendar_warnings_for_the_current_and_next_year(tmp_path):
    assert calendar_warnings(RULES, D(2025, 6, 1)) == []
    assert [(w.year, w.problem) for w in calendar_warnings(RULES, D(2026, 12, 1))] == [
        (2027, "missing")
    ]
    path = tmp_path / "rules.toml"
    path.write_text('[calendar.2027]\nsource = "draft"\nverified = false\nholidays = []\n')
    warned = calendar_warnings(load_rules(path), D(2026, 12, 1))
    assert [(w.year, w.problem) for w in warned] == [(2027, "unverified")]


def test_a_rules_file_adds_loose_days_and_ranges(tmp_path):
    path = tmp_path / "rules.toml"
    path.write_text('[filing]\nworking_days_to_file = 2\nholidays = ["2023-10-02..2023-10-03"]\n')
    rules = load_rules(path)
    assert filing_deadline(D(2023, 9, 29), rules) == D(2023, 10, 5)
    assert add_working_days(D(2023, 9, 29), 1, rules) == D(2023, 10, 2) + timedelta(days=2)


def test_add_months_clamps_to_the_month_end():
    assert add_months(D(2023, 8, 31), 6) == D(2024, 2, 29)
    assert add_months(D(2024, 2, 29), 36) == D(2027, 2, 28)
    assert add_months(D(2024, 1, 15), -13) == D(2022, 12, 15)


# --- who is on which list -------------------------------------------------------------------


def test_who_must_file(make_enterprise, rules):
    listed = {
        "crowded_place": True,
        "urban_rail": True,
        "construction": True,
        "hazchem_operation": True,
        "hazchem_use": False,  # not on the national list
        "industry_trade": False,
    }
    for industry, expected in listed.items():
        assert plans.is_required_unit(make_enterprise(industry), rules) is expected, industry
    assert plans.is_required_unit(make_enterprise("industry_trade", grades=(3,)), rules)
    province = replace(rules, required_industries=rules.required_industries | {"hazchem_use"})
    assert plans.is_required_unit(make_enterprise("hazchem_use"), province)


def test_the_province_switch_for_chemical_users(tmp_path):
    path = tmp_path / "rules.toml"
    path.write_text("[filing]\nhazchem_users_must_file = true\n")
    assert "hazchem_use" in load_rules(path).required_industries
    assert "hazchem_use" not in RULES.required_industries


def test_who_evaluates_every_three_years(make_enterprise, rules):
    assert plans.evaluates(make_enterprise("non_coal_mine"), rules)
    assert plans.evaluates(make_enterprise("hazchem_operation"), rules)
    assert not plans.evaluates(make_enterprise("crowded_place"), rules)  # files, no cycle
    assert not plans.evaluates(make_enterprise("hazchem_use"), rules)
    assert plans.evaluates(make_enterprise("hazchem_use", grades=(4,)), rules)  # above quantity
    assert plans.evaluates(make_enterprise("industry_trade", scale="above"), rules)
    assert not plans.evaluates(make_enterprise("industry_trade", scale="below"), rules)


def test_how_often_each_plan_is_drilled(make_enterprise, make_plan, region, rules):
    trade = make_enterprise("industry_trade")
    mall = make_enterprise("crowded_place")
    assert plans.drill_months(make_plan(trade, filed_on=D(2024, 1, 2)), rules) == 12
    assert plans.drill_months(make_plan(mall, filed_on=D(2024, 1, 2)), rules) == 6
    on_site = make_plan(trade, filed_on=D(2024, 1, 2), plan_type="on_site")
    assert plans.drill_months(on_site, rules) == 6
    government = Plan(
        owner_kind="government",
        owner_body="西区应急管理局",
        jurisdiction_id=region.west.id,
        title="总体应急预案",
        plan_type="comprehensive",
        status="filed",
        published_on=D(2024, 1, 2),
        filed_on=D(2024, 1, 10),
    )
    db.session.add(government)
    db.session.flush()
    assert plans.drill_months(government, rules) == 24
    assert plans.due_dates(db.session, government, rules).next_drill_due == D(2026, 1, 2)


def test_required_materials_per_owner(make_enterprise, make_plan, rules):
    mall = make_plan(make_enterprise("crowded_place"), filed_on=D(2024, 1, 2))
    assert plans.required_materials(mall, rules) == (
        "application_form",
        "review_opinion",
        "plan_text",
        "risk_assessment",
        "resource_survey",
    )
    # A unit not bound to file need not hold a review opinion.
    trade = make_plan(make_enterprise("industry_trade"), filed_on=D(2024, 1, 2))
    assert "review_opinion" not in plans.required_materials(trade, rules)
    government = Plan(owner_kind="government", plan_type="special")
    assert plans.required_materials(government, rules) == ("plan_text", "drafting_notes")


# --- due dates and the overdue lists ----------------------------------------------------------


def test_due_dates_clamp_at_month_ends(make_enterprise, make_plan, rules):
    mine = make_enterprise("non_coal_mine")
    plan = make_plan(mine, filed_on=D(2024, 3, 1), published_on=D(2024, 2, 29))
    due = plans.due_dates(db.session, plan, rules)
    assert due.next_evaluation_due == D(2027, 2, 28)  # 29 Feb + 3 years
    assert due.next_drill_due == D(2024, 8, 29)  # an Art 7 unit: half-yearly
    scheme = make_plan(
        make_enterprise("industry_trade"),
        filed_on=D(2024, 9, 2),
        published_on=D(2024, 8, 31),
        plan_type="on_site",
    )
    assert plans.due_dates(db.session, scheme, rules).next_drill_due == D(2025, 2, 28)
    yearly = make_plan(
        make_enterprise("industry_trade"), filed_on=D(2024, 3, 1), published_on=D(2024, 2, 29)
    )
    assert plans.due_dates(db.session, yearly, rules).next_drill_due == D(2025, 2, 28)
    assert plans.due_dates(db.session, yearly, rules).next_evaluation_due is None


def test_overdue_evaluation_list(make_enterprise, make_plan, rules):
    mine = make_enterprise("non_coal_mine", name="矿")
    old = make_plan(mine, filed_on=D(2021, 3, 1), published_on=D(2021, 2, 20))
    make_plan(make_enterprise("crowded_place"), filed_on=D(2020, 1, 10))  # no cycle
    db.session.commit()
    day = D(2024, 6, 30)
    listed = filing_rates.listing(db.session, "overdue_evaluation", day=day, rules=rules)
    assert [row["plan_id"] for row in listed.rows] == [old.id]
    assert listed.rows[0]["due"] == D(2024, 2, 20)
    assert listed.rows[0]["days_overdue"] == (day - D(2024, 2, 20)).days


def test_overdue_drill_list_counts_one_drill_per_enterprise(make_enterprise, make_plan, rules):
    trade = make_enterprise("industry_trade", name="工贸")
    comprehensive = make_plan(trade, filed_on=D(2023, 1, 10))
    special = make_plan(trade, filed_on=D(2023, 1, 10), plan_type="special")
    scheme = make_plan(trade, filed_on=D(2023, 1, 10), plan_type="on_site")
    db.session.commit()
    day = D(2024, 6, 30)
    rows = filing_rates.listing(db.session, "overdue_drill", day=day, rules=rules).rows
    assert sorted((r["scope"], r["plan_id"]) for r in rows) == [
        ("enterprise", max(comprehensive.id, special.id)),
        ("on_site", scheme.id),
    ]
    # A drill of the special plan is the enterprise's yearly drill: both plans are current.
    plan_records.record_drill(
        db.session,
        actor("clerk"),
        plan_ids=[special.id],
        held_on=D(2024, 5, 10),
        kind="live",
        today=day,
        participants=40,
    )
    db.session.commit()
    rows = filing_rates.listing(db.session, "overdue_drill", day=day, rules=rules).rows
    assert [(r["scope"], r["plan_id"]) for r in rows] == [("on_site", scheme.id)]
    assert plans.due_dates(db.session, comprehensive, rules).next_drill_due == D(2025, 5, 10)


@pytest.mark.parametrize("base", [D(2023, 8, 29), D(2023, 8, 31), D(2024, 2, 29)])
def test_overdue_list_agrees_with_the_due_date_every_day(make_enterprise, make_plan, rules, base):
    """The list's SQL cutoff and the displayed due date must never disagree."""
    enterprise = make_enterprise("coal_mine")
    plan = make_plan(enterprise, filed_on=base, published_on=base)
    db.session.commit()
    due = plans.due_dates(db.session, plan, rules).next_drill_due
    for offset in range(-3, 4):
        day = due + timedelta(days=offset)
        listed = filing_rates.listing(db.session, "overdue_drill", day=day, rules=rules).total
        assert listed == (1 if due < day else 0), (day, due)


def test_an_evaluation_record_moves_the_due_date(make_enterprise, make_plan, rules):
    mine = make_enterprise("non_coal_mine")
    plan = make_plan(mine, filed_on=D(2021, 3, 1), published_on=D(2021, 2, 20))
    db.session.commit()
    record = plan_records.record_evaluation(
        db.session,
        actor("clerk"),
        plan_id=plan.id,
        held_on=D(2024, 4, 30),
        conclusion="预案基本适用，通讯录需更新",
        revision_needed=True,
        today=D(2024, 6, 30),
    )
    db.session.commit()
    assert record.revision_needed and plan.last_evaluated_on == D(2024, 4, 30)
    assert plans.due_dates(db.session, plan, rules).next_evaluation_due == D(2027, 4, 30)
    listed = filing_rates.listing(db.session, "overdue_evaluation", day=D(2024, 6, 30), rules=rules)
    assert listed.total == 0


# --- deemed filing --------------------------------------------------------------------------


def test_a_complete_submission_left_unanswered_is_deemed_filed(make_enterprise, region, rules):
    mall = make_enterprise("crowded_place", name="商场")
    clerk = actor("clerk", region.west.path)
    plan = plans.create(
        db.session,
        clerk,
        {
            "enterprise_id": mall.id,
            "title": "综合应急预案",
            "plan_type": "comprehensive",
            "published_on": D(2024, 3, 1),
        },
        today=D(2024, 3, 7),
    )
    attach_materials(plan, rules)
    plans.submit(db.session, clerk, plan, rules=rules, today=D(2024, 3, 7))
    db.session.commit()
    assert plan.deemed_filed_on == D(2024, 3, 15)
    assert plans.filing_state(plan, D(2024, 3, 14)) == "awaiting_check"
    assert plans.filing_state(plan, D(2024, 3, 15)) == "deemed_filed"
    total = [
        filing_rates.total(db.session, day=d, rules=rules).filed
        for d in (D(2024, 3, 14), D(2024, 3, 15))
    ]
    assert total == [0, 1]
    trend = filing_rates.totals_on(db.session, [D(2024, 3, 14), D(2024, 3, 31)], rules=rules)
    assert [p.filed for p in trend] == [0, 1]
    missing = filing_rates.listing(db.session, "missing", day=D(2024, 3, 15), rules=rules)
    assert missing.total == 0
    with pytest.raises(Conflict):  # too late to return it
        plans.return_plan(db.session, clerk, plan, reason="晚了", today=D(2024, 3, 15))
    filing.file_plan(db.session, clerk, plan, rules=rules, today=D(2024, 3, 20))
    db.session.commit()
    assert plan.status == "filed" and not plan.filed_late
    assert filing_rates.total(db.session, day=D(2024, 3, 16), rules=rules).filed == 1


def test_an_incomplete_submission_is_never_deemed_filed(make_enterprise, region, rules):
    mall = make_enterprise("crowded_place")
    clerk = actor("clerk", region.west.path)
    plan = plans.create(
        db.session,
        clerk,
        {
            "enterprise_id": mall.id,
            "title": "综合应急预案",
            "plan_type": "comprehensive",
            "published_on": D(2024, 3, 1),
        },
        today=D(2024, 3, 7),
    )
    attach_materials(plan, rules, skip=("risk_assessment",))
    plans.submit(db.session, clerk, plan, rules=rules, today=D(2024, 3, 7))
    db.session.commit()
    assert plan.deemed_filed_on is None
    assert plans.missing_materials(db.session, plan, rules) == ["risk_assessment"]
    assert plans.filing_state(plan, D(2024, 6, 1)) == "incomplete"
    assert filing_rates.total(db.session, day=D(2024, 6, 1), rules=rules).filed == 0
    plans.return_plan(db.session, clerk, plan, reason="缺风险评估", today=D(2024, 6, 1))
    assert plan.status == "returned"
