"""Where to add the next team: greedy maximal covering of uncovered hazard sources."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import scipy.sparse as sp
import shapely
from numpy.typing import NDArray
from shapely.geometry.base import BaseGeometry
from sqlalchemy import select
from sqlalchemy.orm import Session

from responder.errors import InvalidInput
from responder.models import (
    Depot,
    RescueBase,
)
from responder.routing import RoadNetwork
from responder.routing import coverage as search
from responder.services import jurisdictions
from responder.services.actors import Actor
from responder.services.coverage.areas import area_of
from responder.services.coverage.figures import Area, Site
from responder.services.coverage.live import coverage
from responder.services.dispatch.context import RoutingContext
from responder.services.dispatch.placing import snap_all


@dataclass(frozen=True)
class Candidate:
    kind: str  # base | depot | node
    id: int | None
    name: str
    lon: float
    lat: float


def registry_candidates(session: Session, area: Area) -> list[Candidate]:
    """Existing bases and depots (in the area's subtree, when one is given)."""
    out: list[Candidate] = []
    models: tuple[tuple[type[RescueBase] | type[Depot], str], ...] = (
        (RescueBase, "base"),
        (Depot, "depot"),
    )
    for model, kind in models:
        query = select(model.id, model.name, model.lon, model.lat).where(model.retired_at.is_(None))
        if area.node is not None:
            query = query.where(jurisdictions.subtree_filter(model.jurisdiction_id, area.node.path))
        out += [Candidate(kind, *row) for row in session.execute(query.order_by(model.id))]
    return out


def greedy_cover(
    cover: sp.csr_matrix, k: int, weights: NDArray[np.float64] | None = None
) -> list[tuple[int, list[int], float]]:
    """Greedy maximal covering: ``cover[c, h]`` true when candidate ``c`` covers target
    ``h``.  Picks up to ``k`` candidates, each the one adding the most (weighted) still-
    uncovered targets (ties: lowest index); stops when nothing more can be gained.

    Returns (candidate, newly covered targets, gain) per pick.
    """
    n_targets = cover.shape[1]
    w = np.ones(n_targets) if weights is None else np.asarray(weights, dtype=np.float64)
    open_ = np.ones(n_targets, dtype=bool)
    matrix = cover.tocsr().astype(np.float64)
    picks: list[tuple[int, list[int], float]] = []
    for _ in range(k):
        gains = matrix @ (w * open_)
        if gains.size == 0:
            break
        best = int(np.argmax(gains))
        if gains[best] <= 0:
            break
        row = matrix.getrow(best).indices
        newly = sorted(int(h) for h in row if open_[h])
        open_[newly] = False
        picks.append((best, newly, float(gains[best])))
    return picks


def suggest_sites(
    session: Session,
    actor: Actor,
    ctx: RoutingContext,
    *,
    specialty: str,
    jurisdiction_id: int | None = None,
    k: int = 3,
    candidates: str = "registry",
    mobilization_min: float | None = None,
    away: Iterable[int] = (),
) -> dict[str, Any]:
    """The best ``k`` sites for a new team of ``specialty``: each covers the most major
    hazard sources still uncovered (after the earlier picks), with its gain.

    ``candidates``: ``"registry"`` (existing bases and depots) or ``"nodes"`` (any road node
    in the area).  The new team mobilizes in ``mobilization_min`` (default: a professional
    team's, from the rules).
    """
    if candidates not in ("registry", "nodes"):
        raise InvalidInput("candidates must be 'registry' or 'nodes'", field="candidates")
    if not 1 <= k <= 50:
        raise InvalidInput("k must be between 1 and 50", field="k")
    base = coverage(
        session,
        actor,
        ctx,
        specialty=specialty,
        jurisdiction_id=jurisdiction_id,
        away=away,
    )
    mobilization = (
        ctx.rules.mobilization_for("professional")
        if mobilization_min is None
        else float(mobilization_min)
    )
    if mobilization < 0:
        raise InvalidInput("mobilization_min must be >= 0", field="mobilization_min")
    area = area_of(session, jurisdiction_id)
    uncovered = base.figures["uncovered_hazard_sources"]
    # The longest drive that still meets the standard, by what the standard counts
    # (fire: 5 - 1 min turnout; mine: 30; the rest: the limit - the new team's mobilization).
    drive_budget_min = ctx.rules.standard_for(specialty).drive_budget_min(mobilization)
    budget = drive_budget_min * 60.0
    answer: dict[str, Any] = {
        "specialty": specialty,
        "standard_min": base.standard_min,
        "mobilization_min": mobilization,
        "drive_budget_min": drive_budget_min,
        "candidates": candidates,
        "uncovered_before": len(uncovered),
        "picks": [],
        "coverage": base.figures,
    }
    if not uncovered or budget < 0:
        return answer
    targets = [
        Site("hazard_source", h["id"], h["name"], h["lon"], h["lat"], h["grade"], h["enterprise"])
        for h in uncovered
    ]
    target_snaps, reachable, _ = snap_all(ctx.network, targets, ctx.snap_max_m)
    if candidates == "registry":
        options = registry_candidates(session, area)
        snaps, options, _ = snap_all(ctx.network, options, ctx.snap_max_m)
        # many-to-many: the network picks its fastest way (hierarchy or bounded searches)
        times = ctx.network.table(snaps, target_snaps, closures=ctx.closures, cutoff_s=budget)
        columns = [np.flatnonzero(np.isfinite(times[:, j])) for j in range(len(target_snaps))]
    else:
        reach = search.reach_sets(ctx.network, target_snaps, budget, closures=ctx.closures)
        inside = _nodes_in(ctx.network, area.geometry)
        options = [
            Candidate(
                "node",
                int(n),
                f"road node {int(n)}",
                float(ctx.network.node_lon[n]),
                float(ctx.network.node_lat[n]),
            )
            for n in np.flatnonzero(inside)
        ]
        row_of = np.full(ctx.network.node_count, -1, dtype=np.int64)
        row_of[np.flatnonzero(inside)] = np.arange(len(options))
        columns = [row_of[nodes][row_of[nodes] >= 0] for nodes, _ in reach]
    cover = _cover_matrix(columns, len(options))
    for rank, (row, newly, gain) in enumerate(greedy_cover(cover, k), start=1):
        option = options[row]
        answer["picks"].append(
            {
                "rank": rank,
                "kind": option.kind,
                "id": option.id,
                "name": option.name,
                "lon": option.lon,
                "lat": option.lat,
                "gain": int(gain),
                "covers": [
                    {
                        "id": reachable[h].id,
                        "name": reachable[h].name,
                        "enterprise": reachable[h].enterprise,
                        "grade": reachable[h].grade,
                    }
                    for h in newly
                ],
            }
        )
    return answer


def _cover_matrix(columns: Sequence[NDArray[np.int64]], rows: int) -> sp.csr_matrix:
    counts = [len(c) for c in columns]
    row_idx = np.concatenate(columns) if columns else np.zeros(0, dtype=np.int64)
    col_idx = np.repeat(np.arange(len(columns)), counts)
    data = np.ones(row_idx.size, dtype=np.float64)
    return sp.csr_matrix((data, (row_idx, col_idx)), shape=(rows, len(columns)))


def _nodes_in(network: RoadNetwork, geometry: BaseGeometry | None) -> NDArray[np.bool_]:
    if geometry is None:
        return np.ones(network.node_count, dtype=bool)
    inside: NDArray[np.bool_] = shapely.contains_xy(geometry, network.node_lon, network.node_lat)
    return inside
