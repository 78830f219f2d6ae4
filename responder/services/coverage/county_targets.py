"""County targets (县级目标): the minimum professional rescue forces per county, and full
coverage of professional rescue forces in key hazchem and mining counties (危化、矿山重点县
专业应急力量全覆盖).

Per county-level jurisdiction: the non-retired professional teams and rescue bases
registered in it against the minimum in the rules (``[county_targets]``).  For a key
county, per key specialty (``key_hazchem`` → hazchem, ``key_mining`` → mine): the share of
its enterprises (of the specialty's industries) and major hazard sources reached within the
specialty's arrival-time standard by the available teams, against ``key_share`` (100%).
Coverage is the coverage page's own computation (:func:`.figures.compute`) with the same
standard and land (:mod:`responder.services.standards`): one multi-source search per key
specialty for every key county at once, then counted per county.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, defer

from responder.models import Enterprise, HazardSource, Jurisdiction, RescueBase, RescueTeam
from responder.rules import CountyTargets, KeySites, Standard
from responder.services import jurisdictions
from responder.services.actors import Actor
from responder.services.coverage.figures import (
    Area,
    CoverageResult,
    Site,
    compute,
    site_figures,
    standard_figures,
)
from responder.services.dispatch.context import RoutingContext
from responder.services.dispatch.resources import team_resources
from responder.services.standards import EPSILON_S, Land, land_for

#: The key-county mark of each key specialty (jurisdiction attribute → specialty code).
KEY_SPECIALTIES: tuple[tuple[str, str], ...] = (("key_hazchem", "hazchem"), ("key_mining", "mine"))


def county_targets(
    session: Session,
    actor: Actor,
    ctx: RoutingContext,
    *,
    jurisdiction_id: int | None = None,
) -> dict[str, Any]:
    """Per county in ``jurisdiction_id`` (all counties when None; the county itself, or
    the county above it, when it is one or lies below one): the minimum forces and, for
    key counties, the coverage per key specialty, each with ``met`` (``None``: nothing to
    judge).  ``summary`` counts the counties meeting every target."""
    actor.require("coverage.read")
    targets = ctx.rules.county_targets
    counties = _counties(session, jurisdiction_id)
    county_ids = {node.id for node in counties}
    teams = _count_by_county(
        session,
        select(RescueTeam.jurisdiction_id).where(
            RescueTeam.retired_at.is_(None),
            RescueTeam.kind.in_(sorted(targets.professional_kinds)),
        ),
        county_ids,
    )
    bases = _count_by_county(
        session,
        select(RescueBase.jurisdiction_id).where(RescueBase.retired_at.is_(None)),
        county_ids,
    )
    coverage_rows = _key_coverage(session, ctx, counties, targets)
    rows = [
        _county_row(node, teams.get(node.id, 0), bases.get(node.id, 0), targets, coverage_rows)
        for node in counties
    ]
    return {
        "jurisdiction_id": jurisdiction_id,
        "rules": {
            "min_professional_teams": targets.min_professional_teams,
            "professional_kinds": sorted(targets.professional_kinds),
            "min_bases": targets.min_bases,
            "key_share": targets.key_share,
            "key_sites": {
                code: {"industries": sorted(s.industries), "hazard_sources": s.hazard_sources}
                for code, s in sorted(targets.sites.items())
            },
        },
        "counties": rows,
        "summary": {
            "counties": len(rows),
            "met": sum(1 for r in rows if r["met"]),
            "key_counties": sum(1 for r in rows if r["key"]),
            "key_met": sum(1 for r in rows if r["key"] and r["met"]),
        },
    }


def _counties(session: Session, jurisdiction_id: int | None) -> list[Jurisdiction]:
    """The county-level jurisdictions asked about, by code."""
    # The boundaries (long GeoJSON text) are not needed here.
    query = (
        select(Jurisdiction)
        .options(defer(Jurisdiction.boundary))
        .where(Jurisdiction.level == "county")
    )
    if jurisdiction_id is not None:
        node = jurisdictions.get(session, jurisdiction_id)
        county_id = jurisdictions.county_id_of(session, node.id)
        if county_id is not None:
            query = query.where(Jurisdiction.id == county_id)
        else:
            query = query.where(jurisdictions.subtree_filter(Jurisdiction.id, node.path))
    return list(session.scalars(query.order_by(Jurisdiction.code)))


def _county_in(path: str, county_ids: set[int]) -> int | None:
    """The county (among ``county_ids``) on a jurisdiction's materialized path."""
    for part in reversed(path.strip("/").split("/")):
        if part and int(part) in county_ids:
            return int(part)
    return None


def _counties_of(session: Session, ids: Iterable[int], county_ids: set[int]) -> dict[int, int]:
    """Each jurisdiction id (of those given) that lies in one of ``county_ids`` → that
    county: one query, one path walk per distinct jurisdiction."""
    wanted = set(ids)
    if not wanted:
        return {}
    rows = session.execute(
        select(Jurisdiction.id, Jurisdiction.path).where(Jurisdiction.id.in_(wanted))
    )
    found = {row.id: _county_in(row.path, county_ids) for row in rows}
    return {j: county for j, county in found.items() if county is not None}


def _count_by_county(session: Session, query: Any, county_ids: set[int]) -> dict[int, int]:
    """Rows of ``query`` (one jurisdiction id each) counted by the county they lie in."""
    ids = list(session.scalars(query))
    county_of = _counties_of(session, ids, county_ids)
    counts: dict[int, int] = {}
    for jurisdiction_id in ids:
        county = county_of.get(jurisdiction_id)
        if county is not None:
            counts[county] = counts.get(county, 0) + 1
    return counts


@dataclass(frozen=True)
class _CountySite:
    """A site of a key county, with the industry of its enterprise (for the filter)."""

    county_id: int
    industry: str
    site: Site


def _key_coverage(
    session: Session,
    ctx: RoutingContext,
    counties: Sequence[Jurisdiction],
    targets: CountyTargets,
) -> dict[tuple[int, str], dict[str, Any]]:
    """(county id, specialty) → the coverage block of each key county's key specialty:
    the sites are read once, and each key specialty with something to cover runs the
    coverage computation once for all its key counties."""
    keyed = {
        specialty: {node.id for node in counties if getattr(node, flag)}
        for flag, specialty in KEY_SPECIALTIES
    }
    firms, sources = _sites_in(session, set().union(*keyed.values()))
    out: dict[tuple[int, str], dict[str, Any]] = {}
    for specialty, ids in keyed.items():
        if not ids:
            continue
        wanted = targets.sites.get(specialty, KeySites(frozenset()))
        enterprises = [s for s in firms if s.county_id in ids and s.industry in wanted.industries]
        hazards = [
            s
            for s in sources
            if s.county_id in ids
            and (wanted.hazard_sources == "all" or s.industry in wanted.industries)
        ]
        standard = ctx.rules.standard_for(specialty)
        land = land_for(session, ctx.rules, standard)
        result = None
        if enterprises or hazards:  # nothing to cover: no search to run
            result = compute(
                ctx.network,
                specialty=specialty,
                standard=standard,
                teams=team_resources(session, ctx.rules, specialties=[specialty]),
                enterprises=[s.site for s in enterprises],
                hazards=[s.site for s in hazards],
                area=Area(None, None),
                closures=ctx.closures,
                snap_max_m=ctx.snap_max_m,
                land=land,
            )
        for county_id in sorted(ids):
            out[(county_id, specialty)] = _coverage_block(
                standard,
                land,
                result,
                [s.site for s in enterprises if s.county_id == county_id],
                [s.site for s in hazards if s.county_id == county_id],
                targets.key_share,
            )
    return out


def _sites_in(session: Session, keyed: set[int]) -> tuple[list[_CountySite], list[_CountySite]]:
    """The active enterprises and major hazard sources of the key counties ``keyed``
    (their subtrees), each with its county and its enterprise's industry."""
    if not keyed:
        return [], []
    paths = session.scalars(select(Jurisdiction.path).where(Jurisdiction.id.in_(keyed))).all()
    inside = or_(*(jurisdictions.subtree_filter(Enterprise.jurisdiction_id, p) for p in paths))
    firms = session.execute(
        select(
            Enterprise.id,
            Enterprise.name,
            Enterprise.lon,
            Enterprise.lat,
            Enterprise.industry,
            Enterprise.jurisdiction_id,
        )
        .where(Enterprise.retired_at.is_(None), inside)
        .order_by(Enterprise.id)
    ).all()
    sources = session.execute(
        select(
            HazardSource.id,
            HazardSource.name,
            Enterprise.lon,
            Enterprise.lat,
            HazardSource.grade,
            Enterprise.name,
            Enterprise.industry,
            Enterprise.jurisdiction_id,
        )
        .join(Enterprise, Enterprise.id == HazardSource.enterprise_id)
        .where(HazardSource.retired_at.is_(None), Enterprise.retired_at.is_(None), inside)
        .order_by(HazardSource.id)
    ).all()
    county_of = _counties_of(session, {row.jurisdiction_id for row in [*firms, *sources]}, keyed)
    enterprises = [
        _CountySite(
            county_of[row.jurisdiction_id],
            row.industry,
            Site("enterprise", row.id, row.name, row.lon, row.lat),
        )
        for row in firms
        if row.jurisdiction_id in county_of
    ]
    hazards = [
        _CountySite(
            county_of[jurisdiction_id],
            industry,
            Site("hazard_source", hid, name, lon, lat, grade, firm),
        )
        for hid, name, lon, lat, grade, firm, industry, jurisdiction_id in sources
        if jurisdiction_id in county_of
    ]
    return enterprises, hazards


def _coverage_block(
    standard: Standard,
    land: Land,
    result: CoverageResult | None,
    enterprises: Sequence[Site],
    hazards: Sequence[Site],
    key_share: float,
) -> dict[str, Any]:
    """One key specialty in one county: sites judged and covered, against ``key_share``
    (``result`` None: the specialty has nothing to cover anywhere asked about)."""
    standard_s = standard.limit_min * 60.0 + EPSILON_S
    judged_keys = result.judged if result is not None else frozenset()
    times = result.site_times if result is not None else {}
    blocks = {}
    for name, sites in (("enterprises", enterprises), ("hazard_sources", hazards)):
        judged = [s for s in sites if (s.kind, s.id) in judged_keys]
        block = site_figures(judged, times, standard_s)
        block["not_judged"] = len(sites) - len(judged)
        block["met"] = None if block["share"] is None else block["share"] >= key_share
        blocks[name] = block
    verdicts = [b["met"] for b in blocks.values() if b["met"] is not None]
    return {
        "specialty": standard.specialty,
        "standard": standard_figures(standard, land),
        "target_share": key_share,
        **blocks,
        "met": all(verdicts) if verdicts else None,
    }


def _county_row(
    node: Jurisdiction,
    teams: int,
    bases: int,
    targets: CountyTargets,
    coverage_rows: dict[tuple[int, str], dict[str, Any]],
) -> dict[str, Any]:
    key = [
        coverage_rows[(node.id, specialty)]
        for flag, specialty in KEY_SPECIALTIES
        if getattr(node, flag) and (node.id, specialty) in coverage_rows
    ]
    forces = {
        "professional_teams": {
            "count": teams,
            "min": targets.min_professional_teams,
            "met": teams >= targets.min_professional_teams,
        },
        "bases": {"count": bases, "min": targets.min_bases, "met": bases >= targets.min_bases},
    }
    # A key specialty with no site to judge (None) does not fail the county.
    met = all(f["met"] for f in forces.values()) and all(k["met"] is not False for k in key)
    return {
        "jurisdiction_id": node.id,
        "code": node.code,
        "name": node.name,
        "key_hazchem": node.key_hazchem,
        "key_mining": node.key_mining,
        **forces,
        "key": key,
        "met": met,
    }
