"""Fixtures for the routing engine: a hand-written tiny OSM extract and the real networks
(Coquimbo and the central Hangzhou demo region)."""

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

# Map of the tiny network (lon grows to the right, lat upwards; 0.001 deg ~ 111 m):
#
#   4 ---->---- 5 ---->---- 6 ---> 8      4-5-6 one-way east (way 11); 6->8 one-way
#   |           :           |             dead end (way 17, dropped: not strongly
#   |        footway        |             connected); 2-5 footway (way 14, dropped)
#   |           :           |
#   1 --------- 2 --------- 3             1-2-3 residential (way 10)
#    \_________ 7 _________/              1-7-3 primary, maxspeed 100 (way 16): a
#                                         parallel edge 1<->3, faster than way 10
TINY_OSM = """<?xml version="1.0" encoding="UTF-8"?>
<osm version="0.6" generator="hand">
  <node id="1" version="1" lat="0.0000" lon="0.0000"/>
  <node id="2" version="1" lat="0.0000" lon="0.0010"/>
  <node id="3" version="1" lat="0.0000" lon="0.0020"/>
  <node id="4" version="1" lat="0.0010" lon="0.0000"/>
  <node id="5" version="1" lat="0.0010" lon="0.0010"/>
  <node id="6" version="1" lat="0.0010" lon="0.0020"/>
  <node id="7" version="1" lat="-0.0005" lon="0.0010"/>
  <node id="8" version="1" lat="0.0010" lon="0.0030"/>
  <way id="10" version="1"><nd ref="1"/><nd ref="2"/><nd ref="3"/>
    <tag k="highway" v="residential"/><tag k="name" v="South Street"/></way>
  <way id="11" version="1"><nd ref="4"/><nd ref="5"/><nd ref="6"/>
    <tag k="highway" v="residential"/><tag k="oneway" v="yes"/></way>
  <way id="12" version="1"><nd ref="1"/><nd ref="4"/><tag k="highway" v="residential"/></way>
  <way id="13" version="1"><nd ref="3"/><nd ref="6"/><tag k="highway" v="residential"/></way>
  <way id="14" version="1"><nd ref="2"/><nd ref="5"/><tag k="highway" v="footway"/></way>
  <way id="16" version="1"><nd ref="1"/><nd ref="7"/><nd ref="3"/>
    <tag k="highway" v="primary"/><tag k="maxspeed" v="100"/></way>
  <way id="17" version="1"><nd ref="6"/><nd ref="8"/>
    <tag k="highway" v="residential"/><tag k="oneway" v="yes"/></way>
</osm>
"""


@pytest.fixture
def tiny_osm(tmp_path: Path) -> Path:
    """The tiny network as OSM XML."""
    path = tmp_path / "tiny.osm"
    path.write_text(TINY_OSM, encoding="utf-8")
    return path


@pytest.fixture
def tiny_net(tiny_osm: Path, tmp_path: Path) -> RoadNetwork:
    """The tiny network, compiled and loaded."""
    from responder.routing.cache import ensure_compiled

    return RoadNetwork.load(ensure_compiled(tiny_osm, tmp_path / "cache" / "tiny"))


@pytest.fixture(scope="session", params=sorted(REAL_NETWORKS))
def demo_graph(request: pytest.FixtureRequest):
    """Each real network read by the importer (osmnx graph and report)."""
    return read_road_graph(REAL_NETWORKS[request.param])


@pytest.fixture(scope="session")
def demo_net(demo_graph, tmp_path_factory: pytest.TempPathFactory) -> RoadNetwork:
    """The same network compiled from the same graph and loaded from its cache."""
    graph, _ = demo_graph
    out = tmp_path_factory.mktemp("cache") / "net"
    return RoadNetwork.load(write_compiled(tables_from_graph(graph), out, version="test"))
