"""The demo region: engine travel times equal networkx Dijkstra on the same graph."""

from __future__ import annotations

import itertools

import networkx as nx
import numpy as np
import pytest

from responder.routing import Closures, NoRoute, PointTooFarFromRoad, RoadNetwork, Snap
from responder.routing.coverage import arrival_times, road_shares

TOLERANCE_S = 1e-6


def _random_snaps(net: RoadNetwork, count: int, seed: int) -> list[Snap]:
    rng = np.random.default_rng(seed)
    xy = net.core.arrays["road_coords"]
    pts = xy[rng.integers(0, len(xy), count)] + rng.normal(0, 0.0005, (count, 2))
    return net.snap_many(pts[:, 0], pts[:, 1])


def _reference_graph(graph: nx.MultiDiGraph, net: RoadNetwork, snaps: list[Snap]) -> nx.DiGraph:
    """The imported graph plus one node per snapped point, joined by partial edges."""
    ref = nx.DiGraph()
    for u, v, d in graph.edges(data=True):  # keep the minimum over parallel edges
        if not ref.has_edge(u, v) or d["travel_time"] < ref[u][v]["w"]:
            ref.add_edge(u, v, w=d["travel_time"])
    osm = net.core.arrays["node_osmid"]
    t = net.edge_time_s

    def add(a: object, b: object, w: float) -> None:  # a loop road (u == v) adds two
        if not ref.has_edge(a, b) or w < ref[a][b]["w"]:
            ref.add_edge(a, b, w=w)

    for i, s in enumerate(snaps):
        p, u, v = ("p", i), int(osm[s.u]), int(osm[s.v])
        add(u, p, s.fraction * t[s.edge])
        add(p, v, (1 - s.fraction) * t[s.edge])
        if s.twin >= 0:
            add(v, p, (1 - s.fraction) * t[s.twin])
            add(p, u, s.fraction * t[s.twin])
    for (i, a), (j, b) in itertools.permutations(enumerate(snaps), 2):
        if a.edge == b.edge and b.fraction >= a.fraction:
            add(("p", i), ("p", j), (b.fraction - a.fraction) * t[a.edge])
        if a.edge == b.edge and a.twin >= 0 and b.fraction <= a.fraction:
            add(("p", i), ("p", j), (a.fraction - b.fraction) * t[a.twin])
    return ref


def _nx_times(ref: nx.DiGraph, origin: int, others: range, *, reverse: bool) -> np.ndarray:
    graph = ref.reverse(copy=False) if reverse else ref
    dist = nx.single_source_dijkstra_path_length(graph, ("p", origin), weight="w")
    return np.array([dist.get(("p", j), np.inf) for j in others])


def test_demo_import_report(demo_graph) -> None:
    _, report = demo_graph
    assert report.nodes > 8000 and report.edges > 20000
    assert report.nodes_dropped > 0  # islands behind one-way streets are reported


def test_times_to_and_from_equal_networkx(demo_graph, demo_net: RoadNetwork) -> None:
    graph, _ = demo_graph
    snaps = _random_snaps(demo_net, 60, seed=3)
    ref = _reference_graph(graph, demo_net, snaps)
    sources = range(10, 60)
    pairs = 0
    for target in range(10):
        others = [snaps[j] for j in sources]
        expected_to = _nx_times(ref, target, sources, reverse=True)
        got_to = demo_net.times_to(snaps[target], others)
        np.testing.assert_allclose(got_to, expected_to, atol=TOLERANCE_S, rtol=0)
        expected_from = _nx_times(ref, target, sources, reverse=False)
        got_from = demo_net.times_from(snaps[target], others)
        np.testing.assert_allclose(got_from, expected_from, atol=TOLERANCE_S, rtol=0)
        pairs += 2 * len(others)
    assert pairs >= 1000
    assert not np.allclose(got_to, got_from)  # one-way streets make directions differ


def test_node_to_node_equals_networkx(demo_graph, demo_net: RoadNetwork) -> None:
    graph, _ = demo_graph
    rng = np.random.default_rng(5)
    nodes = rng.choice(demo_net.node_count, 200, replace=False)
    snaps = demo_net.snap_many(demo_net.node_lon[nodes], demo_net.node_lat[nodes])
    osm = demo_net.core.arrays["node_osmid"]
    target = int(osm[nodes[0]])
    dist = nx.single_source_dijkstra_path_length(
        graph.reverse(copy=False), target, weight="travel_time"
    )
    expected = np.array([dist[int(osm[n])] for n in nodes[1:]])
    got = demo_net.times_to(snaps[0], snaps[1:])
    assert np.max(np.abs(got - expected)) <= TOLERANCE_S


def test_need_and_cutoff_keep_the_nearest_exact(demo_net: RoadNetwork) -> None:
    snaps = _random_snaps(demo_net, 201, seed=7)
    target, sources = snaps[0], snaps[1:]
    full = demo_net.times_to(target, sources)
    for need in (1, 5, 20):
        early = demo_net.times_to(target, sources, need=need)
        finite = np.isfinite(early)
        assert finite.sum() >= need
        np.testing.assert_allclose(early[finite], full[finite], atol=TOLERANCE_S, rtol=0)
        assert set(np.argsort(full)[:need]) <= set(np.flatnonzero(finite))
    cut = demo_net.times_to(target, sources, cutoff_s=300)
    np.testing.assert_array_equal(np.isfinite(cut), full <= 300)


def test_route_matches_times_and_closure_reroutes(demo_net: RoadNetwork) -> None:
    snaps = _random_snaps(demo_net, 2, seed=11)
    source, target = snaps
    route = demo_net.route(source, target)
    assert route.travel_time_s == pytest.approx(demo_net.times_from(source, [target])[0])
    assert route.coords[0] == pytest.approx((source.lon, source.lat))
    assert route.coords[-1] == pytest.approx((target.lon, target.lat))
    middle = route.edges[1:-1]
    twins = [int(demo_net.core.arrays["edge_twin"][e]) for e in middle]
    closed = Closures.closed(middle + [e for e in twins if e >= 0])
    try:
        detour = demo_net.route(source, target, closures=closed)
    except NoRoute:
        return
    assert detour.travel_time_s > route.travel_time_s
    assert not set(middle) & set(detour.edges)


def test_multi_source_arrival_times_equal_networkx(demo_graph, demo_net: RoadNetwork) -> None:
    graph, _ = demo_graph
    sources = _random_snaps(demo_net, 8, seed=13)
    times, nearest = arrival_times(demo_net, sources)
    ref = _reference_graph(graph, demo_net, sources)
    for i in range(len(sources)):
        ref.add_edge("super", ("p", i), w=0.0)
    dist = nx.single_source_dijkstra_path_length(ref, "super", weight="w")
    osm = demo_net.core.arrays["node_osmid"]
    expected = np.array([dist.get(int(o), np.inf) for o in osm])
    assert np.max(np.abs(times - expected)) <= TOLERANCE_S
    per_source = np.array([arrival_times(demo_net, [s])[0] for s in sources])
    assert np.all(per_source[nearest, np.arange(demo_net.node_count)] <= times + TOLERANCE_S)
    covered = road_shares(demo_net, times, 300) @ demo_net.road_length_m
    assert 0 < covered < demo_net.road_length_m.sum()


def test_snap_is_the_nearest_segment(demo_net: RoadNetwork) -> None:
    rng = np.random.default_rng(17)
    minx, miny, maxx, maxy = demo_net.bounds
    lons, lats = rng.uniform(minx, maxx, 300), rng.uniform(miny, maxy, 300)
    xy = demo_net.core.arrays["road_coords"]
    same = demo_net.core.arrays["vertex_road"][:-1] == demo_net.core.arrays["vertex_road"][1:]
    a, b = xy[:-1][same], xy[1:][same]
    for lon, lat in zip(lons, lats, strict=True):
        kx = np.cos(np.radians(lat)) * 111195.08
        ax, ay = (a[:, 0] - lon) * kx, (a[:, 1] - lat) * 111195.08
        dx, dy = (b[:, 0] - a[:, 0]) * kx, (b[:, 1] - a[:, 1]) * 111195.08
        t = np.clip(-(ax * dx + ay * dy) / np.maximum(dx * dx + dy * dy, 1e-12), 0, 1)
        best = np.hypot(ax + t * dx, ay + t * dy).min()
        try:
            snap = demo_net.snap(lon, lat)
        except PointTooFarFromRoad:
            assert best > 2000
            continue
        assert snap.distance_m == pytest.approx(best, abs=1e-3)


def test_offsets_rank_by_arrival(demo_net: RoadNetwork) -> None:
    snaps = _random_snaps(demo_net, 101, seed=23)
    target, sources = snaps[0], snaps[1:]
    mobilization = np.random.default_rng(23).choice([300.0, 600.0, 1200.0], len(sources))
    arrival = demo_net.times_to(target, sources) + mobilization
    early = demo_net.times_to(target, sources, need=5, offsets_s=mobilization)
    finite = np.isfinite(early)
    np.testing.assert_allclose(early[finite], arrival[finite], atol=TOLERANCE_S, rtol=0)
    assert set(np.argsort(arrival)[:5]) <= set(np.flatnonzero(finite))
    times, _ = arrival_times(demo_net, sources[:5], offsets_s=mobilization[:5])
    plain = np.array([arrival_times(demo_net, [s])[0] for s in sources[:5]])
    np.testing.assert_allclose(times, (plain + mobilization[:5, None]).min(axis=0), atol=1e-6)
    with pytest.raises(ValueError, match="offsets_s"):
        demo_net.times_to(target, sources, offsets_s=[1.0])


def test_concurrent_queries_with_and_without_closures(demo_net: RoadNetwork) -> None:
    from concurrent.futures import ThreadPoolExecutor

    snaps = _random_snaps(demo_net, 41, seed=29)
    targets, sources = snaps[:20], snaps[20:]
    closed = Closures.closed(demo_net.edges_near(targets[1].lon, targets[1].lat, radius_m=400))

    def query(i: int) -> np.ndarray:
        return demo_net.times_to(targets[i % 20], sources, closures=closed if i % 2 else None)

    expected = [query(i) for i in range(40)]
    with ThreadPoolExecutor(4) as pool:
        got = list(pool.map(query, range(40)))
    for want, have in zip(expected, got, strict=True):
        np.testing.assert_array_equal(want, have)
    plain = demo_net.times_to(targets[1], sources)
    assert not np.array_equal(plain, expected[1])  # the closure matters for this target
