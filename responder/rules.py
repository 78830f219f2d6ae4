"""Configurable domain rules, loaded from ``rules.toml`` (or a file named by the settings).

Every number docs/domain.md marks *default* lives in that file, never in code paths.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

DEFAULT_RULES_FILE = Path(__file__).with_name("rules.toml")

#: What an arrival-time standard counts: from the dispatch order with the standard's own
#: turnout (fire), drive time only (mine), or the team's mobilization + drive (the rest).
STANDARD_COUNTS = ("from_order", "drive", "mobilization_drive")
#: The land a standard is judged on.
STANDARD_LANDS = ("all", "urban")
#: Which major hazard sources a key county's specialty must cover: all of the county's, or
#: only those of the enterprises of the specialty's industries.
KEY_HAZARD_SOURCES = ("all", "of_industries")


@dataclass(frozen=True)
class KeySites:
    """The sites of a key county (重点县) one specialty must cover: the enterprises of
    ``industries`` and the major hazard sources named by ``hazard_sources``."""

    industries: frozenset[str]
    hazard_sources: str = "all"


@dataclass(frozen=True)
class CountyTargets:
    """The per-county minimum (professional teams and bases) and, for key counties, the
    share of sites each key specialty must cover (``sites`` by specialty code)."""

    min_professional_teams: int = 1
    professional_kinds: frozenset[str] = frozenset({"professional"})
    min_bases: int = 1
    key_share: float = 1.0
    sites: dict[str, KeySites] = field(default_factory=dict)


@dataclass(frozen=True)
class Standard:
    """One specialty's arrival-time standard: its limit, what it counts, where it applies."""

    specialty: str
    limit_min: float
    counts: str = "mobilization_drive"
    turnout_min: float = 0.0
    land: str = "all"

    def offset_min(self, mobilization_min: float) -> float:
        """Minutes counted before the drive starts: the standard's own turnout
        (``from_order``), nothing (``drive``) or the team's mobilization."""
        if self.counts == "from_order":
            return self.turnout_min
        if self.counts == "drive":
            return 0.0
        return mobilization_min

    def counted_min(self, mobilization_min: float, drive_min: float) -> float:
        """The time the standard compares with its limit."""
        return self.offset_min(mobilization_min) + drive_min

    def drive_budget_min(self, mobilization_min: float) -> float:
        """The longest drive that still meets the standard (negative: none does)."""
        return self.limit_min - self.offset_min(mobilization_min)


@dataclass(frozen=True)
class CalendarYear:
    """One year of the State Council holiday notice as shipped in the rules file."""

    year: int
    source: str
    verified: bool


@dataclass(frozen=True)
class Rules:
    """The domain rules in force for one app instance."""

    mobilization_min: dict[str, float]
    arrival_standard_min: dict[str, float]
    severity_scale: dict[str, int]
    working_days_to_file: int
    evaluation_years: int
    target_rate: float
    #: Who must file (条例 Art 7), the province switch for chemical users applied.
    required_industries: frozenset[str]
    #: Who evaluates every ``evaluation_years`` (办法 Art 35): by industry, by industry when
    #: holding a major hazard source (above the set quantities), and by enterprise scale.
    evaluation_industries: frozenset[str]
    evaluation_above_threshold_industries: frozenset[str] = frozenset()
    evaluation_scales: frozenset[str] = frozenset()
    #: Days the authority has to check a complete submission (办法 Art 28).
    check_working_days: int = 5
    #: Months between drills (办法 Art 33, 条例 Art 8): per enterprise (comprehensive or
    #: special), per on-site scheme, for the 条例 Art 7 units, for government bodies.
    drill_enterprise_months: int = 12
    drill_on_site_months: int = 6
    drill_required_units_months: int = 6
    drill_government_months: int = 24
    #: Materials a submission needs (办法 Art 27), by plan owner kind.
    materials: dict[str, tuple[str, ...]] = field(default_factory=dict)
    #: The review opinion is needed only from units that must file (and so must review).
    review_opinion_only_required: bool = True
    holidays: frozenset[date] = field(default_factory=frozenset)
    workdays: frozenset[date] = field(default_factory=frozenset)
    #: The holiday-calendar years shipped: year → (source notice, verified against it).
    calendar_years: dict[int, CalendarYear] = field(default_factory=dict)
    counted_plan_types: frozenset[str] = frozenset({"comprehensive", "special", "on_site"})
    #: Days after which a registry record not re-verified by its owner counts as stale.
    stale_after_days: int = 90
    #: Registry staleness by entity (``team``, ``inventory_line`` ...); others use
    #: ``stale_after_days``.  ``expiring_within_days``: stock lines flagged before expiry.
    staleness_days: dict[str, int] = field(default_factory=dict)
    expiring_within_days: int = 30
    #: Drills: minutes a team stays on scene by specialty (``default`` for the rest).
    drill_on_scene_min: dict[str, float] = field(default_factory=lambda: {"default": 60.0})
    #: What each standard counts (``default`` for the rest), see :data:`STANDARD_COUNTS`.
    arrival_standard_counts: dict[str, str] = field(
        default_factory=lambda: {"default": "mobilization_drive"}
    )
    #: The turnout minutes a ``from_order`` standard includes.
    arrival_standard_turnout_min: dict[str, float] = field(default_factory=dict)
    #: The land each standard is judged on (``default`` for the rest).
    arrival_standard_land: dict[str, str] = field(default_factory=lambda: {"default": "all"})
    #: Codes of the jurisdictions (with their subtrees) that are urban built-up land.
    urban_jurisdiction_codes: frozenset[str] = frozenset()
    #: Per-county targets: minimum professional teams and bases, key-county coverage.
    county_targets: CountyTargets = field(default_factory=CountyTargets)

    def required_materials(self, owner_kind: str, *, required_unit: bool) -> tuple[str, ...]:
        """The materials a submission by this kind of owner must carry (办法 Art 27);
        ``required_unit``: the enterprise is one that must file (and hold a review)."""
        wanted = self.materials.get(owner_kind, ())
        if owner_kind == "enterprise" and self.review_opinion_only_required and not required_unit:
            wanted = tuple(m for m in wanted if m != "review_opinion")
        return wanted

    def stale_days_for(self, entity: str | None) -> int:
        """Days after which a record of ``entity`` not re-verified counts as stale."""
        return int(self.staleness_days.get(entity or "", self.stale_after_days))

    def mobilization_for(self, kind: str) -> float:
        """Default mobilization minutes for a team kind."""
        return float(self.mobilization_min.get(kind, max(self.mobilization_min.values())))

    def arrival_standard_for(self, specialty: str) -> float:
        """Arrival-time standard in minutes for a specialty."""
        table = self.arrival_standard_min
        return float(table.get(specialty, table["default"]))

    def standard_for(self, specialty: str) -> Standard:
        """The arrival-time standard of a specialty, with what it counts and where."""
        counts = self.arrival_standard_counts
        land = self.arrival_standard_land
        return Standard(
            specialty,
            self.arrival_standard_for(specialty),
            counts.get(specialty, counts.get("default", "mobilization_drive")),
            float(self.arrival_standard_turnout_min.get(specialty, 0.0)),
            land.get(specialty, land.get("default", "all")),
        )

    def on_scene_for(self, specialty: str) -> float:
        """Drills: minutes a team of this specialty stays on scene before returning."""
        table = self.drill_on_scene_min
        return float(table.get(specialty, table.get("default", 60.0)))


def _merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(base.get(key), dict):
            merged[key] = _merge(base[key], value)
        else:
            merged[key] = value
    return merged


def load_rules(path: str | Path | None = None) -> Rules:
    """Read the default rules, then overlay ``path`` when given."""
    data = tomllib.loads(DEFAULT_RULES_FILE.read_text(encoding="utf-8"))
    if path:
        data = _merge(data, tomllib.loads(Path(path).read_text(encoding="utf-8")))
    filing = data["filing"]
    drills = filing.get("drills", {})
    required = set(filing["required_industries"])
    if filing.get("hazchem_users_must_file", False):
        required.add("hazchem_use")
    holidays: set[date] = set()
    workdays: set[date] = set()
    years: dict[int, CalendarYear] = {}
    for year, entry in sorted(data.get("calendar", {}).items()):
        years[int(year)] = CalendarYear(
            int(year), str(entry.get("source", "")), bool(entry.get("verified", False))
        )
        holidays.update(day for item in entry.get("holidays", []) for day in _days(item))
        workdays.update(day for item in entry.get("workdays", []) for day in _days(item))
    # Older rules files listed loose days under [filing]; keep honouring them.
    holidays.update(day for item in filing.get("holidays", []) for day in _days(item))
    workdays.update(day for item in filing.get("workdays", []) for day in _days(item))
    counts = {k: str(v) for k, v in data.get("arrival_standard_counts", {}).items()}
    lands = {k: str(v) for k, v in data.get("arrival_standard_land", {}).items()}
    for table, allowed, name in (
        (counts, STANDARD_COUNTS, "arrival_standard_counts"),
        (lands, STANDARD_LANDS, "arrival_standard_land"),
    ):
        for key, value in table.items():
            if value not in allowed:
                raise ValueError(f"{name}.{key} must be one of {', '.join(allowed)}")
    return Rules(
        mobilization_min={k: float(v) for k, v in data["mobilization_min"].items()},
        arrival_standard_min={k: float(v) for k, v in data["arrival_standard_min"].items()},
        severity_scale={k: int(v) for k, v in data["severity_scale"].items()},
        working_days_to_file=int(filing["working_days_to_file"]),
        evaluation_years=int(filing["evaluation_years"]),
        target_rate=float(filing["target_rate"]),
        required_industries=frozenset(required),
        evaluation_industries=frozenset(filing["evaluation_industries"]),
        evaluation_above_threshold_industries=frozenset(
            filing.get("evaluation_above_threshold_industries", [])
        ),
        evaluation_scales=frozenset(filing.get("evaluation_scales", [])),
        check_working_days=int(filing.get("check_working_days", 5)),
        drill_enterprise_months=int(drills.get("enterprise_months", 12)),
        drill_on_site_months=int(drills.get("on_site_months", 6)),
        drill_required_units_months=int(drills.get("required_units_months", 6)),
        drill_government_months=int(drills.get("government_months", 24)),
        materials={
            kind: tuple(items)
            for kind, items in filing.get("materials", {}).items()
            if isinstance(items, list)
        },
        review_opinion_only_required=bool(
            filing.get("materials", {}).get("review_opinion_only_required", True)
        ),
        holidays=frozenset(holidays - workdays),
        workdays=frozenset(workdays),
        calendar_years=years,
        counted_plan_types=frozenset(filing["counted_plan_types"]),
        stale_after_days=int(data.get("registry", {}).get("stale_after_days", 90)),
        staleness_days={
            k: int(v)
            for k, v in data.get("staleness_days", {}).items()
            if k != "expiring_within_days"
        },
        expiring_within_days=int(data.get("staleness_days", {}).get("expiring_within_days", 30)),
        drill_on_scene_min={
            k: float(v) for k, v in data.get("drill_on_scene_min", {"default": 60}).items()
        },
        arrival_standard_counts={"default": "mobilization_drive", **counts},
        arrival_standard_turnout_min={
            k: float(v) for k, v in data.get("arrival_standard_turnout_min", {}).items()
        },
        arrival_standard_land={"default": "all", **lands},
        urban_jurisdiction_codes=frozenset(
            str(c) for c in data.get("urban", {}).get("jurisdiction_codes", [])
        ),
        county_targets=_county_targets(data.get("county_targets", {})),
    )


def _county_targets(table: dict[str, Any]) -> CountyTargets:
    """``[county_targets]``: the scalar keys, and one sub-table per key specialty."""
    sites = {}
    for specialty, entry in table.items():
        if not isinstance(entry, dict):
            continue
        which = str(entry.get("hazard_sources", "all"))
        if which not in KEY_HAZARD_SOURCES:
            raise ValueError(
                f"county_targets.{specialty}.hazard_sources must be one of "
                f"{', '.join(KEY_HAZARD_SOURCES)}"
            )
        sites[specialty] = KeySites(frozenset(entry.get("industries", [])), which)
    share = float(table.get("key_share", 1.0))
    if not 0 < share <= 1:
        raise ValueError("county_targets.key_share must be in (0, 1]")
    return CountyTargets(
        min_professional_teams=int(table.get("min_professional_teams", 1)),
        professional_kinds=frozenset(table.get("professional_kinds", ["professional"])),
        min_bases=int(table.get("min_bases", 1)),
        key_share=share,
        sites=sites,
    )


def _days(item: str) -> list[date]:
    """The days of one calendar entry: ``"2024-10-01"`` or a range ``"a..b"`` (inclusive)."""
    first, _sep, last = str(item).partition("..")
    start = date.fromisoformat(first.strip())
    end = date.fromisoformat(last.strip()) if last else start
    if end < start:
        raise ValueError(f"calendar range {item!r} ends before it starts")
    return [date.fromordinal(n) for n in range(start.toordinal(), end.toordinal() + 1)]
