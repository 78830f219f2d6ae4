"""Queries on the tiny network: one-way streets, closures, snapping, routes."""

from __future__ import annotations

import math

import numpy as np
import pytest

from responder.routing import (
    Closures,
    InvalidCoordinates,
    NoRoute,
    PointTooFarFromRoad,
    RoadNetwork,
    UnknownEdge,
)
from responder.routing.coverage import arrival_times, road_shares


def _way_edges(net: RoadNetwork, way: int) -> list[int]:
    """Edges built from the OSM way ``way`` (through the public per-edge lookup)."""
    return [e for e in range(net.edge_count) if way in net.edge_osm_ids(e)]


def _edge(net: RoadNetwork, u_osm: int, v_osm: int, cls: str = "residential") -> int:
    ids = net.core.arrays["node_osmid"]
    for e in range(net.edge_count):
        if (ids[net.edge_u[e]], ids[net.edge_v[e]]) == (u_osm, v_osm) and net.edge_class(e) == cls:
            return e
    raise AssertionError(f"no edge {u_osm}->{v_osm}")


def test_snap_to_edge_with_fraction(tiny_net: RoadNetwork) -> None:
    snap = tiny_net.snap(0.0005, 0.0011)  # 11 m north of the one-way street 4->6
    assert snap.twin == -1
    assert (
        tiny_net.core.arrays["node_osmid"][snap.u],
        tiny_net.core.arrays["node_osmid"][snap.v],
    ) == (4, 6)
    assert snap.fraction == pytest.approx(0.25, abs=1e-6)
    assert snap.distance_m == pytest.approx(11.1, abs=0.2)
    assert (snap.lon, snap.lat) == pytest.approx((0.0005, 0.001))


def test_one_way_street_is_respected_both_ways(tiny_net: RoadNetwork) -> None:
    west = tiny_net.snap(0.0005, 0.001)  # on the one-way street, a quarter along
    east = tiny_net.snap(0.0015, 0.001)  # three quarters along
    e = _edge(tiny_net, 4, 6)
    t = tiny_net.edge_time_s
    forward = tiny_net.times_from(west, [east])[0]
    assert forward == pytest.approx(0.5 * t[e])
    backward = tiny_net.times_from(east, [west])[0]
    around = (
        0.25 * t[e] + t[_edge(tiny_net, 6, 3)] + t[_edge(tiny_net, 3, 1, "primary")]
        + t[_edge(tiny_net, 1, 4)] + 0.25 * t[e]
    )  # fmt: skip
    assert backward == pytest.approx(around)
    assert tiny_net.times_to(west, [east])[0] == pytest.approx(backward)
    assert tiny_net.times_to(east, [west])[0] == pytest.approx(forward)


def test_closure_reroutes_and_full_cut_is_unreachable(tiny_net: RoadNetwork) -> None:
    a, b = tiny_net.snap(0.0, 0.0), tiny_net.snap(0.002, 0.0)
    fast = tiny_net.times_from(a, [b])[0]
    primary = Closures.closed(_way_edges(tiny_net, 16))
    assert len(primary) == 2
    slow = tiny_net.times_from(a, [b], closures=primary)[0]
    assert slow == pytest.approx(tiny_net.edge_time_s[_edge(tiny_net, 1, 3)])
    assert slow > fast
    assert tiny_net.route(a, b, closures=primary).travel_time_s == pytest.approx(slow)
    cut = primary | Closures.closed(_way_edges(tiny_net, 10))
    cut |= Closures.closed(_way_edges(tiny_net, 11))
    assert math.isinf(tiny_net.times_from(a, [b], closures=cut)[0])
    with pytest.raises(NoRoute):
        tiny_net.route(a, b, closures=cut)
    assert tiny_net.times_from(a, [b])[0] == pytest.approx(fast)  # closures do not leak


def test_slowdown_scales_travel_time(tiny_net: RoadNetwork) -> None:
    a, b = tiny_net.snap(0.0, 0.0), tiny_net.snap(0.002, 0.0)
    base = tiny_net.times_from(a, [b])[0]
    slowed = Closures.slowed(_way_edges(tiny_net, 16), 1.5)
    assert tiny_net.times_from(a, [b], closures=slowed)[0] == pytest.approx(base * 1.5)


def test_closure_helpers(tiny_net: RoadNetwork) -> None:
    near = tiny_net.edges_near(0.001, 0.001, radius_m=15)  # on the one-way street
    assert list(near) == [_edge(tiny_net, 4, 6)]
    two_way = set(tiny_net.edges_near(0.0, 0.0005, radius_m=15).tolist())  # on road 1-4
    assert two_way == {_edge(tiny_net, 1, 4), _edge(tiny_net, 4, 1)}
    with pytest.raises(UnknownEdge):
        tiny_net.times_from(
            tiny_net.snap(0, 0), [tiny_net.snap(0, 0)], closures=Closures.closed([999])
        )
    with pytest.raises(ValueError):
        Closures.slowed([1], 0.5)
    stored = Closures.from_records([(3, float("inf")), (3, 2.0), (1, 2.0)])
    assert stored.as_records() == [(1, 2.0), (3, float("inf"))]


def test_snapping_errors(tiny_net: RoadNetwork) -> None:
    with pytest.raises(PointTooFarFromRoad, match="nearest road is 167 m away"):
        tiny_net.snap(0.0035, 0.0, max_distance_m=100)
    with pytest.raises(PointTooFarFromRoad, match="no road within 2000 m"):
        tiny_net.snap(0.05, 0.0)
    with pytest.raises(PointTooFarFromRoad, match="no road"):
        tiny_net.snap(50.0, 10.0)
    with pytest.raises(InvalidCoordinates, match="lon"):
        tiny_net.snap(181.0, 0.0)
    with pytest.raises(InvalidCoordinates, match="lat"):
        tiny_net.snap(0.0, float("nan"))
    assert tiny_net.snap(0.05, 0.0, max_distance_m=6000).distance_m > 5000


def test_route_geometry_and_same_edge(tiny_net: RoadNetwork) -> None:
    west, east = tiny_net.snap(0.0005, 0.001), tiny_net.snap(0.0015, 0.001)
    direct = tiny_net.route(west, east)
    assert direct.coords[0] == pytest.approx((0.0005, 0.001))
    assert direct.coords[-1] == pytest.approx((0.0015, 0.001))
    assert direct.length_m == pytest.approx(111.2, abs=0.5)
    around = tiny_net.route(east, west)
    assert around.travel_time_s == pytest.approx(tiny_net.times_from(east, [west])[0])
    assert len(around.edges) == 5
    assert around.coords[0] == pytest.approx((0.0015, 0.001))
    assert around.coords[-1] == pytest.approx((0.0005, 0.001))
    assert any(lat < -0.0004 for _, lat in around.coords)  # through the primary's bend


def test_nearest_sources_and_coverage(tiny_net: RoadNetwork) -> None:
    s = [tiny_net.snap(0.0, 0.0), tiny_net.snap(0.002, 0.001)]
    times, nearest = arrival_times(tiny_net, s)
    for node in range(tiny_net.node_count):
        single = [
            tiny_net.times_from(
                src, [tiny_net.snap(tiny_net.node_lon[node], tiny_net.node_lat[node])]
            )[0]
            for src in s
        ]
        assert times[node] == pytest.approx(min(single))
        assert nearest[node] == int(np.argmin(single))
    assert road_shares(tiny_net, times, 1e6) == pytest.approx(np.ones(tiny_net.road_count))
    assert not road_shares(tiny_net, times, 0.0).any()


def test_road_lines_grouped_by_class(tiny_net: RoadNetwork) -> None:
    lines = tiny_net.road_lines()
    assert set(lines) == {"residential", "primary"}
    assert sum(len(v) for v in lines.values()) == 5
    assert tiny_net.road_lines(bbox=(10, 10, 11, 11)) == {}
