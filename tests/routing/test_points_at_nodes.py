"""Points lying exactly on a node (fraction 0 or 1), on one-way roads too: registry records
are often placed on nodes, and a point at a node must reach it for free in every query."""

from __future__ import annotations

import math
import random

import networkx as nx
import pytest

from responder.routing import RoadNetwork

#: Largest difference from networkx per back end: Dijkstra is exact, the hierarchy rounds
#: each edge to its integer weight unit (the precision stated in routing/README.md).
TOLERANCE_S = {"dijkstra": 1e-6, "cch": 0.01}


@pytest.fixture(scope="module", params=sorted(TOLERANCE_S))
def network_and_graph(demo_network_cache, reference_graph, request: pytest.FixtureRequest):
    """The demo on each back end, with the independent networkx graph of its roads."""
    return RoadNetwork.load(demo_network_cache, backend=request.param), reference_graph


def test_node_points_match_networkx_both_ways(network_and_graph):
    network, graph = network_and_graph
    tolerance = TOLERANCE_S[network.backend]
    rng = random.Random(11)
    checked = one_way_ends = 0
    for _ in range(200):
        a, b = rng.randrange(network.node_count), rng.randrange(network.node_count)
        source = network.snap(float(network.node_lon[a]), float(network.node_lat[a]))
        target = network.snap(float(network.node_lon[b]), float(network.node_lat[b]))
        one_way_ends += (source.twin < 0) + (target.twin < 0)
        try:
            expected = nx.shortest_path_length(graph, a, b, weight="t")
        except nx.NetworkXNoPath:
            expected = math.inf
        assert network.times_to(target, [source])[0] == pytest.approx(expected, abs=tolerance)
        assert network.times_from(source, [target])[0] == pytest.approx(expected, abs=tolerance)
        if math.isfinite(expected):
            route = network.route(source, target)
            assert route.travel_time_s == pytest.approx(expected, abs=tolerance)
            checked += 1
    assert checked > 150
    assert one_way_ends > 10, "the sample must include points on one-way roads"


def test_one_search_routes_match_route_per_pair(network_and_graph):
    """One reversed search serves many routes: each equals the single-pair route, also
    with a closure in force and for points inside edges."""
    network, _ = network_and_graph
    rng = random.Random(5)
    compared = 0
    for trial in range(30):
        b = rng.randrange(network.node_count)
        target = network.snap(float(network.node_lon[b]) + 1e-4, float(network.node_lat[b]))
        sources = [
            network.snap(
                float(network.node_lon[a]) + rng.choice([0.0, 1e-4]), float(network.node_lat[a])
            )
            for a in (rng.randrange(network.node_count) for _ in range(10))
        ]
        closures = None
        if trial % 3 == 0:
            from responder.routing import Closures

            closures = Closures.closed(
                network.edges_near(
                    float(network.node_lon[b]), float(network.node_lat[b]), radius_m=300
                )
            )
        for source, route in zip(
            sources, network.search_to(target, closures=closures).routes(sources), strict=True
        ):
            try:
                single = network.route(source, target, closures=closures)
            except ValueError:
                assert route is None
                continue
            assert route is not None
            assert route.travel_time_s == pytest.approx(single.travel_time_s, abs=1e-6)
            assert route.length_m == pytest.approx(single.length_m, abs=1e-3)
            assert route.edges == single.edges
            assert route.coords[0] == pytest.approx(single.coords[0])
            assert route.coords[-1] == pytest.approx(single.coords[-1])
            compared += 1
    assert compared > 150


def test_one_search_serves_times_and_routes(network_and_graph):
    """``search_to`` gives the same times as ``times_to`` and the same routes as
    ``route`` per source, with and without closures (dispatch uses it to search once)."""
    from responder.routing import Closures

    network, _ = network_and_graph
    rng = random.Random(9)
    for trial in range(10):
        b = rng.randrange(network.node_count)
        target = network.snap(float(network.node_lon[b]), float(network.node_lat[b]) + 1e-4)
        sources = [
            network.snap(float(network.node_lon[a]), float(network.node_lat[a]))
            for a in (rng.randrange(network.node_count) for _ in range(15))
        ]
        closures = (
            Closures.closed(
                network.edges_near(
                    float(network.node_lon[b]), float(network.node_lat[b]), radius_m=200
                )
            )
            if trial % 2
            else None
        )
        tree = network.search_to(target, closures=closures)
        expected = network.times_to(target, sources, closures=closures)
        assert list(tree.times(sources)) == pytest.approx(list(expected), abs=1e-9)
        for source, mine, time_s in zip(sources, tree.routes(sources), expected, strict=True):
            assert (mine is None) == math.isinf(time_s)
            if mine is not None:
                theirs = network.route(source, target, closures=closures)
                assert mine.edges == theirs.edges
                assert mine.travel_time_s == pytest.approx(theirs.travel_time_s, abs=1e-9)
    assert list(tree.times([])) == []
