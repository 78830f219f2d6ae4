"""Arrival-time standards applied one way everywhere: coverage, drills, feasibility, siting.

Each standard says what it counts (``rules.Standard``): fire counts from the dispatch
order (its own 1 min turnout + drive), mine rescue counts the drive only, the rest count
the team's mobilization + drive.  A standard judged on urban land only (fire) judges
nothing outside it, and nothing at all where no urban land is known: the time is still
reported, the verdict is ``None``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache

import shapely
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from responder.models import Jurisdiction
from responder.rules import Rules, Standard

#: Slack for float sums (seconds) when a time equals the limit.
EPSILON_S = 1e-9


@dataclass(frozen=True)
class Land:
    """Where a standard is judged: everywhere (``everywhere``), or inside ``geometry``
    (``None`` with ``everywhere`` false: no such land is known, nothing is judged)."""

    kind: str
    everywhere: bool
    geometry: BaseGeometry | None = None

    def judges(self, lon: float, lat: float) -> bool:
        """Whether a place lies on land this standard is judged on."""
        if self.everywhere:
            return True
        return self.geometry is not None and bool(shapely.contains_xy(self.geometry, lon, lat))


EVERYWHERE = Land("all", True)


@dataclass(frozen=True)
class Verdict:
    """The counted time and whether it meets the standard (``None``: not judged here)."""

    counted_s: float
    limit_s: float
    met: bool | None


def judge(
    standard: Standard, mobilization_s: float, drive_s: float, *, judged: bool = True
) -> Verdict:
    """The time ``standard`` counts for a team with this mobilization and drive, and
    whether it meets the limit (``None`` when the place is not on the standard's land)."""
    counted = standard.offset_min(mobilization_s / 60.0) * 60.0 + drive_s
    limit = standard.limit_min * 60.0
    return Verdict(counted, limit, (counted <= limit + EPSILON_S) if judged else None)


def land_for(session: Session, rules: Rules, standard: Standard) -> Land:
    """The land ``standard`` is judged on: everywhere, or the union of the boundaries of
    the urban jurisdictions in the rules (with their subtrees)."""
    if standard.land != "urban":
        return EVERYWHERE
    codes = sorted(rules.urban_jurisdiction_codes)
    if not codes:
        return Land("urban", False)
    roots = session.scalars(select(Jurisdiction.path).where(Jurisdiction.code.in_(codes))).all()
    if not roots:
        return Land("urban", False)
    rows = session.scalars(
        select(Jurisdiction.boundary).where(
            Jurisdiction.boundary.is_not(None),
            or_(*(Jurisdiction.path.startswith(path) for path in roots)),
        )
    ).all()
    geometry = _union(tuple(sorted({row for row in rows if row})))
    return Land("urban", False, geometry)


@lru_cache(maxsize=16)
def _union(boundaries: tuple[str, ...]) -> BaseGeometry | None:
    if not boundaries:
        return None
    geometry = shapely.union_all([shape(json.loads(b)) for b in boundaries])
    shapely.prepare(geometry)
    return geometry
