"""The contraction-hierarchy back end answers as the Dijkstra reference does (within the
stated precision, 0.01 s): on the real demo networks and on a generated mosaic, for
points part-way along edges, on the same edge, on one-way roads, unreachable, and under
closures that are honoured by the next query and lifted again."""

from __future__ import annotations

import importlib.util
import math
from pathlib import Path

import networkx as nx
import numpy as np
import pytest

from responder.routing import Closures, NoRoute, RoadNetwork, Snap
from responder.routing.cache import write_compiled
from responder.routing.cch import HEADROOM, INF_WEIGHT, choose_unit
from responder.routing.core import CCH_MIN_NODES
from responder.routing.paths import edge_piece
from responder.routing.tables import tables_from_graph

PRECISION_S = 0.01
SCRIPTS = Path(__file__).resolve().parents[2] / "scripts"


def grid_graph(side: int, seed: int) -> nx.MultiDiGraph:
    """A ``side`` x ``side`` street grid (~110 m blocks): random speeds, a fifth of the
    streets one-way, and a one-way dead end off one corner."""
    rng = np.random.default_rng(seed)
    graph = nx.MultiDiGraph()
    for i in range(side):
        for j in range(side):
            graph.add_node(i * side + j + 1, x=120.0 + 0.001 * i, y=30.0 + 0.001 * j)
    way = 0
    for i in range(side):
        for j in range(side):
            for di, dj in ((1, 0), (0, 1)):
                if i + di >= side or j + dj >= side:
                    continue
                a, b = i * side + j + 1, (i + di) * side + j + dj + 1
                way += 1
                length = 111.0 * (1 + 0.2 * rng.random())
                seconds = length / (rng.uniform(20, 60) / 3.6)
                data = {"length": length, "travel_time": seconds, "osmid": way}
                graph.add_edge(a, b, highway="residential", **data)
                if rng.random() > 0.2:
                    graph.add_edge(b, a, highway="residential", **data)
    # a one-way dead end: the network is not strongly connected (points on it reach nothing)
    graph.add_node(0, x=119.999, y=30.0)
    graph.add_edge(1, 0, highway="residential", length=111.0, travel_time=10.0, osmid=way + 1)
    return graph


@pytest.fixture(scope="module")
def mosaic_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 3 x 3 mosaic (``scripts/make_large_network.py``'s tiling) of a 40 x 40 grid."""
    spec = importlib.util.spec_from_file_location("make_large", SCRIPTS / "make_large_network.py")
    assert spec is not None and spec.loader is not None
    make_large = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(make_large)
    tables = make_large.mosaic(tables_from_graph(grid_graph(40, seed=3)), 3)
    return write_compiled(tables, tmp_path_factory.mktemp("mosaic") / "net", version="mosaic")


@pytest.fixture(scope="module")
def mosaic(mosaic_cache: Path) -> tuple[RoadNetwork, RoadNetwork]:
    """The mosaic on the Dijkstra and on the hierarchy back end."""
    return (
        RoadNetwork.load(mosaic_cache, backend="dijkstra"),
        RoadNetwork.load(mosaic_cache, backend="cch"),
    )


def random_snaps(net: RoadNetwork, count: int, seed: int) -> list[Snap]:
    """Random points snapped onto the network (almost all part-way along an edge)."""
    rng = np.random.default_rng(seed)
    x0, y0, x1, y1 = net.bounds
    out: list[Snap] = []
    while len(out) < count:
        try:
            out.append(net.snap(rng.uniform(x0, x1), rng.uniform(y0, y1), max_distance_m=200))
        except ValueError:
            continue
    return out


def point_on(net: RoadNetwork, edge: int, fraction: float) -> Snap:
    """The snapped point at ``fraction`` of ``edge`` (built directly, not by snapping)."""
    lon, lat = edge_piece(net.core, edge, 0.0, fraction)[-1]
    twin = int(net.core.arrays["edge_twin"][edge])
    u, v = int(net.edge_u[edge]), int(net.edge_v[edge])
    road = int(net.core.arrays["edge_road"][edge])
    return Snap(edge, u, v, fraction, 0.0, lon, lat, twin, road)


def assert_same_times(expected: np.ndarray, got: np.ndarray) -> None:
    """Same reachability, finite times within the precision."""
    np.testing.assert_array_equal(np.isfinite(got), np.isfinite(expected))
    ok = np.isfinite(expected)
    np.testing.assert_allclose(got[ok], expected[ok], atol=PRECISION_S, rtol=0)


def assert_same_ranking(expected: np.ndarray, got: np.ndarray) -> None:
    """Ranked by the hierarchy's times, the reference times never go down by more than
    the precision (the order may differ only among times closer than that)."""
    order = np.argsort(got, kind="stable")
    ref = expected[order]
    ref = ref[np.isfinite(ref)]
    assert np.all(np.diff(ref) > -2 * PRECISION_S)


def compare(dij: RoadNetwork, cch: RoadNetwork, resources: int, incidents: int) -> int:
    """Compare times to/from, rankings and a table; return the finite times compared."""
    res = random_snaps(dij, resources, seed=1)
    incs = random_snaps(dij, incidents, seed=2)
    compared = 0
    for inc in incs:
        for direction in ("to", "from"):
            ask = "times_to" if direction == "to" else "times_from"
            expected = getattr(dij, ask)(inc, res)
            got = getattr(cch, ask)(inc, res)
            assert_same_times(expected, got)
            assert_same_ranking(expected, got)
            compared += int(np.isfinite(expected).sum())
    table = cch.table(incs, res[:40])
    assert table.shape == (incidents, 40)
    assert_same_times(dij.table(incs, res[:40]), table)
    for row, inc in enumerate(incs):
        assert_same_times(cch.times_from(inc, res[:40]), table[row])
    return compared


def test_backend_choice_by_size(
    mosaic_cache: Path, tiny_net: RoadNetwork, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert tiny_net.backend == "dijkstra"
    assert RoadNetwork.load(mosaic_cache).backend == "dijkstra"  # 14,409 nodes
    monkeypatch.setattr("responder.routing.core.CCH_MIN_NODES", 10_000)
    assert RoadNetwork.load(mosaic_cache).backend == "cch"
    assert CCH_MIN_NODES > 14_409
    with pytest.raises(ValueError, match="backend"):
        RoadNetwork.load(mosaic_cache, backend="fastest")  # type: ignore[arg-type]


def test_order_is_stored_with_the_cache(mosaic_cache: Path) -> None:
    order = np.load(mosaic_cache / "cch_order.npy")
    net = RoadNetwork.load(mosaic_cache)
    np.testing.assert_array_equal(np.sort(order), np.arange(net.node_count))
    info = net.meta["cch"]
    assert HEADROOM * info["diameter_bound_s"] / info["unit_s"] < INF_WEIGHT


@pytest.mark.parametrize(
    ("bound_s", "unit_s"),
    [(5_000.0, 4.7e-6), (15_000.0, 1.4e-5), (33_000.0, 3.1e-5), (65_831.5, 6.2e-5)],
)
def test_weight_unit_is_the_finest_that_fits(bound_s: float, unit_s: float) -> None:
    # 65,831 s (the 1M mosaic's bound from a corner) gets 62 us, not the 100 us of the
    # next power of ten; any coarser unit of two digits would waste precision
    unit = choose_unit(bound_s)
    assert unit == pytest.approx(unit_s, rel=1e-9)
    assert HEADROOM * bound_s / unit < INF_WEIGHT
    step = 10.0 ** (math.floor(math.log10(unit_s)) - 1)
    assert HEADROOM * bound_s / (unit - step) >= INF_WEIGHT  # one step finer does not fit


def test_warm_builds_the_hierarchy_the_first_query_uses(mosaic_cache: Path) -> None:
    net = RoadNetwork.load(mosaic_cache, backend="cch")
    assert net.core._hierarchy is None  # loading builds nothing
    assert net.warm() > 0
    built = net.core._hierarchy
    assert built is not None
    snaps = random_snaps(net, 6, seed=11)
    net.times_to(snaps[0], snaps[1:])
    assert net.core._hierarchy is built
    assert RoadNetwork.load(mosaic_cache, backend="dijkstra").warm() == 0.0


def test_demo_times_and_rankings_match_dijkstra(
    demo_net: RoadNetwork, demo_cch: RoadNetwork
) -> None:
    assert compare(demo_net, demo_cch, resources=300, incidents=6) > 3000


def test_mosaic_times_and_rankings_match_dijkstra(mosaic) -> None:
    dij, cch = mosaic
    assert not cch.core.hierarchy().proven  # the dead ends: unreachable answers checked
    assert compare(dij, cch, resources=300, incidents=6) > 3000
    out_degree = np.bincount(dij.edge_u, minlength=dij.node_count)
    ends = [point_on(dij, int(e), 0.5) for e in np.flatnonzero(out_degree[dij.edge_v] == 0)]
    assert len(ends) == 9, "each tile keeps its dead end"
    others = random_snaps(dij, 20, seed=6)
    for end in ends:
        assert_same_times(dij.times_from(end, others), cch.times_from(end, others))
        assert_same_times(dij.times_to(end, others), cch.times_to(end, others))


def test_routes_match_dijkstra(mosaic) -> None:
    dij, cch = mosaic
    res = random_snaps(dij, 30, seed=4)
    incs = random_snaps(dij, 3, seed=5)
    routed = 0
    for inc in incs:
        for source in res:
            try:
                expected = dij.route(source, inc)
            except NoRoute:
                with pytest.raises(NoRoute):
                    cch.route(source, inc)
                continue
            got = cch.route(source, inc)
            assert got.travel_time_s == pytest.approx(expected.travel_time_s, abs=PRECISION_S)
            assert got.coords[0] == pytest.approx((source.lon, source.lat))
            assert got.coords[-1] == pytest.approx((inc.lon, inc.lat))
            times = cch.core.weights(None).times[np.array(got.edges[1:-1], dtype=np.int64)]
            assert float(np.sum(times)) <= got.travel_time_s + 1e-9
            routed += 1
        tree = cch.search_to(inc)
        for route, time_s in zip(tree.routes(res), tree.times(res), strict=True):
            assert (route is None) == math.isinf(time_s)
            if route is not None:
                assert route.travel_time_s == pytest.approx(time_s, abs=PRECISION_S)
    assert routed > 60


@pytest.mark.parametrize("two_way", [True, False])
def test_same_edge_and_partial_edges(mosaic, two_way: bool) -> None:
    dij, cch = mosaic
    twins = dij.core.arrays["edge_twin"]
    edge = int(np.flatnonzero((twins >= 0) if two_way else (twins < 0))[7])
    a, b = point_on(dij, edge, 0.2), point_on(dij, edge, 0.7)
    others = [b, a, point_on(dij, edge, 0.0), point_on(dij, edge, 1.0)]
    for origin in (a, b):
        assert_same_times(dij.times_to(origin, others), cch.times_to(origin, others))
        assert_same_times(dij.times_from(origin, others), cch.times_from(origin, others))
    along = cch.route(a, b)
    assert along.edges == [edge]
    assert along.travel_time_s == pytest.approx(0.5 * dij.edge_time_s[edge])
    back = cch.route(b, a)  # against a one-way road it goes around the block
    assert back.travel_time_s == pytest.approx(dij.route(b, a).travel_time_s, abs=PRECISION_S)
    assert (back.edges == [int(twins[edge])]) == two_way


def test_unreachable_agrees(mosaic) -> None:
    dij, cch = mosaic
    inc = random_snaps(dij, 1, seed=8)[0]
    res = random_snaps(dij, 50, seed=9)
    around = np.flatnonzero((dij.edge_u == inc.u) | (dij.edge_v == inc.u))
    around = np.union1d(around, np.flatnonzero((dij.edge_u == inc.v) | (dij.edge_v == inc.v)))
    cut = Closures.closed(around)
    assert np.all(np.isinf(cch.times_to(inc, res, closures=cut)))
    assert np.all(np.isinf(cch.table(res[:3], [inc], closures=cut)))
    with pytest.raises(NoRoute):
        cch.route(res[0], inc, closures=cut)
    with pytest.raises(NoRoute):
        dij.route(res[0], inc, closures=cut)


def test_closures_honoured_next_query_and_lifted(mosaic) -> None:
    dij, cch = mosaic
    res = random_snaps(dij, 200, seed=11)
    incs = random_snaps(dij, 4, seed=12)
    free = [cch.times_to(inc, res) for inc in incs]
    sets = []
    for inc, times in zip(incs, free, strict=True):
        fastest = cch.route(res[int(np.argmin(times))], inc)
        lon, lat = fastest.coords[len(fastest.coords) // 3]
        closed = Closures.closed(cch.edges_near(lon, lat, radius_m=60))
        slowed = Closures.slowed(cch.edges_near(lon, lat, radius_m=300), 3.0)
        sets.append((inc, fastest, closed | slowed))
    # three closure sets for two spare metrics: each new set moves the least recently
    # used metric by a partial update; asking the first set again must not see the others
    for inc, fastest, closures in sets[:3] + sets[:1]:
        got = cch.times_to(inc, res, closures=closures)
        assert_same_times(dij.times_to(inc, res, closures=closures), got)
        best = int(np.argmin(got))
        detour = cch.route(res[best], inc, closures=closures)
        shut = {e for e, f in closures.items if math.isinf(f)}
        assert not shut.intersection(detour.edges)
        assert shut.intersection(fastest.edges) or detour.travel_time_s > fastest.travel_time_s
        assert detour.travel_time_s == pytest.approx(
            dij.route(res[best], inc, closures=closures).travel_time_s, abs=PRECISION_S
        )
    for inc, times in zip(incs, free, strict=True):  # lifted: free flow again
        np.testing.assert_array_equal(cch.times_to(inc, res), times)
    closures = sets[3][2]
    assert_same_times(
        dij.table(res[:5], incs, closures=closures), cch.table(res[:5], incs, closures=closures)
    )


@pytest.mark.parametrize("one_by_one", [True, False])
def test_need_gives_the_fastest_exactly(
    mosaic, one_by_one: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``need=k`` (asking point by point in lower-bound order and stopping early, or one
    sweep): the finite times are exact and are the k fastest arrivals (mobilization
    offsets included), also for points on the origin's own edge and under closures."""
    if one_by_one:
        monkeypatch.setattr("responder.routing.cch_queries.NEAREST_MIN_NODES", 0)
    dij, cch = mosaic
    res = random_snaps(dij, 200, seed=21)
    rng = np.random.default_rng(22)
    offsets = rng.uniform(0, 600, len(res))
    for inc in random_snaps(dij, 5, seed=23):
        near = [point_on(dij, inc.edge, 0.1), point_on(dij, inc.edge, 0.9)]
        others = res + near
        offs = np.concatenate([offsets, [0.0, 0.0]])
        closures = Closures.slowed(cch.edges_near(inc.lon, inc.lat, radius_m=400), 2.0)
        for direction in ("times_to", "times_from"):
            full = getattr(dij, direction)(inc, others, offsets_s=offs, closures=closures)
            for need in (1, 10):
                got = getattr(cch, direction)(
                    inc, others, need=need, offsets_s=offs, closures=closures
                )
                ok = np.isfinite(got)
                assert ok.sum() >= need
                np.testing.assert_allclose(got[ok], full[ok], atol=PRECISION_S, rtol=0)
                fastest = np.sort(full)[need - 1]
                assert np.all(ok[full < fastest - PRECISION_S])
