"""Registry pages: lists with filters, paging and a map, and one page per record.

Lists reuse :func:`responder.services.registry.list_page` (the same query as the API), so
filters mean the same thing everywhere.  Each kind is described once by a :class:`Listing`:
its service kind, the vocabulary filters it offers, and how a record becomes a map point.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from flask import Blueprint, current_app, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import login_required
from sqlalchemy import func, or_, select

from responder import mapping
from responder.errors import InvalidInput
from responder.http.pages import maps
from responder.http.pages.display import label, labels
from responder.mapping import MapPoint
from responder.models import (
    Depot,
    Enterprise,
    Expert,
    HazardSource,
    InventoryLine,
    Jurisdiction,
    RescueBase,
    RescueTeam,
    db,
)
from responder.services import jurisdictions, registry
from responder.services.registry import ListQuery, ResourceKind
from responder.services.resources import (
    BASES,
    DEPOTS,
    ENTERPRISES,
    EXPERTS,
    HAZARD_SOURCES,
    MATERIALS,
    TEAMS,
)
from responder.vocabulary import (
    HAZARD_GRADES,
    INDUSTRIES,
    JURISDICTION_LEVELS,
    SPECIALTIES,
    TEAM_LEVELS,
    TEAM_STATUSES,
    Vocabulary,
)

bp = Blueprint("registry", __name__)
MAX_Q = 100
#: Lists the export API serves (CSV/XLSX/GeoJSON with the same filters).
EXPORTABLE = frozenset({"teams", "bases", "depots", "experts", "enterprises", "hazard_sources"})


@dataclass(frozen=True)
class Choice:
    """A filter picking one code of a vocabulary (passed to the kind's filter of that name)."""

    name: str
    title: Any
    vocabulary: Vocabulary


@dataclass(frozen=True)
class Listing:
    """One registry kind as pages show it."""

    slug: str
    title: Any
    kind: ResourceKind
    choices: tuple[Choice, ...] = ()
    point: Callable[[Any], MapPoint | None] = lambda _record: None
    legend: Callable[[list[Any]], list[tuple[str, mapping.MarkerStyle]]] = lambda _items: []
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def url(self) -> str:
        return "/" + self.slug.replace("_", "-")


def _detail_url(slug: str, record_id: int) -> str:
    return url_for(f"registry.{slug}_detail", record_id=record_id)


# --- map points -------------------------------------------------------------------------


def _team_point(team: RescueTeam) -> MapPoint:
    return MapPoint(
        team.lon,
        team.lat,
        team.name,
        mapping.for_team(team.specialties),
        rows=[
            (_("专业"), labels(team.specialties, SPECIALTIES)),
            (_("状态"), label(team.status, TEAM_STATUSES)),
            (_("人数"), str(team.headcount)),
            (_("行政区划"), team.jurisdiction.name),
        ],
        url=_detail_url("teams", team.id),
        muted=team.status != "available",
    )


def _team_legend(teams: list[RescueTeam]) -> list[tuple[str, mapping.MarkerStyle]]:
    shown = {team.specialties[0] for team in teams if team.specialties}
    return [
        (label(code, SPECIALTIES), mapping.SPECIALTY[code]) for code in SPECIALTIES if code in shown
    ]


def _located_point(
    slug: str, style_key: str, rows: Callable[[Any], list[tuple[str, str]]]
) -> Callable[[Any], MapPoint]:
    def point(record: Any) -> MapPoint:
        return MapPoint(
            record.lon,
            record.lat,
            record.name,
            mapping.KIND[style_key],
            rows=rows(record),
            url=_detail_url(slug, record.id),
        )

    return point


def _hazard_point(source: HazardSource) -> MapPoint:
    enterprise = source.enterprise
    return MapPoint(
        enterprise.lon,
        enterprise.lat,
        source.name,
        mapping.HAZARD_GRADE[source.grade],
        rows=[(_("企业"), enterprise.name), (_("等级"), label(source.grade, HAZARD_GRADES))],
        url=_detail_url("hazard_sources", source.id),
    )


def _single(title: Any, style_key: str) -> Callable[[list[Any]], list[tuple[str, Any]]]:
    return lambda _items: [(str(title), mapping.KIND[style_key])]


LISTINGS: dict[str, Listing] = {
    listing.slug: listing
    for listing in (
        Listing(
            "teams",
            _l("救援队伍"),
            TEAMS,
            choices=(
                Choice("specialty", _l("专业"), SPECIALTIES),
                Choice("status", _l("状态"), TEAM_STATUSES),
                Choice("level", _l("级别"), TEAM_LEVELS),
            ),
            point=_team_point,
            legend=_team_legend,
        ),
        Listing(
            "bases",
            _l("救援基地"),
            BASES,
            choices=(
                Choice("specialty", _l("专业"), SPECIALTIES),
                Choice("level", _l("级别"), TEAM_LEVELS),
            ),
            point=_located_point(
                "bases",
                "base",
                lambda b: [
                    (_("级别"), label(b.level, TEAM_LEVELS)),
                    (_("专业"), labels(b.specialties, SPECIALTIES)),
                ],
            ),
            legend=_single(_l("救援基地"), "base"),
        ),
        Listing(
            "depots",
            _l("物资储备库"),
            DEPOTS,
            choices=(Choice("level", _l("级别"), TEAM_LEVELS),),
            point=_located_point(
                "depots",
                "depot",
                lambda d: [(_("运营单位"), d.operator), (_("级别"), label(d.level, TEAM_LEVELS))],
            ),
            legend=_single(_l("物资储备库"), "depot"),
        ),
        Listing(
            "experts",
            _l("应急专家"),
            EXPERTS,
            choices=(Choice("specialty", _l("专业"), SPECIALTIES),),
        ),
        Listing(
            "enterprises",
            _l("生产经营单位"),
            ENTERPRISES,
            choices=(Choice("industry", _l("行业"), INDUSTRIES),),
            point=_located_point(
                "enterprises",
                "enterprise",
                lambda e: [
                    (_("行业"), label(e.industry, INDUSTRIES)),
                    (_("信用代码"), e.credit_code),
                ],
            ),
            legend=_single(_l("生产经营单位"), "enterprise"),
        ),
        Listing("materials", _l("应急物资目录"), MATERIALS),
        Listing(
            "hazard_sources",
            _l("重大危险源"),
            HAZARD_SOURCES,
            choices=(Choice("grade", _l("等级"), HAZARD_GRADES),),
            point=_hazard_point,
            legend=lambda _items: [
                (label(g, HAZARD_GRADES), mapping.HAZARD_GRADE[int(g)]) for g in HAZARD_GRADES
            ],
        ),
    )
}


# --- request parsing ----------------------------------------------------------------------


def _int_arg(name: str, default: int | None = None, *, minimum: int = 1) -> int | None:
    raw = request.args.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise InvalidInput(_("%(name)s 必须是整数", name=name), field=name) from None
    if value < minimum:
        raise InvalidInput(_("%(name)s 不能小于 %(min)d", name=name, min=minimum), field=name)
    return value


def _list_query(listing: Listing) -> tuple[ListQuery, Jurisdiction | None]:
    """The service query for the filters in the URL; bad values are 400s naming the field."""
    q = request.args.get("q", "").strip()
    if len(q) > MAX_Q:
        raise InvalidInput(_("搜索词过长"), field="q")
    jurisdiction_id = _int_arg("jurisdiction_id")
    scope = jurisdictions.get(db.session, jurisdiction_id) if jurisdiction_id is not None else None
    extra: dict[str, Any] = {}
    for choice in listing.choices:
        value = request.args.get(choice.name, "").strip()
        if not value:
            continue
        if value not in choice.vocabulary:
            raise InvalidInput(
                _("未知的%(what)s: %(value)s", what=choice.title, value=value), field=choice.name
            )
        extra[choice.name] = [value]
    per_page = min(
        _int_arg("per_page", current_app.config["PAGE_SIZE"]) or 1,
        current_app.config["MAX_PAGE_SIZE"],
    )
    sort = request.args.get("sort", "").strip() or None
    if sort is not None and sort not in registry.sortable_columns(listing.kind):
        raise InvalidInput(_("不能按“%(name)s”排序", name=sort), field="sort")
    stale_only = request.args.get("stale_only", "") in {"1", "true", "on"}
    query = ListQuery(
        page=_int_arg("page", 1) or 1,
        per_page=per_page,
        q=q or None,
        jurisdiction_path=scope.path if scope else None,
        extra=extra,
        stale_before=registry.stale_cutoff(stale_days(listing)) if stale_only else None,
        sort=sort,
        descending=request.args.get("dir") == "desc",
    )
    return query, scope


def stale_days(listing: Listing) -> int:
    """The staleness rule of the listing's kind, in days (from the rules file)."""
    return int(current_app.extensions["responder.rules"].stale_days_for(listing.kind.entity))


def export_args() -> dict[str, str]:
    """The list's filters as the export API spells them (``stale_only``, ``sort=-name``)."""
    args = {
        key: value
        for key, value in request.args.items()
        if value and key not in {"page", "per_page", "dir", "sort", "lang"}
    }
    if args.get("stale_only"):
        args["stale_only"] = "true"
    sort = request.args.get("sort")
    if sort:
        args["sort"] = ("-" if request.args.get("dir") == "desc" else "") + sort
    return args


def jurisdiction_options(max_depth: int = 3) -> list[Jurisdiction]:
    """The tree for filter drop-downs, parents before children."""
    nodes = db.session.scalars(
        select(Jurisdiction).where(Jurisdiction.depth <= max_depth).order_by(Jurisdiction.path)
    ).all()
    return _tree_order(list(nodes))


def _tree_order(nodes: list[Jurisdiction]) -> list[Jurisdiction]:
    children: dict[int | None, list[Jurisdiction]] = defaultdict(list)
    ids = {node.id for node in nodes}
    for node in nodes:
        children[node.parent_id if node.parent_id in ids else None].append(node)
    ordered: list[Jurisdiction] = []

    def visit(parent: int | None) -> None:
        for node in sorted(children[parent], key=lambda n: n.code):
            ordered.append(node)
            visit(node.id)

    visit(None)
    return ordered


# --- per-kind extras -------------------------------------------------------------------------


def _stock_by_depot(depot_ids: list[int]) -> dict[int, list[InventoryLine]]:
    lines: dict[int, list[InventoryLine]] = defaultdict(list)
    if depot_ids:
        for line in db.session.scalars(
            select(InventoryLine)
            .where(InventoryLine.depot_id.in_(depot_ids))
            .order_by(InventoryLine.depot_id, InventoryLine.id)
        ):
            lines[line.depot_id].append(line)
    return lines


def _hazard_counts(enterprise_ids: list[int]) -> dict[int, int]:
    if not enterprise_ids:
        return {}
    rows = db.session.execute(
        select(HazardSource.enterprise_id, func.count())
        .where(HazardSource.enterprise_id.in_(enterprise_ids), HazardSource.retired_at.is_(None))
        .group_by(HazardSource.enterprise_id)
    )
    return {enterprise_id: count for enterprise_id, count in rows}


def _list_extras(listing: Listing, items: list[Any]) -> dict[str, Any]:
    ids = [item.id for item in items]
    if listing.slug == "depots":
        return {"stock": _stock_by_depot(ids), **_expiry_window()}
    if listing.slug == "enterprises":
        return {"hazard_counts": _hazard_counts(ids)}
    return {}


def _expiry_window() -> dict[str, Any]:
    """Today and the last day a stock line counts as expiring soon (rules file)."""
    days = int(current_app.extensions["responder.rules"].expiring_within_days)
    today = date.today()
    return {
        "today": today,
        "expiring_days": days,
        "expiring_before": today + timedelta(days=days),
    }


def _record_jurisdiction(record: Any) -> Jurisdiction | None:
    if isinstance(record, HazardSource):
        return record.enterprise.jurisdiction
    return getattr(record, "jurisdiction", None)


# --- views -----------------------------------------------------------------------------------


def _list_view(listing: Listing) -> Callable[[], Any]:
    def view() -> Any:
        query, scope = _list_query(listing)
        page = registry.list_page(db.session, listing.kind, query)
        points = [p for p in (listing.point(item) for item in page.items) if p is not None]
        areas = {j.id: j for j in (_record_jurisdiction(i) for i in page.items) if j is not None}
        if scope is not None:
            areas.setdefault(scope.id, scope)
        map_html = maps.records_map(
            points,
            areas=areas.values(),
            legend=listing.legend(page.items),
            legend_title=_("图例"),
            layer=listing.slug,
            title=str(listing.title),
        )
        pages = max(1, -(-page.total // page.per_page))
        return render_template(
            f"registry/{listing.slug}.html",
            listing=listing,
            page=page,
            pages=pages,
            scope=scope,
            map_html=map_html,
            options=jurisdiction_options(),
            stale_days=stale_days(listing),
            export_args=export_args(),
            exportable=listing.slug in EXPORTABLE,
            **_list_extras(listing, page.items),
        )

    return view


def _detail_view(listing: Listing) -> Callable[[int], Any]:
    def view(record_id: int) -> Any:
        record = registry.get(db.session, listing.kind, record_id)
        area = _record_jurisdiction(record)
        point = listing.point(record)
        map_html = maps.records_map(
            [point] if point else [],
            areas=[area] if area else [],
            legend=listing.legend([record]),
            legend_title=_("图例"),
            height="360px",
            title=str(listing.title),
        )
        return render_template(
            f"registry/{listing.slug}_detail.html",
            listing=listing,
            record=record,
            jurisdiction=area,
            map_html=map_html,
            **_detail_extras(listing, record),
        )

    return view


def _detail_extras(listing: Listing, record: Any) -> dict[str, Any]:
    if listing.slug == "depots":
        return {"lines": _stock_by_depot([record.id])[record.id], **_expiry_window()}
    if listing.slug == "bases":
        return {
            "teams": db.session.scalars(
                select(RescueTeam).where(
                    RescueTeam.base_id == record.id, RescueTeam.retired_at.is_(None)
                )
            ).all(),
            "depots": db.session.scalars(
                select(Depot).where(Depot.base_id == record.id, Depot.retired_at.is_(None))
            ).all(),
        }
    if listing.slug == "enterprises":
        return {
            "sources": db.session.scalars(
                select(HazardSource)
                .where(HazardSource.enterprise_id == record.id)
                .order_by(HazardSource.grade)
            ).all()
        }
    return {}


for _listing in LISTINGS.values():
    bp.add_url_rule(
        _listing.url, endpoint=_listing.slug, view_func=login_required(_list_view(_listing))
    )
    bp.add_url_rule(
        f"{_listing.url}/<int:record_id>",
        endpoint=f"{_listing.slug}_detail",
        view_func=login_required(_detail_view(_listing)),
    )


# --- jurisdictions: a tree, not a paged list ---------------------------------------------------

COUNTED: tuple[tuple[str, Any, Any], ...] = (
    ("teams", RescueTeam, RescueTeam.jurisdiction_id),
    ("bases", RescueBase, RescueBase.jurisdiction_id),
    ("depots", Depot, Depot.jurisdiction_id),
    ("experts", Expert, Expert.jurisdiction_id),
    ("enterprises", Enterprise, Enterprise.jurisdiction_id),
)


@bp.get("/jurisdictions")
@login_required
def jurisdictions_tree() -> Any:
    q = request.args.get("q", "").strip()
    if len(q) > MAX_Q:
        raise InvalidInput(_("搜索词过长"), field="q")
    stmt = select(Jurisdiction).order_by(Jurisdiction.path)
    if q:
        stmt = stmt.where(or_(Jurisdiction.name.ilike(f"%{q}%"), Jurisdiction.code.ilike(f"{q}%")))
    nodes = _tree_order(list(db.session.scalars(stmt)))
    shown = [n for n in nodes if n.depth <= 2] or nodes
    map_html = maps.records_map([], areas=shown, title=str(_("行政区划")))
    return render_template(
        "registry/jurisdictions.html", nodes=nodes, map_html=map_html, levels=JURISDICTION_LEVELS
    )


@bp.get("/jurisdictions/<int:record_id>")
@login_required
def jurisdictions_detail(record_id: int) -> Any:
    node = jurisdictions.by_id_or_404(db.session, record_id)
    children = _tree_order(
        list(db.session.scalars(select(Jurisdiction).where(Jurisdiction.parent_id == node.id)))
    )
    counts = {
        slug: db.session.scalar(
            select(func.count())
            .select_from(model)
            .where(model.retired_at.is_(None), jurisdictions.subtree_filter(column, node.path))
        )
        for slug, model, column in COUNTED
    }
    rules = current_app.extensions["responder.rules"]
    stale = {
        slug: db.session.scalar(
            select(func.count())
            .select_from(model)
            .where(
                model.retired_at.is_(None),
                jurisdictions.subtree_filter(column, node.path),
                or_(
                    model.verified_at.is_(None),
                    model.verified_at
                    < registry.stale_cutoff(rules.stale_days_for(LISTINGS[slug].kind.entity)),
                ),
            )
        )
        for slug, model, column in COUNTED
    }
    stale_rules = {slug: rules.stale_days_for(LISTINGS[slug].kind.entity) for slug in counts}
    map_html = maps.records_map([], areas=[node, *children], title=node.name, height="360px")
    return render_template(
        "registry/jurisdiction_detail.html",
        node=node,
        children=children,
        counts=counts,
        stale=stale,
        stale_rules=stale_rules,
        map_html=map_html,
        listings=LISTINGS,
    )
