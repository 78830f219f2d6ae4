"""Road closures and slowdowns set by operators, honoured by every query immediately."""

from __future__ import annotations

import json
import math
from typing import Any

from shapely import affinity
from shapely.geometry import Point, shape
from sqlalchemy import select
from sqlalchemy.orm import Session

from responder.errors import Conflict, Forbidden, InvalidInput, NotFound, Unprocessable
from responder.models import Jurisdiction, RoadClosure, utcnow
from responder.routing import Closures, RoadNetwork
from responder.services import audit
from responder.services.actors import Actor

MAX_RADIUS_M = 5000.0
_M_PER_DEGREE = 111_320.0


def require_in_scope(
    session: Session, actor: Actor, lon: float, lat: float, radius_m: float
) -> None:
    """A scoped actor may close or lift roads only inside their own jurisdiction: the
    whole circle (centre and radius), not just its centre, must lie within its boundary,
    so a county operator cannot close a neighbouring county's roads from across the line.
    """
    actor.require("roads.write")
    if actor.scope_path is None:
        return
    home = session.scalar(select(Jurisdiction).where(Jurisdiction.path == actor.scope_path))
    if home is None or not home.boundary:
        raise Forbidden("your jurisdiction has no boundary to close roads in", field="lon")
    circle = affinity.scale(
        Point(lon, lat).buffer(radius_m / _M_PER_DEGREE, quad_segs=8),
        xfact=1 / max(math.cos(math.radians(lat)), 1e-6),
        yfact=1.0,
    )
    if not shape(json.loads(home.boundary)).covers(circle):
        raise Forbidden(
            "the closure reaches outside your jurisdiction "
            f"({home.name}); an operator above it must set it",
            field="lon",
        )


def create(
    session: Session,
    actor: Actor,
    network: RoadNetwork,
    *,
    lon: float,
    lat: float,
    radius_m: float,
    reason: str,
    factor: float | None = None,
) -> RoadClosure:
    """Close (``factor`` None) or slow (``factor`` > 1) every road edge within ``radius_m``
    of a point: "the road here is flooded", "the hazard zone itself".  A scoped actor
    may do so only inside their jurisdiction (:func:`require_in_scope`)."""
    actor.require("roads.write")
    if not 0 < radius_m <= MAX_RADIUS_M:
        raise InvalidInput(f"radius_m must be in (0, {MAX_RADIUS_M:g}]", field="radius_m")
    if factor is not None and not (1 < factor < 1000 and math.isfinite(factor)):
        raise InvalidInput("factor must be between 1 and 1000 (omit it to close)", field="factor")
    if not reason.strip():
        raise InvalidInput("say why the road is closed or slowed", field="reason")
    require_in_scope(session, actor, lon, lat, radius_m)
    edges = [int(e) for e in network.edges_near(lon, lat, radius_m=radius_m)]
    if not edges:
        raise Unprocessable(f"no road within {radius_m:g} m of that point", field="lon")
    closure = RoadClosure(
        network_version=network.version,
        edge_ids=edges,
        factor=factor,
        reason=reason.strip(),
        lon=lon,
        lat=lat,
        radius_m=radius_m,
        created_by=actor.user_id,
    )
    session.add(closure)
    session.flush()
    audit.record(
        session, actor, "create", "road_closure", closure.id, after=audit.snapshot(closure)
    )
    return closure


def lift(session: Session, actor: Actor, closure_id: int) -> RoadClosure:
    """Lift a closure; a scoped actor only one lying wholly inside their jurisdiction."""
    actor.require("roads.write")
    closure = session.get(RoadClosure, closure_id)
    if closure is None:
        raise NotFound(f"road closure {closure_id} not found")
    if closure.lon is not None and closure.lat is not None:
        radius = max(closure.radius_m or 0.0, 1.0)
        require_in_scope(session, actor, closure.lon, closure.lat, radius)
    elif actor.scope_path is not None:
        raise Forbidden("a closure without a place may be lifted only by an unscoped operator")
    if closure.lifted_at is not None:
        raise Conflict(f"road closure {closure_id} was already lifted")
    closure.lifted_at, closure.lifted_by = utcnow(), actor.user_id
    session.flush()
    audit.record(session, actor, "lift", "road_closure", closure.id)
    return closure


def active(session: Session) -> list[RoadClosure]:
    return list(
        session.scalars(
            select(RoadClosure).where(RoadClosure.lifted_at.is_(None)).order_by(RoadClosure.id)
        )
    )


def in_force(
    session: Session, network: RoadNetwork
) -> tuple[Closures | None, list[int], list[dict[str, Any]]]:
    """The closures to apply to ``network`` now, their ids, and any that do not apply
    because they were made on another version of the road network."""
    factors: dict[int, float] = {}
    ids, stale = [], []
    for closure in active(session):
        if closure.network_version != network.version:
            stale.append(
                {
                    "id": closure.id,
                    "reason": closure.reason,
                    "message": "made on another road-network version; re-create it",
                }
            )
            continue
        ids.append(closure.id)
        factor = math.inf if closure.factor is None else closure.factor
        for edge in closure.edge_ids:
            factors[edge] = max(factors.get(edge, 1.0), factor)
    return (Closures.from_records(factors) if factors else None), ids, stale
