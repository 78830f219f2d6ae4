"""Incident severity (事故等级) derived from the national rule, and the operator's raise.

《生产安全事故报告和调查处理条例》(国务院令493号) Art 3: the highest of three criteria wins —
deaths, serious injuries (acute poisoning included) and direct economic loss.  "以上"
includes the number, "以下" excludes it, so 3 deaths is 较大 and 10 deaths is 重大.

Early on the figures are estimates: an operator may set a grade *above* the derived one,
with a reason that is kept and audited; never below it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from sqlalchemy.orm import Session

from responder.errors import Conflict, InvalidInput
from responder.models import Incident
from responder.services import audit
from responder.services.actors import Actor
from responder.vocabulary import SEVERITIES

#: Grades from lowest to highest.
GRADES = tuple(SEVERITIES)  # general, larger, major, especially_major

_WAN = 10_000
_YI = 100_000_000

#: Lower bounds (inclusive) of each grade above "general", per criterion, highest first.
THRESHOLDS: tuple[tuple[str, int, int, float], ...] = (
    # grade, deaths ≥, serious injuries ≥, direct loss (yuan) ≥
    ("especially_major", 30, 100, 1 * _YI),
    ("major", 10, 50, 5000 * _WAN),
    ("larger", 3, 10, 1000 * _WAN),
)


@dataclass(frozen=True)
class Figures:
    """The three criteria; each may be an estimate."""

    deaths: int = 0
    serious_injuries: int = 0
    direct_loss_yuan: float = 0.0


def derive(figures: Figures) -> str:
    """The grade the national rule gives these figures (highest criterion wins)."""
    for grade, deaths, injuries, loss in THRESHOLDS:
        if (
            figures.deaths >= deaths
            or figures.serious_injuries >= injuries
            or figures.direct_loss_yuan >= loss
        ):
            return grade
    return "general"


def rank(grade: str) -> int:
    return GRADES.index(grade)


def check_figures(figures: Figures) -> None:
    """Counts are whole and not negative; the loss is a finite amount, not negative."""
    for name in ("deaths", "serious_injuries"):
        value = getattr(figures, name)
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise InvalidInput(f"{name} must be a whole number, 0 or more", field=name)
    loss = figures.direct_loss_yuan
    if not isinstance(loss, (int, float)) or not math.isfinite(loss) or loss < 0:
        raise InvalidInput(
            "direct_loss_yuan must be an amount of 0 or more", field="direct_loss_yuan"
        )


def grade_for(figures: Figures, requested: str | None, reason: str) -> tuple[str, str, str]:
    """(effective grade, derived grade, kept reason) for figures and an operator's grade.

    ``requested`` None means "the derived grade".  A requested grade below the derived one
    is refused (422 on ``severity``); one above it needs a reason (422 on ``severity_reason``).
    """
    check_figures(figures)
    derived = derive(figures)
    if requested is None or requested == derived:
        return derived, derived, ""
    if requested not in SEVERITIES:
        raise InvalidInput(f"unknown severity '{requested}'", field="severity")
    if rank(requested) < rank(derived):
        raise InvalidInput(
            f"severity cannot be below '{derived}', the grade the figures give "
            "(deaths, serious injuries, direct loss)",
            field="severity",
        )
    if not reason.strip():
        raise InvalidInput(
            f"severity '{requested}' is above the derived '{derived}': give a reason",
            field="severity_reason",
        )
    return requested, derived, reason.strip()[:500]


def update_record(
    session: Session,
    actor: Actor,
    incident: Incident,
    figures: Figures,
    *,
    severity: str | None = None,
    reason: str = "",
    estimated: bool = True,
) -> Incident:
    """Update the figures (estimates may be revised up or down) and the grade.

    ``severity`` None keeps an earlier raised grade while the figures still stay below it
    (the reason still holds); otherwise the grade follows the figures.
    """
    actor.require(
        "dispatch.write",
        path=incident.jurisdiction.path if incident.jurisdiction else None,
        what="the incident",
    )
    if incident.status != "open":
        raise Conflict(f"incident {incident.id} is closed", field="incident")
    if severity is None and incident.severity_reason:
        kept = incident.severity if rank(incident.severity) > rank(derive(figures)) else None
        severity, reason = kept, incident.severity_reason if kept else ""
    effective, derived, kept_reason = grade_for(figures, severity, reason)
    before = record_of(incident)
    incident.deaths = figures.deaths
    incident.serious_injuries = figures.serious_injuries
    incident.direct_loss_yuan = float(figures.direct_loss_yuan)
    incident.figures_estimated = estimated
    incident.derived_severity = derived
    incident.severity = effective
    incident.severity_reason = kept_reason
    session.flush()
    audit.record(
        session,
        actor,
        "severity",
        "incident",
        incident.id,
        before=before,
        after=record_of(incident),
    )
    return incident


def record_of(incident: Incident) -> dict[str, object]:
    """The severity record as audited and shown."""
    return {
        "deaths": incident.deaths,
        "serious_injuries": incident.serious_injuries,
        "direct_loss_yuan": incident.direct_loss_yuan,
        "figures_estimated": incident.figures_estimated,
        "derived_severity": incident.derived_severity,
        "severity": incident.severity,
        "severity_reason": incident.severity_reason,
    }
