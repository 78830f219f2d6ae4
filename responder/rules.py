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

    def mobilization_for(self, kind: str) -> float:
        """Default mobilization minutes for a team kind."""
        return float(self.mobilization_min.get(kind, max(self.mobilization_min.values())))

    def arrival_standard_for(self, specialty: str) -> float:
        """Arrival-time standard in minutes for a specialty."""
        table = self.arrival_standard_min
        return float(table.get(specialty, table["default"]))

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
    )
