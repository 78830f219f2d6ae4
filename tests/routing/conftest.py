"""Fixtures for the routing engine: the real networks, Coquimbo and the central Hangzhou
demo region (the tiny network is shared from ``tests/fixtures/roads.py``)."""

from __future__ import annotations

from pathlib import Path

import pytest

from responder.routing.cache import write_compiled
from responder.routing.importer import read_road_graph
from responder.routing.network import RoadNetwork
from responder.routing.tables import tables_from_graph

MAPS = Path(__file__).resolve().parents[2] / "maps" / "demo"
#: The real networks the engine is checked on against networkx (see tests/routing/test_demo.py).
REAL_NETWORKS = {
    "coquimbo": MAPS / "coquimbo.osm.bz2",
    "hangzhou": MAPS / "hangzhou_core.osm.bz2",
}


@pytest.fixture(scope="session", params=sorted(REAL_NETWORKS))
def demo_graph(request: pytest.FixtureRequest):
    """Each real network read by the importer (osmnx graph and report)."""
    return read_road_graph(REAL_NETWORKS[request.param])


@pytest.fixture(scope="session")
def demo_cache(demo_graph, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The same network compiled from the same graph (with its hierarchy order)."""
    graph, _ = demo_graph
    out = tmp_path_factory.mktemp("cache") / "net"
    return write_compiled(tables_from_graph(graph), out, version="test")


@pytest.fixture(scope="session")
def demo_net(demo_cache: Path) -> RoadNetwork:
    """The compiled network on the Dijkstra back end, the exact reference checked against
    networkx (the hierarchy is checked against it in tests/routing/test_cch.py)."""
    return RoadNetwork.load(demo_cache, backend="dijkstra")


@pytest.fixture(scope="session")
def demo_cch(demo_cache: Path) -> RoadNetwork:
    """The same cache on the contraction-hierarchy back end."""
    return RoadNetwork.load(demo_cache, backend="cch")
