"""The routing context: what dispatch, coverage, drills and feasibility need besides the
database — the road network, the closures in force on it, the rules and the settings.

HTTP builds one per request (``responder.http.context.routing_context``); scripts and
tests build one by hand.  Services take it as an explicit dependency.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from responder.models import Incident
from responder.routing import Closures, RoadNetwork
from responder.rules import Rules

RelatedPlans = Callable[[Session, Incident], list[dict[str, Any]]]


@dataclass
class RoutingContext:
    """Roads, closures, rules and settings for one request (or one script run)."""

    network: RoadNetwork
    rules: Rules
    closures: Closures | None
    closure_ids: list[int]
    snap_max_m: float
    #: Hazard sources this close to an incident are listed with its proposal.
    hazard_radius_m: float
    related_plans: RelatedPlans | None = None
    #: Closures recorded on another version of the road network, reported, not applied.
    stale_closures: list[dict[str, Any]] = field(default_factory=list)
