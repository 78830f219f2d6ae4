"""Dispatch tests run on the real demo road network with a small, hand-placed registry."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import networkx as nx
import numpy as np
import pytest
from flask import Flask

from responder.models import Depot, InventoryLine, RescueTeam, db
from responder.routing import RoadNetwork
from responder.services import jurisdictions, matrix, registry
from responder.services.actors import SYSTEM
from responder.services.materials import by_code, seed_catalog
from responder.services.resources import DEPOTS, TEAMS
from tests.conftest import square


@pytest.fixture
def app(roads_app: Flask) -> Flask:
    return roads_app


@pytest.fixture(scope="session")
def reference_graph(demo_network_cache: Any) -> nx.DiGraph:
    """An independent networkx graph of the demo roads (min time over parallel edges)."""
    return reference_graph_of(demo_network_cache)


def reference_graph_of(cache: Any) -> nx.DiGraph:
    """An independent networkx graph of a compiled network (min time over parallel edges)."""
    network = RoadNetwork.load(cache)
    graph = nx.DiGraph()
    for u, v, t in zip(network.edge_u, network.edge_v, network.edge_time_s, strict=True):
        u, v, t = int(u), int(v), float(t)
        if not graph.has_edge(u, v) or graph[u][v]["t"] > t:
            graph.add_edge(u, v, t=t)
    return graph


@dataclass
class World:
    network: RoadNetwork
    west: Any
    east: Any
    add_team: Callable[..., RescueTeam]
    add_depot: Callable[..., Depot]

    def node_point(self, node: int) -> tuple[float, float]:
        return float(self.network.node_lon[node]), float(self.network.node_lat[node])


@pytest.fixture
def world(app: Flask) -> World:
    """Two counties splitting the demo region at its middle longitude; the catalog and
    the default response matrix; helpers to place teams and depots on road nodes."""
    network: RoadNetwork = app.extensions["responder.roads"]
    min_lon, min_lat, max_lon, max_lat = network.bounds
    pad = 0.01
    min_lon, min_lat, max_lon, max_lat = min_lon - pad, min_lat - pad, max_lon + pad, max_lat + pad
    mid = (min_lon + max_lon) / 2
    make = lambda **data: jurisdictions.create(db.session, SYSTEM, data)  # noqa: E731
    province = make(
        code="990000",
        name="演示省",
        level="province",
        boundary=_box(min_lon, min_lat, max_lon, max_lat),
    )
    city = make(
        code="990100",
        name="滨海市",
        level="city",
        parent_id=province.id,
        boundary=_box(min_lon, min_lat, max_lon, max_lat),
    )
    west = make(
        code="990102",
        name="西区",
        level="county",
        parent_id=city.id,
        boundary=_box(min_lon, min_lat, mid, max_lat),
    )
    east = make(
        code="990103",
        name="东区",
        level="county",
        parent_id=city.id,
        boundary=_box(mid, min_lat, max_lon, max_lat),
    )
    seed_catalog(db.session)
    matrix.seed(db.session, app.extensions["responder.rules"])
    db.session.commit()
    counter = iter(range(100_000))

    def add_team(
        node: int,
        specialties: list[str],
        *,
        kind: str = "professional",
        mobilization_min: float | None = None,
        name: str | None = None,
    ) -> RescueTeam:
        lon, lat = float(network.node_lon[node]), float(network.node_lat[node])
        team = registry.create(
            db.session,
            SYSTEM,
            TEAMS,
            {
                "name": name or f"队伍{next(counter)}",
                "specialties": specialties,
                "level": "county",
                "kind": kind,
                "headcount": 10,
                "lon": lon,
                "lat": lat,
                "mobilization_min": mobilization_min,
            },
        )
        db.session.commit()
        return team

    def add_depot(node: int, stock: dict[str, float], *, expiry: Any = None) -> Depot:
        lon, lat = float(network.node_lon[node]), float(network.node_lat[node])
        depot = registry.create(
            db.session, SYSTEM, DEPOTS, {"name": f"物资库{next(counter)}", "lon": lon, "lat": lat}
        )
        for code, quantity in stock.items():
            db.session.add(
                InventoryLine(
                    depot_id=depot.id,
                    material_id=by_code(db.session, code).id,
                    quantity=quantity,
                    expiry_date=expiry,
                )
            )
        db.session.commit()
        return depot

    return World(network, west, east, add_team, add_depot)


def _box(a: float, b: float, c: float, d: float) -> dict[str, Any]:
    return square(a, b, 0) | {"coordinates": [[[a, b], [c, b], [c, d], [a, d], [a, b]]]}


@pytest.fixture
def times_to(reference_graph: nx.DiGraph) -> Callable[[int], dict[int, float]]:
    """node -> {other node: networkx travel time from other node TO it}."""

    def compute(target: int) -> dict[int, float]:
        return nx.single_source_dijkstra_path_length(
            reference_graph.reverse(copy=False), target, weight="t"
        )

    return compute


def central_node(network: RoadNetwork) -> int:
    lon, lat = network.node_lon, network.node_lat
    cx, cy = np.median(lon), np.median(lat)
    return int(np.argmin((lon - cx) ** 2 + (lat - cy) ** 2))
