"""What an incident already has on the way or on scene, and what is still unmet.

A reinforcement proposal (增援) asks only for the outstanding part of the needs at the
incident's current grade: the needs of the response matrix minus the teams still committed
(dispatched, on scene) and the stock dispatched and not yet settled.  Raising the grade
raises the needs, so the same subtraction re-scales what a reinforcement brings.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from responder.models import Incident
from responder.services import matrix

#: Team states that still count towards the incident's needs (a returning team does not).
COUNTING_STATES = ("dispatched", "on_scene")


@dataclass(frozen=True)
class Outstanding:
    """Needs still open after what is committed, and the committed parts themselves."""

    teams: list[matrix.TeamNeed]
    materials: list[matrix.MaterialNeed]
    committed_teams: dict[str, int]
    committed_stock: dict[int, float]
    committed_team_ids: list[int]

    def summary(self) -> list[dict[str, Any]]:
        """Open needs as plain rows (kind, code, still needed) for pages and the API."""
        rows: list[dict[str, Any]] = [
            {"kind": "team", "specialty": n.specialty, "needed": n.count} for n in self.teams
        ]
        rows.extend(
            {
                "kind": "material",
                "material": n.code,
                "name": n.name,
                "unit": n.unit,
                "needed": n.quantity,
            }
            for n in self.materials
        )
        return rows


def outstanding(
    incident: Incident,
    team_needs: Sequence[matrix.TeamNeed],
    material_needs: Sequence[matrix.MaterialNeed],
) -> Outstanding:
    """Subtract the incident's committed teams and unsettled stock from the needs.

    A team counts once, for the specialty it was dispatched for (or, without one, for the
    first need it could fill).
    """
    committed: dict[str, int] = {}
    team_ids = []
    needed_order = [n.specialty for n in team_needs]
    for a in incident.assignments:
        if a.status not in COUNTING_STATES:
            continue
        team_ids.append(a.team_id)
        specialty = a.specialty or next((s for s in needed_order if s in a.team.specialties), "")
        committed[specialty] = committed.get(specialty, 0) + 1
    stock: dict[int, float] = {}
    for d in incident.material_dispatches:
        if d.settled_at is None:
            stock[d.line.material_id] = stock.get(d.line.material_id, 0.0) + float(d.quantity)
    teams = [
        replace(n, count=n.count - committed.get(n.specialty, 0))
        for n in team_needs
        if n.count > committed.get(n.specialty, 0)
    ]
    materials = [
        replace(n, quantity=round(n.quantity - stock.get(n.material_id, 0.0), 6))
        for n in material_needs
        if n.quantity - stock.get(n.material_id, 0.0) > 1e-9
    ]
    return Outstanding(teams, materials, committed, stock, sorted(team_ids))
