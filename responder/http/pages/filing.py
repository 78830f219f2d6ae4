"""The filing clerk's dashboard: rates against the target, a choropleth by jurisdiction, a
bar chart by industry, the trend, and the lists behind the numbers with export links."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from flask import Blueprint, Response, render_template, request
from flask_babel import gettext as _
from flask_login import login_required
from markupsafe import Markup
from sqlalchemy import select

from responder.errors import InvalidInput
from responder.http.api.filing import (
    MEDIA_TYPES,
    columns_for,
    csv_bytes,
    in_words,
    rate_table,
    rules,
    today,
    xlsx_bytes,
)
from responder.http.auth import current_actor
from responder.http.pages import charts, maps
from responder.localization import select_locale
from responder.mapping.filing import RateArea, add_rate_choropleth, add_rate_legend
from responder.models import Jurisdiction, db
from responder.services import filing_rates
from responder.services.workdays import add_months, calendar_warnings
from responder.vocabulary import FILING_LISTS, INDUSTRIES, label

bp = Blueprint("plan_pages", __name__)
LIST_ROWS = 50
TREND_MONTHS = 12


@bp.get("/filing")
@login_required
def plans() -> Any:
    """The dashboard (``?as_of=YYYY-MM-DD&jurisdiction_id=``)."""
    locale = "en" if select_locale().startswith("en") else "zh"
    day = _as_of()
    root = filing_rates.resolve_root(db.session, current_actor(), _int_arg("jurisdiction_id"))
    by_place = rate_table("jurisdiction", day, root, depth=1, locale=locale)
    by_industry = rate_table("industry", day, root, locale=locale)
    by_grade = rate_table("grade", day, root, locale=locale)
    target = by_place["target"]
    first = add_months(day.replace(day=1), -(TREND_MONTHS - 1))
    trend = filing_rates.trend(
        db.session, first=first, last=day, rules=rules(), root=root, today=day
    )
    lists = {
        kind: filing_rates.listing(db.session, kind, day=day, rules=rules(), root=root, limit=1)
        for kind in filing_rates.LISTS
    }
    scope_args = {"as_of": day.isoformat()}
    if root is not None:
        scope_args["jurisdiction_id"] = str(root.id)
    return render_template(
        "filing/dashboard.html",
        day=day,
        root=root,
        target=target,
        by_place=by_place,
        by_industry=by_industry,
        by_grade=by_grade,
        trend=trend,
        lists=lists,
        list_titles={kind: label(FILING_LISTS, kind, locale) for kind in filing_rates.LISTS},
        scope_args=scope_args,
        calendar_warnings=calendar_warnings(rules(), today()),
        choices=_choices(root),
        rate_map=_rate_map(by_place, root, target),
        industry_chart=charts.rate_bars(
            [
                (row["label"], row["rate"], f"{row['filed']}/{row['required']}")
                for row in by_industry["rows"]
            ],
            target=target,
            title=_("按行业备案率"),
        ),
        trend_chart=charts.rate_line(
            [(point.day.strftime("%Y-%m"), point.rate) for point in trend],
            target=target,
            title=_("备案率趋势"),
        ),
    )


def _as_of() -> date:
    raw = request.args.get("as_of")
    if not raw:
        return today()
    try:
        return date.fromisoformat(raw)
    except ValueError as exc:
        raise InvalidInput("as_of must be a date YYYY-MM-DD", field="as_of") from exc


def _int_arg(name: str) -> int | None:
    raw = request.args.get(name)
    if not raw:
        return None
    if not raw.isdigit():
        raise InvalidInput(f"{name} must be a number", field=name)
    return int(raw)


def _choices(root: Jurisdiction | None) -> list[Jurisdiction]:
    """Jurisdictions the clerk may switch to: in their scope, down to county level."""
    actor = current_actor()
    stmt = select(Jurisdiction).where(Jurisdiction.depth <= 2).order_by(Jurisdiction.path)
    if actor.scope_path is not None:
        stmt = stmt.where(Jurisdiction.path.like(f"{actor.scope_path}%"))
    return list(db.session.scalars(stmt))


def _rate_map(table: dict[str, Any], root: Jurisdiction | None, target: float) -> Markup | None:
    """The choropleth of the children of ``root`` (or the root itself when it has none)."""
    rows = {int(row["key"]): row for row in table["rows"]}
    children = [jid for jid in rows if root is None or jid != root.id] or list(rows)
    nodes = list(
        db.session.scalars(
            select(Jurisdiction).where(
                Jurisdiction.id.in_(children), Jurisdiction.boundary.is_not(None)
            )
        )
    )
    if not nodes:
        return None
    areas = [
        RateArea(
            node.name,
            json.loads(node.boundary or "{}"),
            rows[node.id]["required"],
            rows[node.id]["filed"],
        )
        for node in nodes
    ]
    fmap = maps.new_map(maps.area_bounds(nodes))
    add_rate_choropleth(fmap, areas, target=target)
    add_rate_legend(
        fmap,
        target=target,
        title=_("备案率"),
        labels=[
            _("≥ 目标"),
            _("90–100% 目标"),
            _("80–90% 目标"),
            _("< 80% 目标"),
            _("无应备案企业"),
        ],
    )
    return maps.embed(fmap, height="420px", title=_("备案率地图"))


def _sort_args(kind: str) -> tuple[str | None, bool]:
    """``?sort=<column>&dir=desc`` as the registry lists spell it; an unknown column is a
    400 naming ``sort``."""
    sort = (request.args.get("sort") or "").strip() or None
    filing_rates.check_sort(kind, sort)
    return sort, request.args.get("dir") == "desc"


def _list_args() -> tuple[date, Jurisdiction | None, str | None]:
    industry = (request.args.get("industry") or "").strip() or None
    if industry is not None and industry not in INDUSTRIES:
        raise InvalidInput(f"unknown industry '{industry}'", field="industry")
    root = filing_rates.resolve_root(db.session, current_actor(), _int_arg("jurisdiction_id"))
    return _as_of(), root, industry


@bp.get("/filing/lists/<any(missing, overdue_evaluation, overdue_drill, filed_late):kind>")
@login_required
def filing_list(kind: str) -> Any:
    """A list behind a dashboard number, paged, narrowed by jurisdiction and industry, in
    the page's language, sorted by any column (``?sort=&dir=desc``); the export links give
    the same rows in the same order."""
    locale = "en" if select_locale().startswith("en") else "zh"
    day, root, industry = _list_args()
    sort, descending = _sort_args(kind)
    page = _int_arg("page") or 1
    listing = filing_rates.listing(
        db.session,
        kind,
        day=day,
        rules=rules(),
        root=root,
        industry=industry,
        offset=(page - 1) * LIST_ROWS,
        limit=LIST_ROWS,
        sort=sort,
        descending=descending,
    )
    return render_template(
        "filing/list.html",
        kind=kind,
        title=label(FILING_LISTS, kind, locale),
        day=day,
        root=root,
        industry=industry,
        columns=columns_for(kind, locale),
        rows=[in_words(row, locale) for row in listing.rows],
        raw_rows=listing.rows,
        total=listing.total,
        page=page,
        pages=max(1, (listing.total + LIST_ROWS - 1) // LIST_ROWS),
        choices=_choices(root),
    )


@bp.get(
    "/filing/lists/<any(missing, overdue_evaluation, overdue_drill, filed_late):kind>"
    ".<any(csv, xlsx):fmt>"
)
@login_required
def filing_list_export(kind: str, fmt: str) -> Response:
    """Every row of the list as shown (same filters, same order, same words and headers)."""
    locale = "en" if select_locale().startswith("en") else "zh"
    day, root, industry = _list_args()
    sort, descending = _sort_args(kind)
    rows = (
        in_words(row, locale)
        for row in filing_rates.iter_all(
            db.session,
            kind,
            day=day,
            rules=rules(),
            root=root,
            industry=industry,
            sort=sort,
            descending=descending,
        )
    )
    body = (csv_bytes if fmt == "csv" else xlsx_bytes)(columns_for(kind, locale), rows)
    return Response(
        body,
        mimetype=MEDIA_TYPES[fmt].split(";")[0],
        headers={
            "Content-Type": MEDIA_TYPES[fmt],
            "Content-Disposition": f'attachment; filename="filing-{kind}-{day.isoformat()}.{fmt}"',
        },
    )
