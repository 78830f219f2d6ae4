"""Configurable domain rules, loaded from ``rules.toml`` (or a file named by the settings).

Every number DOMAIN.md marks *default* lives in that file, never in code paths.
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
class Rules:
    """The domain rules in force for one app instance."""

    mobilization_min: dict[str, float]
    arrival_standard_min: dict[str, float]
    severity_scale: dict[str, int]
    working_days_to_file: int
    evaluation_years: int
    drill_months: int
    target_rate: float
    required_industries: frozenset[str]
    high_risk_industries: frozenset[str]
    holidays: frozenset[date] = field(default_factory=frozenset)
    workdays: frozenset[date] = field(default_factory=frozenset)
    counted_plan_types: frozenset[str] = frozenset({"comprehensive", "special", "on_site"})
    #: Days after which a registry record not re-verified by its owner counts as stale.
    stale_after_days: int = 90
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
        drill_months=int(filing["drill_months"]),
        target_rate=float(filing["target_rate"]),
        required_industries=frozenset(filing["required_industries"]),
        high_risk_industries=frozenset(filing["high_risk_industries"]),
        holidays=frozenset(date.fromisoformat(d) for d in filing.get("holidays", [])),
        workdays=frozenset(date.fromisoformat(d) for d in filing.get("workdays", [])),
        counted_plan_types=frozenset(filing["counted_plan_types"]),
        stale_after_days=int(data.get("registry", {}).get("stale_after_days", 90)),
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
    )
