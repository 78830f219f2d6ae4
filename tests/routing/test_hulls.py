"""Isochrone outlines for maps: they grow with the budget and enclose what is reachable."""

from __future__ import annotations

import numpy as np
import pytest
import shapely

from responder.routing import RoadNetwork
from responder.routing.coverage import arrival_times
from responder.routing.hulls import reachable_hulls


@pytest.fixture(scope="module")
def network(demo_network_cache):
    return RoadNetwork.load(demo_network_cache)


def test_rings_grow_and_enclose_the_nodes_reached_in_time(network):
    center = network.snap(float(np.median(network.node_lon)), float(np.median(network.node_lat)))
    minutes = (5.0, 15.0, 30.0)
    rings = reachable_hulls(network, center, minutes, direction="to")
    areas = [ring.area for ring in rings]
    assert 0 < areas[0] < areas[1] <= areas[2]
    times, _ = arrival_times(network, [center], direction="to", cutoff_s=1800)
    for budget, ring in zip(minutes, rings, strict=True):
        reached = np.flatnonzero(times <= budget * 60)
        points = shapely.points(
            np.column_stack([network.node_lon[reached], network.node_lat[reached]])
        )
        # Nodes are thinned to a grid before the hull: allow one cell of slack.
        inside = shapely.covers(ring.buffer(0.006), points)
        assert inside.mean() > 0.99


def test_budgets_must_be_positive(network):
    center = network.snap(float(network.node_lon[0]), float(network.node_lat[0]))
    with pytest.raises(ValueError, match="positive"):
        reachable_hulls(network, center, [0.0])
    assert reachable_hulls(network, center, []) == []
