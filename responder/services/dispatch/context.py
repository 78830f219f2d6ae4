"""What a proposal needs besides the database: roads, rules and settings."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from responder.models import (
    Incident,
)
from responder.routing import (
    Closures,
    RoadNetwork,
)
from responder.rules import Rules

RelatedPlans = Callable[[Session, Incident], list[dict[str, Any]]]


@dataclass
class DispatchContext:
    """What a proposal needs besides the database: roads, rules and settings."""

    network: RoadNetwork
    rules: Rules
    closures: Closures | None
    closure_ids: list[int]
    snap_max_m: float
    hazard_radius_m: float
    related_plans: RelatedPlans | None = None
    #: Closures recorded on another version of the road network, reported, not applied.
    stale_closures: list[dict[str, Any]] = field(default_factory=list)
