"""Filing lists sorted by any column: in the service (in SQL, on SQLite and PostgreSQL), on
the page (header links keep the filters), in the API and in the export (same order as the
page)."""

from __future__ import annotations

import csv
import io
import re
from datetime import date, timedelta
from typing import Any

import pytest

from responder.http.api.filing import LIST_COLUMNS
from responder.models import db
from responder.services import filing_rates
from responder.services.workdays import filing_deadline
from tests.fixtures.databases import DATABASES

AS_OF = date(2024, 6, 30)


@pytest.fixture
def app(database_app: Any) -> Any:
    """SQLite, or PostgreSQL for the tests that ask for it: the orders are SQL."""
    return database_app


AS_OF_2025 = date(2025, 6, 30)


@pytest.fixture
def lists(region: Any, make_enterprise: Any, make_plan: Any, app: Any) -> Any:
    """Two enterprises without a plan; four plans overdue for drill (three also for
    evaluation) and filed late, with different dates and drill cycles."""
    make_enterprise("hazchem_storage", county="west", name="A化工")
    make_enterprise("coal_mine", county="east", name="B煤矿")
    for name, industry, county, published, evaluated, drilled in (
        ("C化工", "hazchem_storage", "west", date(2021, 1, 4), None, date(2022, 1, 1)),
        ("D烟花", "fireworks", "east", date(2020, 5, 1), date(2021, 2, 1), date(2023, 3, 1)),
        ("E矿山", "non_coal_mine", "west", date(2019, 9, 9), date(2021, 4, 1), date(2023, 11, 2)),
        # a yearly drill cycle: due after D's though drilled before it
        ("F工贸", "industry_trade", "east", date(2021, 3, 3), None, date(2022, 10, 1)),
    ):
        enterprise = make_enterprise(industry, county=county, name=name)
        make_plan(
            enterprise,
            published_on=published,
            filed_on=date(published.year, 12, 1),
            submitted_on=date(published.year, 11, published.month),
            filed_late=True,
            last_evaluated_on=evaluated,
            last_drill_on=drilled,
        )
    db.session.commit()
    return app.extensions["responder.rules"]


def in_order(values: list[Any], descending: bool) -> bool:
    present = [v for v in values if v is not None]
    assert all(v is None for v in values[len(present) :]), "empty values come last"
    return present == sorted(present, reverse=descending)


SORTABLE = [
    (kind, column) for kind, columns in filing_rates.LIST_COLUMNS.items() for column in columns
]


def check_sorts_and_pages(rules: Any, kind: str, column: str, descending: bool) -> None:
    """The whole list is in the column's order (empty values last); pages of two and the
    streamed export give the same order."""
    whole = filing_rates.listing(
        db.session, kind, day=AS_OF, rules=rules, limit=None, sort=column, descending=descending
    )
    assert whole.total >= 2, f"the fixture gives {kind} too few rows to show an order"
    assert in_order([row[column] for row in whole.rows], descending), (kind, column)
    if kind == "overdue_drill":
        assert len({row["cycle_months"] for row in whole.rows}) > 1  # due is not last + c
    paged = [
        row
        for offset in range(0, whole.total, 2)
        for row in filing_rates.listing(
            db.session,
            kind,
            day=AS_OF,
            rules=rules,
            offset=offset,
            limit=2,
            sort=column,
            descending=descending,
        ).rows
    ]
    assert [row[column] for row in paged] == [row[column] for row in whole.rows], (kind, column)
    streamed = filing_rates.iter_all(
        db.session, kind, day=AS_OF, rules=rules, sort=column, descending=descending
    )
    assert [row[column] for row in streamed] == [row[column] for row in whole.rows]


@pytest.mark.parametrize(("kind", "column"), SORTABLE)
@pytest.mark.parametrize("descending", [False, True])
def test_every_column_of_every_list_sorts_and_pages(lists, kind, column, descending):
    check_sorts_and_pages(lists, kind, column, descending)


@pytest.mark.postgres
@pytest.mark.parametrize("database_app", ["postgresql"], indirect=True)
def test_every_column_sorts_the_same_way_on_postgresql(lists):
    """The orders are SQL with dialect-specific parts (date differences, weekdays): every
    column, both ways, on one PostgreSQL database."""
    for kind, column in SORTABLE:
        for descending in (False, True):
            check_sorts_and_pages(lists, kind, column, descending)


def test_the_api_column_keys_are_the_sortable_ones():
    assert {kind: tuple(k for k, _zh, _en in cols) for kind, cols in LIST_COLUMNS.items()} == (
        filing_rates.LIST_COLUMNS
    )


def names_on(html: str) -> list[str]:
    return re.findall(r'<a href="/enterprises/\d+">([^<]+)</a>', html)


def test_page_headers_sort_keep_filters_and_the_export_follows(lists, sign_in):
    client = sign_in("clerk")
    base = "/filing/lists/overdue_evaluation?as_of=2024-06-30"
    html = client.get(f"{base}&sort=enterprise&dir=desc").get_data(as_text=True)
    assert names_on(html) == sorted(names_on(html), reverse=True) and len(names_on(html)) >= 2
    assert 'class="sort active desc"' in html
    header = re.search(r'<a class="sort" href="([^"]+)"[^>]*>逾期天数</a>', html)
    assert header is not None
    link = header.group(1).replace("&amp;", "&")
    assert "sort=days_overdue" in link and "as_of=2024-06-30" in link
    assert '<input type="hidden" name="sort" value="enterprise">' in html  # the filter form
    by_days = client.get(link).get_data(as_text=True)
    cells = re.findall(r"<td>(-?\d+)</td></tr>", by_days)
    assert [int(c) for c in cells] == sorted(int(c) for c in cells)
    export = client.get(
        "/filing/lists/overdue_evaluation.csv?as_of=2024-06-30&sort=enterprise&dir=desc"
    )
    rows = list(csv.DictReader(io.StringIO(export.get_data(as_text=True).lstrip("\ufeff"))))
    assert [row["企业"] for row in rows] == names_on(html)


def test_an_unknown_sort_column_is_refused_naming_it(lists, sign_in):
    client = sign_in("clerk")
    response = client.get("/filing/lists/missing?sort=colour")
    assert response.status_code == 422
    assert "sort" in response.get_data(as_text=True)
    assert client.get("/filing/lists/missing.csv?sort=colour").status_code == 422


# ------------------------------------------------------------------ JSON API


def enterprises_of(response: Any) -> list[str]:
    assert response.status_code == 200, response.get_json()
    return [row["enterprise"] for row in response.get_json()["items"]]


def test_the_api_sorts_by_the_page_columns_minus_for_descending(lists, login_as):
    """Days late by hand (20 working days from publication to the submission date):
    C化工 ~270, F工贸 ~215, D烟花 ~160, E矿山 ~35 — far enough apart that the holidays
    cannot swap them."""
    clerk = login_as("clerk", "330100")
    url = "/api/v1/filing/lists/filed_late?as_of=2024-06-30"
    assert enterprises_of(clerk.get(f"{url}&sort=-days_late")) == [
        "C化工",
        "F工贸",
        "D烟花",
        "E矿山",
    ]
    days = [row["days_late"] for row in clerk.get(f"{url}&sort=days_late").get_json()["items"]]
    assert days == sorted(days) and len(days) == 4
    second = clerk.get(f"{url}&sort=-days_late&per_page=2&page=2")
    assert enterprises_of(second) == ["D烟花", "E矿山"] and second.get_json()["total"] == 4
    assert enterprises_of(clerk.get(f"{url}&sort=-enterprise")) == [
        "F工贸",
        "E矿山",
        "D烟花",
        "C化工",
    ]
    missing = "/api/v1/filing/lists/missing?as_of=2024-06-30&sort=-credit_code"
    codes = [row["credit_code"] for row in clerk.get(missing).get_json()["items"]]
    assert codes == sorted(codes, reverse=True) and len(codes) >= 2
    export = clerk.get("/api/v1/filing/lists/filed_late.csv?as_of=2024-06-30&sort=-days_late")
    rows = list(csv.DictReader(io.StringIO(export.get_data(as_text=True).lstrip("\ufeff"))))
    assert [row["企业"] for row in rows] == ["C化工", "F工贸", "D烟花", "E矿山"]


@pytest.mark.parametrize(
    "query",
    [
        "/api/v1/filing/lists/missing?sort=colour",  # no list has it: the schema
        "/api/v1/filing/lists/missing?sort=-days_late",  # another list's: the service
        "/api/v1/filing/lists/filed_late?sort=--days_late",
        "/api/v1/filing/lists/missing.csv?sort=colour",
    ],
)
def test_the_api_refuses_an_unknown_sort_naming_the_field(lists, login_as, query):
    response = login_as("clerk", "330100").get(query)
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["field"] == "sort" and error["code"] and "sort" in error["message"]


def test_the_openapi_document_describes_sort(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    for path in ("/api/v1/filing/lists/{kind}", "/api/v1/filing/lists/{kind}.{fmt}"):
        (sort,) = [p for p in spec["paths"][path]["get"]["parameters"] if p["name"] == "sort"]
        assert sort["in"] == "query" and "descending" in sort["description"]
        assert {"days_late", "-days_late", "enterprise"} <= set(sort["schema"]["enum"])
        assert "filed_late: plan_id" in sort["description"]


@pytest.fixture
def late_filings(region: Any, make_enterprise: Any, make_plan: Any, app: Any) -> Any:
    """Plans published on each day from 10 Sep to 10 Oct 2024 (across National Day and its
    make-up Sundays and Saturdays) and round the 2025 Spring Festival, submitted 40 or 41
    days later: the deadlines move with the holidays, and many days late tie."""
    firm = make_enterprise("hazchem_storage", county="west", name="G化工")
    published = [date(2024, 9, 10) + timedelta(days=n) for n in range(31)]
    published += [date(2025, 1, 10) + timedelta(days=n) for n in range(0, 30, 3)]
    for number, day in enumerate(published):
        submitted = day + timedelta(days=40 + number % 2)
        make_plan(
            firm,
            published_on=day,
            submitted_on=submitted,
            filed_on=submitted + timedelta(days=3),
            filed_late=True,
        )
    db.session.commit()
    return app.extensions["responder.rules"]


@pytest.mark.parametrize("descending", [False, True])
@pytest.mark.parametrize("database_app", DATABASES, indirect=True)
def test_days_late_sorts_in_sql_as_the_calendar_says(late_filings, descending):
    """The order the Python sort over every row gave (days late from each plan's deadline,
    ties by plan id in the sort's direction), on every page."""
    rules = late_filings
    everything = filing_rates.listing(db.session, "filed_late", day=AS_OF_2025, rules=rules)
    expected = sorted(
        (
            (row["submitted_on"] - filing_deadline(row["published_on"], rules)).days,
            row["plan_id"],
        )
        for row in everything.rows
    )
    if descending:
        expected.reverse()
    assert len({late for late, _plan in expected}) < len(expected) - 10  # ties to order
    sorted_rows = filing_rates.listing(
        db.session,
        "filed_late",
        day=AS_OF_2025,
        rules=rules,
        limit=None,
        sort="days_late",
        descending=descending,
    ).rows
    assert [(row["days_late"], row["plan_id"]) for row in sorted_rows] == expected
    paged = [
        (row["days_late"], row["plan_id"])
        for offset in range(0, len(expected), 7)
        for row in filing_rates.listing(
            db.session,
            "filed_late",
            day=AS_OF_2025,
            rules=rules,
            offset=offset,
            limit=7,
            sort="days_late",
            descending=descending,
        ).rows
    ]
    assert paged == expected
