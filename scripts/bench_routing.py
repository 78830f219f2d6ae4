"""Benchmark the routing engine against networkx on dispatch-shaped queries.

For each network: 50 incidents, 500 resource locations (random points near roads,
fixed seed). Each incident ranks the resources by travel time to it with

(a) one ``networkx.shortest_path_length`` per (resource, incident) pair -- sampled on a
    few incidents and pairs, then extrapolated to 500 pairs per incident;
(b) one ``networkx.single_source_dijkstra_path_length`` on the reversed graph per
    incident (sampled on a few incidents for the large network);
(c) the engine: ``RoadNetwork.times_to`` for all 500 resources (full ranking), and
    with ``need=10`` (only the nearest ten are guaranteed, dispatch's real question).

(a) and (b) run node-to-node on a ``networkx.DiGraph`` holding exactly the engine's
weights (min over parallel edges); (c) also handles the partial edges at both ends.
Snapping is done once, outside all timings, and timed separately.

Usage::

    python scripts/bench_routing.py                   # demo region, and maps/large if built
    python scripts/bench_routing.py --graph PATH      # a compiled cache dir or a source file
"""

from __future__ import annotations

import argparse
import contextlib
import statistics
import tempfile
import time
from pathlib import Path

import networkx as nx
import numpy as np

from responder.routing import Closures, RoadNetwork, ensure_compiled

REPO = Path(__file__).resolve().parents[1]

INCIDENTS = 50
RESOURCES = 500


def ms(seconds: float) -> float:
    """Seconds to milliseconds."""
    return seconds * 1000.0


def random_points(net: RoadNetwork, count: int, rng: np.random.Generator) -> np.ndarray:
    """Random points within ~50 m of road vertices."""
    xy = np.asarray(net.core.arrays["road_coords"])
    return xy[rng.integers(0, len(xy), count)] + rng.normal(0, 0.0004, (count, 2))


def reference_graph(net: RoadNetwork) -> nx.DiGraph:
    """A networkx DiGraph with exactly the engine's weights (min over parallel edges)."""
    graph = nx.DiGraph()
    graph.add_nodes_from(range(net.node_count))
    u, v, t = net.edge_u, net.edge_v, net.edge_time_s
    order = np.argsort(-t)  # larger first, so the minimum is written last
    graph.add_weighted_edges_from(
        zip(u[order].tolist(), v[order].tolist(), t[order].tolist(), strict=True),
        weight="travel_time",
    )
    return graph


def bench(
    net: RoadNetwork,
    label: str,
    *,
    graphml_source: Path | None,
    large: bool,
    engine_only: bool = False,
) -> None:
    """Run the benchmark on one network and print the results."""
    rng = np.random.default_rng(42)
    print(f"\n== {label}: {net.node_count:,} nodes, {net.edge_count:,} edges ({net.version})")

    pts = random_points(net, INCIDENTS + RESOURCES, rng)
    net.snap_many(pts[:100, 0], pts[:100, 1])  # warm up
    started = time.perf_counter()
    snaps = net.snap_many(pts[:, 0], pts[:, 1])
    batch = (time.perf_counter() - started) / len(pts)
    started = time.perf_counter()
    for x, y in pts[:200]:
        net.snap(x, y)
    single = (time.perf_counter() - started) / 200
    print(f"snapping: {ms(batch):.3f} ms/point (snap_many), {ms(single):.3f} ms/point (snap)")
    incidents, resources = snaps[:INCIDENTS], snaps[INCIDENTS:]

    for target in incidents[:3]:
        net.times_to(target, resources)
    timings: dict[int | None, list[float]] = {None: [], 3: [], 10: []}
    for target in incidents:
        for need, spent in timings.items():
            started = time.perf_counter()
            net.times_to(target, resources, need=need)
            spent.append(time.perf_counter() - started)
    c_full, c_need = ms(statistics.median(timings[None])), ms(statistics.median(timings[10]))
    print(f"(c) engine, all 500 ranked:     median {c_full:8.2f} ms/incident")
    print(f"(c) engine, need=3:             median {ms(statistics.median(timings[3])):8.2f} ms")
    print(f"(c) engine, need=10:            median {c_need:8.2f} ms/incident")

    closed = Closures.closed(net.edges_near(incidents[0].lon, incidents[0].lat, radius_m=300))
    started = time.perf_counter()
    net.times_to(incidents[1], resources, closures=closed)
    first = time.perf_counter() - started
    started = time.perf_counter()
    net.times_to(incidents[1], resources, closures=closed)
    again = time.perf_counter() - started
    print(
        f"closures ({len(closed)} edges), all 500 ranked: first query {ms(first):.2f} ms "
        f"(builds closed weights), next {ms(again):.2f} ms"
    )
    if engine_only:
        return

    started = time.perf_counter()
    graph = reference_graph(net)
    print(f"networkx DiGraph built from the cache in {time.perf_counter() - started:.1f} s")
    reverse = graph.reverse(copy=False)
    b_incidents = incidents[: 3 if large else INCIDENTS]
    b_times = []
    for target in b_incidents:
        started = time.perf_counter()
        dist = nx.single_source_dijkstra_path_length(reverse, target.u, weight="travel_time")
        sorted(resources, key=lambda s: dist.get(s.u, float("inf")))
        b_times.append(time.perf_counter() - started)
    b = ms(statistics.median(b_times))
    print(f"(b) networkx single-source on reversed graph: median {b:8.1f} ms/incident "
          f"({len(b_times)} incidents)")  # fmt: skip

    a_incidents, a_pairs = (2, 5) if large else (5, 20)
    a_times = []
    for target in incidents[:a_incidents]:
        started = time.perf_counter()
        for source in resources[:a_pairs]:
            with contextlib.suppress(nx.NetworkXNoPath):
                nx.shortest_path_length(graph, source.u, target.u, weight="travel_time")
        a_times.append((time.perf_counter() - started) / a_pairs * RESOURCES)
    a = ms(statistics.median(a_times))
    print(f"(a) networkx per pair, extrapolated from {a_incidents} incidents x {a_pairs} pairs: "
          f"median {a:10.1f} ms/incident")  # fmt: skip
    print(f"speed-up, full ranking: {a / c_full:,.0f}x vs (a), {b / c_full:,.1f}x vs (b)")
    print(f"speed-up, need=10:      {a / c_need:,.0f}x vs (a), {b / c_need:,.1f}x vs (b)")

    if graphml_source is not None:
        import osmnx as ox

        started = time.perf_counter()
        ox.load_graphml(graphml_source)
        print(f"osmnx.load_graphml: {time.perf_counter() - started:.2f} s")


def time_load(cache: Path) -> RoadNetwork:
    """Load a cache, printing the load time (warm page cache) and the first query time."""
    started = time.perf_counter()
    net = RoadNetwork.load(cache)
    print(f"\nRoadNetwork.load({cache}): {ms(time.perf_counter() - started):.1f} ms")
    return net


def demo_graphml(source: Path, folder: Path) -> Path:
    """Save the imported demo graph as GraphML for the osmnx load comparison."""
    import osmnx as ox

    from responder.routing import read_road_graph

    graph, _ = read_road_graph(source)
    path = folder / "demo.graphml"
    ox.save_graphml(graph, path)
    return path


def main(argv: list[str] | None = None) -> int:
    """Entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--graph", type=Path, help="compiled cache dir or road-network file")
    parser.add_argument("--engine-only", action="store_true", help="skip networkx and osmnx")
    args = parser.parse_args(argv)
    quick = args.engine_only
    with tempfile.TemporaryDirectory() as tmp:
        if args.graph is not None:
            cache = args.graph
            graphml = args.graph if args.graph.suffix == ".graphml" else None
            if args.graph.is_file():
                cache = ensure_compiled(args.graph, Path(tmp) / "cache")
            net = time_load(cache)
            big = net.node_count > 200_000
            bench(net, str(args.graph), graphml_source=graphml, large=big, engine_only=quick)
            return 0
        demo = REPO / "maps" / "demo" / "coquimbo.osm.bz2"
        net = time_load(ensure_compiled(demo, REPO / "maps" / "cache" / "demo"))
        graphml = None if quick else demo_graphml(demo, Path(tmp))
        bench(net, "demo region", graphml_source=graphml, large=False, engine_only=quick)
        large = REPO / "maps" / "large"
        if (large / "meta.json").is_file():
            net = time_load(large)
            bench(net, "large mosaic", graphml_source=None, large=True, engine_only=quick)
        else:
            print("\n(maps/large not built: run scripts/make_large_network.py)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
