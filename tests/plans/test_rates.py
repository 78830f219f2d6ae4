"""Filing-rate definitions on small, hand-computed cases (integration, SQLite)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from types import SimpleNamespace

import pytest

from responder.errors import Forbidden, InvalidInput
from responder.models import HazardSource, db
from responder.services import filing_rates
from tests.plans.conftest import actor

JUNE = date(2024, 6, 30)
FEB = date(2024, 2, 29)


@pytest.fixture
def world(region, make_enterprise, make_plan):
    """Eleven enterprises; the comment on each says how it counts on 30 June / 29 Feb."""
    e = SimpleNamespace()
    # Two valid plans: counts once.  Grades 3 and 1: its grade is 1.
    e.two_plans = make_enterprise("hazchem_storage", grades=(3, 1))
    make_plan(e.two_plans, filed_on=date(2024, 1, 10))
    make_plan(e.two_plans, filed_on=date(2024, 2, 1), plan_type="special")
    # Old version superseded on 1 March by a new one filed that day: covered throughout.
    e.revised = make_enterprise("hazchem_storage")
    old = make_plan(
        e.revised, filed_on=date(2023, 5, 1), status="superseded", superseded_on=date(2024, 3, 1)
    )
    make_plan(e.revised, filed_on=date(2024, 3, 1), supersedes_id=old.id)
    # Superseded on 1 March with no valid successor: covered in Feb, not in June.
    e.lapsed = make_enterprise("hazchem_storage")
    make_plan(
        e.lapsed, filed_on=date(2023, 5, 1), status="superseded", superseded_on=date(2024, 3, 1)
    )
    # Filed after the as-of date: not covered in June, covered at the end of July.
    e.late = make_enterprise("coal_mine")
    make_plan(e.late, filed_on=date(2024, 7, 15))
    # Required only because of its major hazard source; no plan.
    e.hazard_only = make_enterprise("industry_trade", grades=(2,))
    # Neither a required industry nor a hazard source: not required.
    e.not_required = make_enterprise("industry_trade")
    # Its hazard source was retired in 2023: not required any more.
    e.retired_hazard = make_enterprise("industry_trade")
    db.session.add(
        HazardSource(
            enterprise_id=e.retired_hazard.id,
            name="旧罐",
            grade=4,
            retired_at=datetime(2023, 1, 1, tzinfo=UTC),
        )
    )
    # Only a response card: does not count.
    e.card_only = make_enterprise("hazchem_storage")
    make_plan(e.card_only, filed_on=date(2024, 1, 5), plan_type="response_card")
    # Withdrawn on 1 May: covered in Feb, not in June.
    e.withdrawn = make_enterprise("hazchem_storage")
    make_plan(
        e.withdrawn, filed_on=date(2023, 1, 1), status="withdrawn", withdrawn_on=date(2024, 5, 1)
    )
    # East county, covered.
    e.east = make_enterprise("fireworks", county="east")
    make_plan(e.east, filed_on=date(2024, 1, 1))
    # Retired in March: counts in Feb (missing), gone by June.
    e.closed = make_enterprise("hazchem_storage", retired_at=datetime(2024, 3, 15, tzinfo=UTC))
    # A plan still in the workflow never counts.
    e.pending = make_enterprise("metal_smelting", county="east")
    make_plan(e.pending, status="submitted", published_on=date(2024, 1, 2))
    db.session.commit()
    return e


def as_table(rows):
    return {row.key: (row.required, row.filed) for row in rows}


def test_rate_by_industry_in_june(world, rules):
    rows = filing_rates.rates(db.session, by="industry", day=JUNE, rules=rules)
    assert as_table(rows) == {
        "hazchem_storage": (5, 2),  # two_plans, revised covered; lapsed, card_only, withdrawn
        "coal_mine": (1, 0),  # filed after the as-of date
        "industry_trade": (1, 0),  # the hazard-source one only
        "fireworks": (1, 1),
        "metal_smelting": (1, 0),
    }


def test_rate_as_of_an_earlier_day(world, rules):
    point = filing_rates.total(db.session, day=FEB, rules=rules)
    # required: 10 (closed still exists); covered: two_plans, revised (old version),
    # lapsed, withdrawn, east.
    assert (point.required, point.filed) == (10, 5)
    later = filing_rates.total(db.session, day=date(2024, 7, 31), rules=rules)
    assert (later.required, later.filed) == (9, 4)  # late is covered now


def test_rate_by_grade(world, rules):
    rows = filing_rates.rates(db.session, by="grade", day=JUNE, rules=rules)
    assert as_table(rows) == {"1": (1, 1), "2": (1, 0), "none": (7, 2)}
    assert rows[0].rate == 1.0 and rows[1].rate == 0.0


def test_rate_rolled_up_the_jurisdiction_tree(world, rules, region):
    city = filing_rates.rates(
        db.session, by="jurisdiction", day=JUNE, rules=rules, root=region.city
    )
    assert as_table(city) == {
        str(region.city.id): (9, 3),
        str(region.west.id): (7, 2),
        str(region.east.id): (2, 1),
    }
    whole = filing_rates.rates(db.session, by="jurisdiction", day=JUNE, rules=rules, depth=3)
    assert as_table(whole)[str(region.province.id)] == (9, 3)
    assert len(whole) == 4
    west_only = filing_rates.rates(
        db.session, by="industry", day=JUNE, rules=rules, root=region.east
    )
    assert as_table(west_only) == {"fireworks": (1, 1), "metal_smelting": (1, 0)}


def test_empty_jurisdiction_has_no_rate(region, rules):
    rows = filing_rates.rates(
        db.session, by="jurisdiction", day=JUNE, rules=rules, root=region.city
    )
    assert [row.rate for row in rows] == [None, None, None]


def test_missing_list_matches_the_numbers(world, rules, region):
    listing = filing_rates.listing(db.session, "missing", day=JUNE, rules=rules)
    names = {row["enterprise_id"] for row in listing.rows}
    expected = {
        world.lapsed.id,
        world.late.id,
        world.hazard_only.id,
        world.card_only.id,
        world.withdrawn.id,
        world.pending.id,
    }
    assert names == expected and listing.total == 6
    page = filing_rates.listing(db.session, "missing", day=JUNE, rules=rules, offset=4, limit=4)
    assert page.total == 6 and len(page.rows) == 2
    east = filing_rates.listing(db.session, "missing", day=JUNE, rules=rules, root=region.east)
    assert [row["enterprise_id"] for row in east.rows] == [world.pending.id]


def test_report_scope_follows_the_actor(world, region):
    west_clerk = actor("clerk", region.west.path)
    assert filing_rates.resolve_root(db.session, west_clerk, None).id == region.west.id
    with pytest.raises(Forbidden):
        filing_rates.resolve_root(db.session, west_clerk, region.east.id)
    assert filing_rates.resolve_root(db.session, actor("viewer"), None) is None
    with pytest.raises(Forbidden):
        filing_rates.resolve_root(db.session, actor("enterprise_staff"), None)


def test_trend_at_month_ends(world, rules):
    points = filing_rates.trend(
        db.session,
        first=date(2024, 1, 1),
        last=date(2024, 7, 1),
        rules=rules,
        today=date(2024, 7, 20),
    )
    assert [p.day for p in points][-2:] == [date(2024, 6, 30), date(2024, 7, 20)]
    assert [(p.required, p.filed) for p in points] == [
        (10, 5),  # Jan: two_plans, revised, lapsed, withdrawn, east
        (10, 5),
        (9, 4),  # Mar: closed retired, lapsed superseded
        (9, 4),
        (9, 3),  # May: withdrawn
        (9, 3),
        (9, 4),  # 20 Jul: late filed
    ]
    with pytest.raises(InvalidInput):
        filing_rates.trend(db.session, first=date(2024, 5, 1), last=date(2024, 1, 1), rules=rules)


def test_one_pass_totals_agree_with_the_per_day_query(world, rules, region):
    """The trend's sweep line and the per-day definition agree, boundary days included."""
    days = [
        date(2022, 12, 31),
        date(2023, 1, 1),
        date(2023, 5, 1),
        date(2024, 1, 9),
        date(2024, 1, 10),
        date(2024, 2, 29),
        date(2024, 3, 1),
        date(2024, 3, 14),
        date(2024, 3, 15),
        date(2024, 4, 30),
        date(2024, 5, 1),
        date(2024, 7, 14),
        date(2024, 7, 15),
        date(2030, 1, 1),
    ]
    for root in (None, region.west, region.east):
        swept = filing_rates.totals_on(db.session, days, rules=rules, root=root)
        for point in swept:
            single = filing_rates.total(db.session, day=point.day, rules=rules, root=root)
            assert (point.required, point.filed) == (single.required, single.filed), point.day
