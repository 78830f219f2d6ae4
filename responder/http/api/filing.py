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

from responder.http.auth import current_actor
from responder.http.context import rules, today
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

#: Columns of each list: (row key, header).
COLUMNS: dict[str, list[tuple[str, str]]] = {
    "missing": [
        ("enterprise_id", "企业ID enterprise_id"),
        ("enterprise", "企业 enterprise"),
        ("credit_code", "统一社会信用代码 credit_code"),
        ("industry", "行业 industry"),
        ("jurisdiction", "行政区划 jurisdiction"),
        ("hazard_grade", "重大危险源等级 hazard_grade"),
    ],
    "overdue_evaluation": [
        ("plan_id", "预案ID plan_id"),
        ("title", "预案 title"),
        ("filing_number", "备案编号 filing_number"),
        ("enterprise", "企业 enterprise"),
        ("industry", "行业 industry"),
        ("jurisdiction", "行政区划 jurisdiction"),
        ("last_evaluated_on", "上次评估 last_evaluated_on"),
        ("due", "应评估日期 due"),
        ("days_overdue", "逾期天数 days_overdue"),
    ],
    "overdue_drill": [
        ("plan_id", "预案ID plan_id"),
        ("title", "预案 title"),
        ("filing_number", "备案编号 filing_number"),
        ("enterprise", "企业 enterprise"),
        ("industry", "行业 industry"),
        ("jurisdiction", "行政区划 jurisdiction"),
        ("last_drill_on", "上次演练 last_drill_on"),
        ("due", "应演练日期 due"),
        ("days_overdue", "逾期天数 days_overdue"),
    ],
    "filed_late": [
        ("plan_id", "预案ID plan_id"),
        ("title", "预案 title"),
        ("filing_number", "备案编号 filing_number"),
        ("enterprise", "企业 enterprise"),
        ("industry", "行业 industry"),
        ("jurisdiction", "行政区划 jurisdiction"),
        ("published_on", "公布日期 published_on"),
        ("deadline", "备案期限 deadline"),
        ("filed_on", "备案日期 filed_on"),
        ("days_late", "逾期天数 days_late"),
    ],
}


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


class ListPageArgs(ScopeArgs):
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
        """One page of a list behind the numbers."""
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
    @blp.arguments(ScopeArgs, location="query")
    @blp.response(200, content_type="text/csv")
    def get(self, args: dict[str, Any], kind: str, fmt: str) -> Any:
        """The whole list as CSV (UTF-8 with BOM, for Excel) or XLSX."""
        root = _root(args.get("jurisdiction_id"))
        day = args.get("as_of") or today()
        rows = filing_rates.iter_all(db.session, kind, day=day, rules=rules(), root=root)
        body = (_csv if fmt == "csv" else _xlsx)(COLUMNS[kind], rows)
        name = f"filing-{kind}-{day.isoformat()}.{fmt}"
        return Response(
            body,
            mimetype=MEDIA_TYPES[fmt],
            headers={"Content-Disposition": f'attachment; filename="{name}"'},
        )


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date) else value


def _cell(value: Any) -> Any:
    """A value safe in a spreadsheet: text that a spreadsheet would run as a formula
    (``=``, ``+``, ``-``, ``@``) is prefixed with an apostrophe."""
    if isinstance(value, str) and value[:1] in {"=", "+", "-", "@", "\t", "\r"}:
        return "'" + value
    return value


def _csv(columns: list[tuple[str, str]], rows: Iterable[dict[str, Any]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([header for _, header in columns])
    for row in rows:
        writer.writerow([_cell(_plain(row.get(key))) for key, _ in columns])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def _xlsx(columns: list[tuple[str, str]], rows: Iterable[dict[str, Any]]) -> bytes:
    book = Workbook(write_only=True)
    sheet = book.create_sheet("list")
    sheet.append([header for _, header in columns])
    for row in rows:
        sheet.append([_cell(row.get(key)) for key, _ in columns])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
