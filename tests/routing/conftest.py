"""Fixtures for the routing engine: the demo region (the tiny network is shared from
``tests/fixtures/roads.py``)."""

from __future__ import annotations

from pathlib import Path

import pytest

from responder.routing.cache import write_compiled
from responder.routing.importer import read_road_graph
from responder.routing.network import RoadNetwork
from responder.routing.tables import tables_from_graph

DEMO = Path(__file__).resolve().parents[2] / "maps" / "demo" / "coquimbo.osm.bz2"


@pytest.fixture(scope="session")
def demo_graph():
    """The demo region read by the importer (osmnx graph and report)."""
    return read_road_graph(DEMO)


@pytest.fixture(scope="session")
def demo_net(demo_graph, tmp_path_factory: pytest.TempPathFactory) -> RoadNetwork:
    """The demo region compiled from the same graph and loaded from its cache."""
    graph, _ = demo_graph
    out = tmp_path_factory.mktemp("cache") / "demo"
    return RoadNetwork.load(write_compiled(tables_from_graph(graph), out, version="test"))
