"""The derived coverage spans stay in step with the plans through the workflow (file,
supersede, withdraw), direct ORM writes and rollbacks, and the rates read from them agree
with the plans on days before and after each change."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import delete, select

from responder.models import Plan, PlanCoverage, db
from responder.models.plans import OPEN_END
from responder.services import accounts, filing, filing_rates, plan_coverage, plans
from responder.services.actors import SYSTEM
from tests.plans.conftest import actor, submit

D = date


def stored() -> dict[int, list[tuple[date, date]]]:
    """The spans in the table, per enterprise."""
    table: dict[int, list[tuple[date, date]]] = {}
    rows = db.session.execute(
        select(PlanCoverage.enterprise_id, PlanCoverage.starts_on, PlanCoverage.ends_on).order_by(
            PlanCoverage.enterprise_id, PlanCoverage.starts_on
        )
    )
    for enterprise_id, start, end in rows:
        table.setdefault(enterprise_id, []).append((start, end))
    return table


def derived(rules) -> dict[int, list[tuple[date, date]]]:
    """The spans recomputed from every plan, the definition the table must match."""
    by_enterprise: dict[int, list[tuple[date, date | None, date | None]]] = {}
    for plan in db.session.scalars(select(Plan).where(Plan.enterprise_id.is_not(None))):
        start = plan_coverage.in_force_from(plan.filed_on, plan.deemed_filed_on)
        if start is not None and plan.plan_type in rules.counted_plan_types:
            by_enterprise.setdefault(plan.enterprise_id, []).append(
                (start, plan.superseded_on, plan.withdrawn_on)
            )
    merged = {e: plan_coverage.spans(v) for e, v in by_enterprise.items()}
    return {e: v for e, v in merged.items() if v}


def covered_on(day: date, rules) -> int:
    return filing_rates.total(db.session, day=day, rules=rules).filed


# --- the merge itself ---------------------------------------------------------------------


def test_spans_merge_overlapping_and_touching_and_drop_empty():
    assert plan_coverage.spans(
        [
            (D(2024, 3, 1), None, None),  # open
            (D(2023, 1, 1), D(2023, 6, 1), None),  # ends where the next starts: one span
            (D(2023, 6, 1), D(2023, 9, 1), None),
            (D(2023, 8, 1), None, D(2023, 10, 1)),  # overlaps, withdrawn later
            (D(2024, 1, 1), D(2024, 1, 1), None),  # superseded the day it was filed: empty
        ]
    ) == [(D(2023, 1, 1), D(2023, 10, 1)), (D(2024, 3, 1), OPEN_END)]
    assert plan_coverage.spans([(D(2023, 1, 1), D(2023, 5, 1), D(2023, 3, 1))]) == [
        (D(2023, 1, 1), D(2023, 3, 1))  # the earlier of superseded and withdrawn ends it
    ]
    assert plan_coverage.spans([]) == []


# --- the workflow -------------------------------------------------------------------------


@pytest.fixture
def member(make_enterprise):
    enterprise = make_enterprise("hazchem_storage", name="西区化工")
    user = accounts.create_user(
        db.session, SYSTEM, username="staff", password="password123", role="enterprise_staff"
    )
    plans.link_staff(db.session, SYSTEM, user_id=user.id, enterprise_id=enterprise.id)
    db.session.commit()
    return enterprise, accounts.actor_for(user)


def _filed(enterprise, who, clerk, rules, *, published, filed, plan_type="comprehensive"):
    plan = plans.create(
        db.session,
        who,
        {
            "enterprise_id": enterprise.id,
            "title": "综合应急预案",
            "plan_type": plan_type,
            "published_on": published,
        },
        today=filed,
    )
    submit(who, plan, rules, filed)
    filing.file_plan(db.session, clerk, plan, rules=rules, today=filed)
    db.session.commit()
    return plan


def test_file_supersede_withdraw_keep_spans_and_rates(member, region, rules):
    enterprise, who = member
    clerk = actor("clerk", region.west.path)
    assert stored() == {} and covered_on(D(2024, 6, 30), rules) == 0

    first = _filed(enterprise, who, clerk, rules, published=D(2024, 1, 2), filed=D(2024, 1, 10))
    assert stored() == {enterprise.id: [(D(2024, 1, 10), OPEN_END)]} == derived(rules)
    assert covered_on(D(2024, 1, 9), rules) == 0  # as of the day before filing
    assert covered_on(D(2024, 1, 10), rules) == 1

    # A new version filed on 5 June supersedes the first: covered without a gap.
    new = plans.revise(db.session, who, first, {"version": "2.0"}, today=D(2024, 6, 1))
    plans.update(db.session, who, new, {"published_on": D(2024, 6, 1)}, today=D(2024, 6, 1))
    submit(who, new, rules, D(2024, 6, 5))
    filing.file_plan(db.session, clerk, new, rules=rules, today=D(2024, 6, 5))
    db.session.commit()
    db.session.refresh(first)
    assert first.superseded_on == D(2024, 6, 5)
    assert stored() == {enterprise.id: [(D(2024, 1, 10), OPEN_END)]} == derived(rules)
    assert [covered_on(day, rules) for day in (D(2024, 6, 4), D(2024, 6, 5))] == [1, 1]

    # Withdrawn on 20 June: covered up to the day before, not on it nor after.
    plans.withdraw(db.session, who, new, reason="停产", today=D(2024, 6, 20))
    db.session.commit()
    assert stored() == {enterprise.id: [(D(2024, 1, 10), D(2024, 6, 20))]} == derived(rules)
    assert [covered_on(day, rules) for day in (D(2024, 6, 19), D(2024, 6, 20))] == [1, 0]
    assert covered_on(D(2024, 1, 9), rules) == 0

    # The trend reads the same spans: every month end agrees with the as-of total.
    points = filing_rates.totals_on(
        db.session, [D(2023, 12, 31), D(2024, 1, 31), D(2024, 6, 19), D(2024, 6, 30)], rules=rules
    )
    assert [p.filed for p in points] == [0, 1, 1, 0]
    assert [p.required for p in points] == [1, 1, 1, 1]


def test_a_plan_type_not_counted_leaves_no_span(member, region, rules):
    enterprise, who = member
    clerk = actor("clerk", region.west.path)
    _filed(
        enterprise,
        who,
        clerk,
        rules,
        published=D(2024, 1, 2),
        filed=D(2024, 1, 10),
        plan_type="response_card",
    )
    assert stored() == {} == derived(rules)


def test_a_rolled_back_filing_takes_its_span_with_it(member, region, rules):
    enterprise, who = member
    clerk = actor("clerk", region.west.path)
    plan = plans.create(
        db.session,
        who,
        {
            "enterprise_id": enterprise.id,
            "title": "综合应急预案",
            "plan_type": "comprehensive",
            "published_on": D(2024, 1, 2),
        },
        today=D(2024, 1, 10),
    )
    submit(who, plan, rules, D(2024, 1, 10))
    db.session.commit()
    # Complete and submitted Wed 10 Jan: deemed filed after five working days (from the
    # 18th) unless the authority answers; that span is already there.
    deemed = [(D(2024, 1, 18), OPEN_END)]
    assert stored() == {enterprise.id: deemed}
    filing.file_plan(db.session, clerk, plan, rules=rules, today=D(2024, 1, 10))
    assert stored() == {enterprise.id: [(D(2024, 1, 10), OPEN_END)]}
    db.session.rollback()
    assert stored() == {enterprise.id: deemed} == derived(rules)


def test_direct_orm_writes_are_caught_by_the_flush_hook(make_enterprise, make_plan, rules):
    """Rows written without the workflow (tests, imports) refresh the spans in their flush:
    add, change a date, change the type, delete."""
    one = make_enterprise("hazchem_storage")
    two = make_enterprise("coal_mine")
    old = make_plan(one, filed_on=D(2023, 5, 1))
    make_plan(one, filed_on=D(2024, 2, 1), plan_type="special")
    card = make_plan(two, filed_on=D(2024, 1, 1), plan_type="response_card")
    db.session.commit()
    assert stored() == {one.id: [(D(2023, 5, 1), OPEN_END)]} == derived(rules)

    old.superseded_on = D(2024, 1, 1)  # a gap in January
    card.plan_type = "on_site"
    db.session.commit()
    assert (
        stored()
        == derived(rules)
        == {
            one.id: [(D(2023, 5, 1), D(2024, 1, 1)), (D(2024, 2, 1), OPEN_END)],
            two.id: [(D(2024, 1, 1), OPEN_END)],
        }
    )
    assert covered_on(D(2024, 1, 15), rules) == 1  # two only; one is in its gap

    db.session.delete(card)
    db.session.commit()
    assert stored() == derived(rules) and two.id not in stored()


def test_rebuild_matches_the_incremental_spans(make_enterprise, make_plan, rules):
    for day in (D(2023, 1, 1), D(2023, 7, 1), D(2024, 3, 1)):
        enterprise = make_enterprise("hazchem_storage")
        make_plan(enterprise, filed_on=day, withdrawn_on=D(2024, 1, 1))
        make_plan(enterprise, filed_on=D(2024, 1, 1))
    db.session.commit()
    incremental = stored()
    assert plan_coverage.rebuild(db.session, rules.counted_plan_types) == sum(
        len(v) for v in incremental.values()
    )
    assert stored() == incremental == derived(rules)


def test_rebuild_command_recomputes_the_table(make_enterprise, make_plan, runner):
    enterprise = make_enterprise("hazchem_storage")
    make_plan(enterprise, filed_on=D(2023, 1, 1))
    db.session.commit()
    before = stored()
    assert before
    db.session.execute(delete(PlanCoverage))  # e.g. after a raw-SQL bulk load
    db.session.commit()
    assert stored() == {}
    result = runner.invoke(args=["filing", "rebuild-coverage"])
    assert result.exit_code == 0, result.output
    assert "plan coverage rebuilt: 1 spans" in result.output
    db.session.rollback()
    assert stored() == before
