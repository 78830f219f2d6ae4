"""What HTTP handlers hand to services besides the request: the process's road network,
the rules, "today" in the configured time zone, and the routing context built from them.

This is the one place that reads them from the app (``app.extensions`` and the config), so
a handler never spells an extension key and services never touch Flask.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from flask import current_app

from responder.errors import Unavailable
from responder.models import db
from responder.rules import Rules
from responder.services import closures, plans
from responder.services.dispatch import RoutingContext
from responder.services.workdays import today_in

if TYPE_CHECKING:  # the type only: http/ reaches the road engine through services
    from responder.routing import RoadNetwork
    from responder.routing.names import RoadNames

#: Where :func:`responder.create_app` keeps the loaded road network and the rules.
ROADS_KEY = "responder.roads"
RULES_KEY = "responder.rules"
NAMES_KEY = "responder.road_names"


def loaded_road_network() -> RoadNetwork | None:
    """The process's road network, or None when none is loaded (pages still render)."""
    network: RoadNetwork | None = current_app.extensions.get(ROADS_KEY)
    return network


def road_network() -> RoadNetwork:
    """The process's road network, or 503 when it is not loaded."""
    network = loaded_road_network()
    if network is None:
        raise Unavailable(
            "the road network is not loaded; run `flask --app wsgi roads import`",
            code="roads_unavailable",
        )
    return network


def rules() -> Rules:
    """The domain rules in force (loaded once at start-up)."""
    loaded: Rules = current_app.extensions[RULES_KEY]
    return loaded


def today() -> date:
    """Today's date in the service's time zone (the ``TIMEZONE`` setting), not the host's."""
    return today_in(current_app.config["TIMEZONE"])


def snap_max_m() -> float:
    """Points farther than this from any road are refused (the ``SNAP_MAX_M`` setting)."""
    return float(current_app.config["SNAP_MAX_M"])


def routing_context() -> RoutingContext:
    """Roads, the closures in force on them, rules and settings for dispatch, coverage and
    drills (503 without a road network)."""
    network = road_network()
    in_force, ids, stale = closures.in_force(db.session, network)
    return RoutingContext(
        network=network,
        rules=rules(),
        closures=in_force,
        closure_ids=ids,
        snap_max_m=snap_max_m(),
        hazard_radius_m=float(current_app.config["HAZARD_RADIUS_M"]),
        related_plans=plans.for_incident,
        stale_closures=stale,
    )


def road_names() -> RoadNames | None:
    """The street names of the process's road network (None when not loaded), read once at
    start-up beside the compiled cache (see :func:`responder.routing.names.ensure_road_names`)."""
    names: RoadNames | None = current_app.extensions.get(NAMES_KEY)
    return names
