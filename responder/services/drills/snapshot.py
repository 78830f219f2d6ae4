"""The registry snapshot a run saw, kept so two runs can say what changed."""

from __future__ import annotations

import hashlib
import json
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from responder.models import (
    Depot,
    InventoryLine,
    Material,
    RescueTeam,
)
from responder.services.dispatch import RoutingContext
from responder.services.dispatch.resources import effective_mobilization_min, is_expired


def registry_snapshot(session: Session, ctx: RoutingContext, *, today: date) -> dict[str, Any]:
    """Every non-retired team (with its status) and every stock line, as plain values:
    what a run saw, kept so two runs can say what changed in the registry."""
    teams = {}
    for team in session.scalars(
        select(RescueTeam).where(RescueTeam.retired_at.is_(None)).order_by(RescueTeam.id)
    ):
        teams[str(team.id)] = {
            "name": team.name,
            "status": team.status,
            "specialties": team.specialties,
            "kind": team.kind,
            "mobilization_min": effective_mobilization_min(
                ctx.rules, team.kind, team.mobilization_min
            ),
            "lon": round(team.lon, 6),
            "lat": round(team.lat, 6),
        }
    stock = {}
    rows = session.execute(
        select(InventoryLine, Depot, Material)
        .join(Depot, Depot.id == InventoryLine.depot_id)
        .join(Material, Material.id == InventoryLine.material_id)
        .where(Depot.retired_at.is_(None))
        .order_by(InventoryLine.id)
    )
    for line, depot, material in rows:
        stock[str(line.id)] = {
            "depot": depot.name,
            "material": material.code,
            "name": material.name_zh,
            "unit": material.unit,
            "quantity": float(line.quantity),
            "expired": is_expired(line.expiry_date, today),
        }
    return {
        "teams": teams,
        "stock": stock,
        "network_version": ctx.network.version,
        "closures": list(ctx.closure_ids),
    }


def fingerprint(snapshot: dict[str, Any]) -> str:
    """A stable hash of a registry snapshot (equal snapshots, equal fingerprints)."""
    text = json.dumps(snapshot, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()
