"""Filing rates (备案率), their trend, the lists behind them, and CSV/XLSX exports."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from datetime import date
from typing import Any

from flask import Response, current_app
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, ValidationError, fields, validate
from openpyxl import Workbook
from sqlalchemy import select

from responder.http.api.cells import spreadsheet_cell
from responder.http.api.common import split_sort
from responder.http.auth import current_actor
from responder.http.context import rules, today
from responder.localization import select_locale
from responder.models import Jurisdiction, db
from responder.services import filing_rates
from responder.services.filing_rates import Rate
from responder.vocabulary import FILING_LISTS, HAZARD_GRADES, INDUSTRIES, label

blp = Blueprint(
    "filing",
    __name__,
    url_prefix="/api/v1/filing",
    description="Filing rates, trends, lists and exports",
)

MEDIA_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}

#: Columns of each list: (row key, Chinese header, English header).
LIST_COLUMNS: dict[str, list[tuple[str, str, str]]] = {
    "missing": [
        ("enterprise_id", "企业编号", "Enterprise ID"),
        ("enterprise", "企业", "Enterprise"),
        ("credit_code", "统一社会信用代码", "Credit code"),
        ("industry", "行业", "Industry"),
        ("jurisdiction", "行政区划", "Jurisdiction"),
        ("hazard_grade", "重大危险源等级", "Hazard grade"),
    ],
    "overdue_evaluation": [
        ("plan_id", "预案编号", "Plan ID"),
        ("title", "预案", "Plan"),
        ("filing_number", "备案编号", "Filing number"),
        ("enterprise", "企业", "Enterprise"),
        ("industry", "行业", "Industry"),
        ("jurisdiction", "行政区划", "Jurisdiction"),
        ("last_evaluated_on", "上次评估", "Last evaluated"),
        ("due", "应评估日期", "Due"),
        ("days_overdue", "逾期天数", "Days overdue"),
    ],
    "overdue_drill": [
        ("scope", "演练要求", "Drill cycle"),
        ("plan_id", "预案编号", "Plan ID"),
        ("title", "预案", "Plan"),
        ("enterprise", "企业", "Enterprise"),
        ("industry", "行业", "Industry"),
        ("jurisdiction", "行政区划", "Jurisdiction"),
        ("last_drill_on", "上次演练", "Last drill"),
        ("due", "应演练日期", "Due"),
        ("days_overdue", "逾期天数", "Days overdue"),
    ],
    "filed_late": [
        ("plan_id", "预案编号", "Plan ID"),
        ("title", "预案", "Plan"),
        ("filing_number", "备案编号", "Filing number"),
        ("enterprise", "企业", "Enterprise"),
        ("industry", "行业", "Industry"),
        ("jurisdiction", "行政区划", "Jurisdiction"),
        ("published_on", "公布日期", "Published"),
        ("deadline", "报送期限", "Deadline"),
        ("submitted_on", "报送日期", "Submitted"),
        ("filed_on", "备案日期", "Filed"),
        ("days_late", "逾期天数", "Days late"),
    ],
}
#: Columns of each list: (row key, API field name) — the JSON list keeps these codes.
COLUMNS: dict[str, list[tuple[str, str]]] = {
    kind: [(key, key) for key, _zh, _en in columns] for kind, columns in LIST_COLUMNS.items()
}
DRILL_SCOPE_WORDS = {
    "enterprise": ("企业年度综合或专项演练", "Enterprise's yearly comprehensive or special drill"),
    "on_site": ("现场处置方案半年演练", "On-site scheme, half-yearly"),
    "government": ("政府预案两年演练", "Government plan, every two years"),
}


def columns_for(kind: str, locale: str) -> list[tuple[str, str]]:
    """(row key, header in one language) of a list."""
    return [(key, en if locale == "en" else zh) for key, zh, en in LIST_COLUMNS[kind]]


def in_words(row: dict[str, Any], locale: str) -> dict[str, Any]:
    """A list row with its codes in words of one language (pages and exports)."""
    shown = dict(row)
    if shown.get("industry"):
        shown["industry"] = label(INDUSTRIES, shown["industry"], locale)
    if "hazard_grade" in shown:
        grade = shown["hazard_grade"]
        shown["hazard_grade"] = label(HAZARD_GRADES, str(grade), locale) if grade else ""
    if shown.get("scope"):
        shown["scope"] = label(DRILL_SCOPE_WORDS, shown["scope"], locale)
    if "enterprise" in shown and shown.get("enterprise") is None:
        shown["enterprise"] = ""
    return shown


class Month(fields.Field):
    """``YYYY-MM``, loaded as the first day of that month."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> date:
        try:
            year, month = (int(part) for part in str(value).split("-"))
            return date(year, month, 1)
        except ValueError as exc:
            raise ValidationError("expected a month as YYYY-MM") from exc


class ScopeArgs(Schema):
    as_of = fields.Date(metadata={"description": "the day the rates describe; default today"})
    jurisdiction_id = fields.Integer(
        metadata={"description": "this jurisdiction's subtree; default your own scope"}
    )
    industry = fields.String(
        validate=validate.OneOf(sorted(INDUSTRIES)),
        metadata={"description": "lists: only this industry's enterprises"},
    )
    lang = fields.String(metadata={"description": "exports: header language (zh or en)"})


class RateArgs(ScopeArgs):
    by = fields.String(load_default="industry", validate=validate.OneOf(filing_rates.GROUPINGS))
    depth = fields.Integer(
        load_default=1,
        validate=validate.Range(min=1, max=4),
        metadata={"description": "by=jurisdiction: levels below the root"},
    )


class TrendArgs(Schema):
    start = Month(data_key="from", required=True, metadata={"description": "YYYY-MM"})
    end = Month(data_key="to", metadata={"description": "YYYY-MM; default this month"})
    jurisdiction_id = fields.Integer()


#: ``sort`` values: a column of some list, ``-`` in front for descending (as in the other
#: API lists); whether the column belongs to the list asked for, the service checks.
SORT_KEYS = sorted(
    {
        f"{sign}{column}"
        for columns in filing_rates.LIST_COLUMNS.values()
        for column in columns
        for sign in ("", "-")
    }
)


class ListOrderArgs(ScopeArgs):
    sort = fields.String(
        validate=validate.OneOf(SORT_KEYS),
        metadata={
            "description": "order by a column of the list (default the list's own order); "
            "prefix with - for descending; empty values come last either way. Columns: "
            + "; ".join(
                f"{kind}: {', '.join(columns)}"
                for kind, columns in filing_rates.LIST_COLUMNS.items()
            )
        },
    )


class ListPageArgs(ListOrderArgs):
    page = fields.Integer(load_default=1, validate=validate.Range(min=1))
    per_page = fields.Integer(validate=validate.Range(min=1, max=500))


class RateRowSchema(Schema):
    key = fields.String()
    label = fields.String()
    required = fields.Integer()
    filed = fields.Integer()
    missing = fields.Integer()
    rate = fields.Float(allow_none=True)
    meets_target = fields.Boolean(allow_none=True)


class RateTableSchema(Schema):
    by = fields.String()
    as_of = fields.Date()
    target = fields.Float()
    jurisdiction_id = fields.Integer(allow_none=True)
    total = fields.Nested(RateRowSchema)
    rows = fields.List(fields.Nested(RateRowSchema))


class PointSchema(Schema):
    day = fields.Date()
    required = fields.Integer()
    filed = fields.Integer()
    rate = fields.Float(allow_none=True)


class TrendSchema(Schema):
    target = fields.Float()
    points = fields.List(fields.Nested(PointSchema))


class ListingSchema(Schema):
    kind = fields.String()
    title = fields.String()
    as_of = fields.Date()
    items = fields.List(fields.Dict())
    total = fields.Integer()
    page = fields.Integer()
    per_page = fields.Integer()


def _row(rate: Rate, name: str, target: float) -> dict[str, Any]:
    return {
        "key": rate.key,
        "label": name,
        "required": rate.required,
        "filed": rate.filed,
        "missing": rate.missing,
        "rate": rate.rate,
        "meets_target": None if rate.rate is None else rate.rate >= target - 1e-9,
    }


def rate_table(
    by: str, day: date, root: Jurisdiction | None, *, depth: int = 1, locale: str = "zh"
) -> dict[str, Any]:
    """The rate table with labels and the target (also used by the dashboard page)."""
    target = rules().target_rate
    table = filing_rates.rates(db.session, by=by, day=day, rules=rules(), root=root, depth=depth)
    names = _labels(by, table, locale)
    total = filing_rates.total(db.session, day=day, rules=rules(), root=root)
    overall = Rate("total", total.required, total.filed)
    return {
        "by": by,
        "as_of": day,
        "target": target,
        "jurisdiction_id": root.id if root else None,
        "total": _row(overall, "合计" if locale == "zh" else "Total", target),
        "rows": [_row(rate, names.get(rate.key, rate.key), target) for rate in table],
    }


def _labels(by: str, table: list[Rate], locale: str) -> dict[str, str]:
    if by == "industry":
        return {r.key: label(INDUSTRIES, r.key, locale) for r in table}
    if by == "grade":
        none = "无重大危险源" if locale == "zh" else "No major hazard source"
        return {
            r.key: none if r.key == filing_rates.NO_GRADE else label(HAZARD_GRADES, r.key, locale)
            for r in table
        }
    ids = [int(r.key) for r in table]
    rows = (
        db.session.execute(
            select(Jurisdiction.id, Jurisdiction.name).where(Jurisdiction.id.in_(ids))
        )
        if ids
        else []
    )
    return {str(i): name for i, name in rows}


def _root(jurisdiction_id: int | None) -> Jurisdiction | None:
    return filing_rates.resolve_root(db.session, current_actor(), jurisdiction_id)


@blp.route("/rates")
class Rates(MethodView):
    @blp.arguments(RateArgs, location="query")
    @blp.response(200, RateTableSchema)
    def get(self, args: dict[str, Any]) -> Any:
        """Filing rate by industry, jurisdiction (rolled up the tree) or hazard grade, on
        ``as_of`` (default today), with the overall total and the target."""
        root = _root(args.get("jurisdiction_id"))
        return rate_table(args["by"], args.get("as_of") or today(), root, depth=args["depth"])


@blp.route("/trend")
class Trend(MethodView):
    @blp.arguments(TrendArgs, location="query")
    @blp.response(200, TrendSchema)
    def get(self, args: dict[str, Any]) -> Any:
        """The overall rate at each month end from ``from`` to ``to`` (this month: today)."""
        root = _root(args.get("jurisdiction_id"))
        now = today()
        points = filing_rates.trend(
            db.session,
            first=args["start"],
            last=args.get("end") or now,
            rules=rules(),
            root=root,
            today=now,
        )
        return {
            "target": rules().target_rate,
            "points": [
                {"day": p.day, "required": p.required, "filed": p.filed, "rate": p.rate}
                for p in points
            ],
        }


@blp.route("/lists/<any(missing, overdue_evaluation, overdue_drill, filed_late):kind>")
class Lists(MethodView):
    @blp.arguments(ListPageArgs, location="query")
    @blp.response(200, ListingSchema)
    def get(self, args: dict[str, Any], kind: str) -> Any:
        """One page of a list behind the numbers, in the list's own order or by ``sort``
        (the column keys of the page's ``?sort=``; ``-`` in front for descending)."""
        root = _root(args.get("jurisdiction_id"))
        day = args.get("as_of") or today()
        per_page = min(
            args.get("per_page") or current_app.config["PAGE_SIZE"],
            current_app.config["MAX_PAGE_SIZE"],
        )
        listing = filing_rates.listing(
            db.session,
            kind,
            day=day,
            rules=rules(),
            root=root,
            offset=(args["page"] - 1) * per_page,
            limit=per_page,
            industry=args.get("industry"),
            **split_sort(args.get("sort")),
        )
        items = [{key: _plain(row.get(key)) for key, _ in COLUMNS[kind]} for row in listing.rows]
        return {
            "kind": kind,
            "title": label(FILING_LISTS, kind),
            "as_of": day,
            "items": items,
            "total": listing.total,
            "page": args["page"],
            "per_page": per_page,
        }


@blp.route(
    "/lists/<any(missing, overdue_evaluation, overdue_drill, filed_late):kind>.<any(csv, xlsx):fmt>"
)
class Export(MethodView):
    @blp.arguments(ListOrderArgs, location="query")
    @blp.response(200, content_type="text/csv")
    def get(self, args: dict[str, Any], kind: str, fmt: str) -> Any:
        """The whole list as CSV (UTF-8 with BOM, for Excel) or XLSX, in the order ``sort``
        gives the JSON list."""
        root = _root(args.get("jurisdiction_id"))
        day = args.get("as_of") or today()
        locale = "en" if select_locale().startswith("en") else "zh"
        rows = (
            in_words(row, locale)
            for row in filing_rates.iter_all(
                db.session,
                kind,
                day=day,
                rules=rules(),
                root=root,
                industry=args.get("industry"),
                **split_sort(args.get("sort")),
            )
        )
        body = (csv_bytes if fmt == "csv" else xlsx_bytes)(columns_for(kind, locale), rows)
        name = f"filing-{kind}-{day.isoformat()}.{fmt}"
        return Response(
            body,
            mimetype=MEDIA_TYPES[fmt],
            headers={"Content-Disposition": f'attachment; filename="{name}"'},
        )


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date) else value


def csv_bytes(columns: list[tuple[str, str]], rows: Iterable[dict[str, Any]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([header for _, header in columns])
    for row in rows:
        writer.writerow([spreadsheet_cell(_plain(row.get(key))) for key, _ in columns])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def xlsx_bytes(columns: list[tuple[str, str]], rows: Iterable[dict[str, Any]]) -> bytes:
    book = Workbook(write_only=True)
    sheet = book.create_sheet("list")
    sheet.append([header for _, header in columns])
    for row in rows:
        sheet.append([spreadsheet_cell(row.get(key)) for key, _ in columns])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
