"""The working-day rule, evaluation and drill due dates, and the overdue lists."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import pytest

from responder.models import db
from responder.rules import load_rules
from responder.services import filing_rates, plans
from responder.services.workdays import add_months, add_working_days, filing_deadline, is_late

RULES = load_rules()


def test_working_days_skip_weekends():
    friday = date(2024, 5, 3)
    assert add_working_days(friday, 1, RULES) == date(2024, 5, 6)  # Monday
    assert add_working_days(friday, 5, RULES) == date(2024, 5, 10)
    assert filing_deadline(friday, RULES) == date(2024, 5, 31)  # 20 working days
    assert not is_late(friday, date(2024, 5, 31), RULES)
    assert is_late(friday, date(2024, 6, 1), RULES)
    assert not is_late(None, date(2030, 1, 1), RULES)  # unpublished: nothing to be late for


def test_holidays_and_make_up_workdays_come_from_the_rules():
    # Labour Day 2024: 1–5 May off, Sunday 28 April and Saturday 11 May worked.
    rules = replace(
        RULES,
        holidays=frozenset(date(2024, 5, d) for d in range(1, 6)),
        workdays=frozenset({date(2024, 4, 28), date(2024, 5, 11)}),
    )
    assert add_working_days(date(2024, 4, 26), 1, rules) == date(2024, 4, 28)  # make-up Sunday
    assert add_working_days(date(2024, 4, 30), 1, rules) == date(2024, 5, 6)  # over the holiday
    assert add_working_days(date(2024, 5, 10), 1, rules) == date(2024, 5, 11)
    assert filing_deadline(date(2024, 4, 30), rules) > filing_deadline(date(2024, 4, 30), RULES)


def test_rules_file_overrides_the_holiday_list(tmp_path):
    path = tmp_path / "rules.toml"
    path.write_text('[filing]\nholidays = ["2024-10-01"]\nworking_days_to_file = 2\n')
    rules = load_rules(path)
    assert rules.holidays == frozenset({date(2024, 10, 1)})
    assert filing_deadline(date(2024, 9, 30), rules) == date(2024, 10, 3)


def test_add_months_clamps_to_the_month_end():
    assert add_months(date(2023, 8, 31), 6) == date(2024, 2, 29)
    assert add_months(date(2024, 2, 29), 36) == date(2027, 2, 28)
    assert add_months(date(2024, 1, 15), -13) == date(2022, 12, 15)


def test_due_dates_for_high_risk_and_other_enterprises(make_enterprise, make_plan, rules):
    mine = make_enterprise("non_coal_mine")
    plan = make_plan(mine, filed_on=date(2024, 3, 1), published_on=date(2024, 2, 20))
    due = plans.due_dates(plan, rules)
    assert due.next_evaluation_due == date(2027, 2, 20)
    assert due.next_drill_due == date(2024, 8, 20)
    plan.last_drill_on = date(2024, 7, 1)
    plan.last_evaluated_on = date(2025, 1, 10)
    due = plans.due_dates(plan, rules)
    assert (due.next_drill_due, due.next_evaluation_due) == (date(2025, 1, 1), date(2028, 1, 10))
    # hazchem_use is required to file but is not on the high-risk cycle list.
    user = make_enterprise("hazchem_use")
    other = plans.due_dates(make_plan(user, filed_on=date(2024, 3, 1)), rules)
    assert other.next_evaluation_due is None and other.next_drill_due is None


def test_overdue_lists(make_enterprise, make_plan, rules):
    mine = make_enterprise("non_coal_mine", name="矿")
    old = make_plan(mine, filed_on=date(2021, 3, 1), published_on=date(2021, 2, 20))
    drilled = make_enterprise("fireworks", name="烟花")
    make_plan(drilled, filed_on=date(2024, 1, 10), last_drill_on=date(2024, 5, 1))
    not_high_risk = make_enterprise("hazchem_use")
    make_plan(not_high_risk, filed_on=date(2020, 1, 10))
    db.session.commit()
    day = date(2024, 6, 30)
    evaluation = filing_rates.listing(db.session, "overdue_evaluation", day=day, rules=rules)
    assert [row["plan_id"] for row in evaluation.rows] == [old.id]
    assert evaluation.rows[0]["due"] == date(2024, 2, 20)
    assert evaluation.rows[0]["days_overdue"] == (day - date(2024, 2, 20)).days
    drill = filing_rates.listing(db.session, "overdue_drill", day=day, rules=rules)
    assert [row["plan_id"] for row in drill.rows] == [old.id]  # never drilled since 2021
    later = filing_rates.listing(db.session, "overdue_drill", day=date(2024, 11, 2), rules=rules)
    assert {row["enterprise_id"] for row in later.rows} == {mine.id, drilled.id}


@pytest.mark.parametrize("base", [date(2023, 8, 29), date(2023, 8, 31), date(2024, 2, 29)])
def test_overdue_list_agrees_with_the_due_date_every_day(make_enterprise, make_plan, rules, base):
    """The list's SQL cutoff and the displayed due date must never disagree."""
    enterprise = make_enterprise("coal_mine")
    plan = make_plan(enterprise, filed_on=base, published_on=base)
    db.session.commit()
    due = plans.due_dates(plan, rules).next_drill_due
    for offset in range(-3, 4):
        day = due + timedelta(days=offset)
        listed = filing_rates.listing(db.session, "overdue_drill", day=day, rules=rules).total
        assert listed == (1 if due < day else 0), (day, due)
