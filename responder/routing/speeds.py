"""Speed table: free-flow speed by OSM highway class.

The default table ships as ``default_speeds.json`` beside this module (values from
OSRM's car profile, see its ``_source`` key). A JSON file of the same shape overrides
single classes; ``default`` is used for classes the table does not name.
"""

from __future__ import annotations

import hashlib
import json
import math
from dataclasses import dataclass
from pathlib import Path

DEFAULT_TABLE_PATH = Path(__file__).with_name("default_speeds.json")


@dataclass(frozen=True)
class SpeedTable:
    """Speeds in km/h by highway class, plus a digest for cache version keys.

    Attributes
    ----------
    kph : dict[str, float]
        Speed by highway class; key ``"default"`` is the fallback.
    digest : str
        Hex SHA-256 of the canonical JSON of ``kph``; changes whenever a speed does.
    """

    kph: dict[str, float]
    digest: str

    def speed_for(self, highway: str) -> float:
        """Return the table speed for a highway class, or the default."""
        return self.kph.get(highway, self.kph["default"])


def load_speed_table(path: str | Path | None = None) -> SpeedTable:
    """Load the default speed table, overridden by the JSON file at ``path``.

    Parameters
    ----------
    path : str or Path or None
        JSON object mapping highway class to km/h. Keys starting with ``_`` are
        comments and ignored. ``None`` means the shipped default only.

    Returns
    -------
    SpeedTable
    """
    table = _read_table(DEFAULT_TABLE_PATH)
    if path is not None:
        table.update(_read_table(Path(path)))
    canonical = json.dumps(table, sort_keys=True, separators=(",", ":"))
    return SpeedTable(kph=table, digest=hashlib.sha256(canonical.encode()).hexdigest())


def _read_table(path: Path) -> dict[str, float]:
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise ValueError(f"cannot read speed table {path}: {exc}") from exc
    if not isinstance(raw, dict):
        raise ValueError(f"speed table {path} must be a JSON object of class -> km/h")
    table: dict[str, float] = {}
    for key, value in raw.items():
        if key.startswith("_"):
            continue
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ValueError(f"speed table {path}: speed for {key!r} must be a number")
        if not math.isfinite(value) or value <= 0:
            raise ValueError(f"speed table {path}: speed for {key!r} must be > 0 km/h")
        table[str(key)] = float(value)
    return table
