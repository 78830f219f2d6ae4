"""Build a large synthetic road network for benchmarks: an N x N mosaic of the demo.

Each tile is a copy of the compiled demo region (Coquimbo - La Serena) shifted by whole
tile sizes; neighbouring tiles are joined by two-way motorway links (three per shared
side). The result is written straight to a compiled cache that ``RoadNetwork.load`` maps.
The tile network has 8,704 nodes after import, so the two benchmark sizes are

- ``--size 1m`` (default): 11 x 11 tiles, 1,053,184 nodes, written to ``maps/large``;
- ``--size 3m``: 19 x 19 tiles, 3,142,144 nodes (a province-sized proxy), written to
  ``maps/large3m``.

Both folders are git-ignored. ``--tiles N`` and ``--out DIR`` build any other size.

Usage::

    python scripts/make_large_network.py [--size 1m|3m] [--tiles N] [--out DIR]
"""

from __future__ import annotations

import argparse
import resource
import time
from pathlib import Path

import numpy as np
from scipy.spatial import cKDTree

from responder.routing.cache import ensure_compiled, load_arrays, read_meta
from responder.routing.geodesy import haversine_m
from responder.routing.tables import NetworkTables

REPO = Path(__file__).resolve().parents[1]

LINK_SPEED_KPH = 90.0
GAP_DEG = 0.01
BANDS = (0.25, 0.5, 0.75)


def demo_tables(cache: Path) -> tuple[NetworkTables, str]:
    """Read the compiled demo back into network tables."""
    a = load_arrays(cache)
    meta = read_meta(cache)
    tables = NetworkTables(
        node_x=np.array(a["node_x"]),
        node_y=np.array(a["node_y"]),
        node_osmid=np.array(a["node_osmid"]),
        edge_u=np.array(a["edge_u"]),
        edge_v=np.array(a["edge_v"]),
        edge_length=np.array(a["edge_length"]),
        edge_time=np.array(a["edge_time"]),
        edge_road=np.array(a["edge_road"]),
        edge_forward=np.array(a["edge_forward"]),
        edge_class=np.array(a["edge_class"]),
        edge_osm_ptr=np.array(a["edge_osm_ptr"]),
        edge_osm_ids=np.array(a["edge_osm_ids"]),
        road_ptr=np.array(a["road_ptr"]),
        road_coords=np.array(a["road_coords"]),
        class_names=list(meta["class_names"]),
    )
    return tables, meta["version"]


def mosaic(base: NetworkTables, tiles: int) -> NetworkTables:
    """Tile ``base`` ``tiles`` x ``tiles`` times and join neighbours by motorway links."""
    n, r = base.node_x.size, base.road_ptr.size - 1
    p = base.road_coords.shape[0]
    width = base.node_x.max() - base.node_x.min() + GAP_DEG
    height = base.node_y.max() - base.node_y.min() + GAP_DEG
    k = tiles * tiles
    ti, tj = np.divmod(np.arange(k), tiles)
    dx, dy = ti * width, tj * height

    def rep(values: np.ndarray, offsets: np.ndarray) -> np.ndarray:
        return (values[None, ...] + offsets.reshape((k,) + (1,) * values.ndim)).reshape(
            (-1, *values.shape[1:])
        )

    coords = np.concatenate([base.road_coords + np.array([dx[t], dy[t]]) for t in range(k)])
    classes = list(base.class_names)
    if "motorway" not in classes:
        classes.append("motorway")
    osm_count = base.edge_osm_ids.size
    tables = NetworkTables(
        node_x=rep(base.node_x, dx),
        node_y=rep(base.node_y, dy),
        node_osmid=rep(base.node_osmid * 1000, np.arange(k)),
        edge_u=rep(base.edge_u, np.arange(k) * n).astype(np.int32),
        edge_v=rep(base.edge_v, np.arange(k) * n).astype(np.int32),
        edge_length=np.tile(base.edge_length, k),
        edge_time=np.tile(base.edge_time, k),
        edge_road=rep(base.edge_road, np.arange(k) * r).astype(np.int32),
        edge_forward=np.tile(base.edge_forward, k),
        edge_class=np.tile(base.edge_class, k),
        edge_osm_ptr=np.concatenate(
            [[0], (base.edge_osm_ptr[1:][None, :] + osm_count * np.arange(k)[:, None]).ravel()]
        ),
        edge_osm_ids=rep(base.edge_osm_ids * 1000, np.arange(k)),
        road_ptr=np.concatenate(
            [[0], (base.road_ptr[1:][None, :] + p * np.arange(k)[:, None]).ravel()]
        ),
        road_coords=coords,
        class_names=classes,
    )
    return add_links(tables, base, tiles, width, height, classes.index("motorway"))


def add_links(
    t: NetworkTables, base: NetworkTables, tiles: int, width: float, height: float, cls: int
) -> NetworkTables:
    """Join each pair of neighbouring tiles by two-way motorway links."""
    n = base.node_x.size
    tree = cKDTree(np.column_stack([base.node_x, base.node_y]))
    minx, maxx = base.node_x.min(), base.node_x.max()
    miny, maxy = base.node_y.min(), base.node_y.max()
    east = [tree.query((maxx, miny + f * (maxy - miny)))[1] for f in BANDS]
    west = [tree.query((minx, miny + f * (maxy - miny)))[1] for f in BANDS]
    north = [tree.query((minx + f * (maxx - minx), maxy))[1] for f in BANDS]
    south = [tree.query((minx + f * (maxx - minx), miny))[1] for f in BANDS]
    pairs = []
    for i in range(tiles):
        for j in range(tiles):
            here = (i * tiles + j) * n
            if i + 1 < tiles:
                there = ((i + 1) * tiles + j) * n
                pairs += [(here + a, there + b) for a, b in zip(east, west, strict=True)]
            if j + 1 < tiles:
                there = (i * tiles + j + 1) * n
                pairs += [(here + a, there + b) for a, b in zip(north, south, strict=True)]
    a = np.array([u for u, _ in pairs])
    b = np.array([v for _, v in pairs])
    pa = np.column_stack([t.node_x[a], t.node_y[a]])
    pb = np.column_stack([t.node_x[b], t.node_y[b]])
    length = haversine_m(pa, pb)
    seconds = length / (LINK_SPEED_KPH / 3.6)
    roads0 = t.road_ptr.size - 1
    count = len(pairs)
    road_ids = roads0 + np.arange(count)
    t.edge_u = np.concatenate([t.edge_u, a, b]).astype(np.int32)
    t.edge_v = np.concatenate([t.edge_v, b, a]).astype(np.int32)
    t.edge_length = np.concatenate([t.edge_length, length, length])
    t.edge_time = np.concatenate([t.edge_time, seconds, seconds])
    t.edge_road = np.concatenate([t.edge_road, road_ids, road_ids]).astype(np.int32)
    t.edge_forward = np.concatenate([t.edge_forward, np.ones(count, bool), np.zeros(count, bool)])
    t.edge_class = np.concatenate([t.edge_class, np.full(2 * count, cls, np.uint8)])
    t.edge_osm_ptr = np.concatenate([t.edge_osm_ptr, np.full(2 * count, t.edge_osm_ptr[-1])])
    t.road_ptr = np.concatenate([t.road_ptr, t.road_ptr[-1] + 2 * np.arange(1, count + 1)])
    t.road_coords = np.concatenate([t.road_coords, np.stack([pa, pb], axis=1).reshape(-1, 2)])
    return t


#: The benchmark sizes: mosaic side and output folder.
SIZES = {"1m": (11, REPO / "maps" / "large"), "3m": (19, REPO / "maps" / "large3m")}


def main(argv: list[str] | None = None) -> int:
    """Entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", choices=sorted(SIZES), default="1m", help="benchmark size")
    parser.add_argument("--tiles", type=int, help="mosaic side (overrides --size)")
    parser.add_argument("--out", type=Path, help="output cache folder (overrides --size)")
    parser.add_argument("--demo", type=Path, default=REPO / "maps" / "demo" / "coquimbo.osm.bz2")
    parser.add_argument(
        "--tile-cache", type=Path, default=REPO / "maps" / "cache" / "coquimbo",
        help="where the tile network is compiled (default maps/cache/coquimbo)",
    )  # fmt: skip
    args = parser.parse_args(argv)
    tiles = args.tiles if args.tiles is not None else SIZES[args.size][0]
    out = args.out if args.out is not None else SIZES[args.size][1]
    if tiles < 1:
        parser.error("--tiles must be >= 1")
    from responder.routing.cache import write_compiled

    started = time.perf_counter()
    demo_cache = ensure_compiled(args.demo, args.tile_cache)
    base, version = demo_tables(demo_cache)
    tables = mosaic(base, tiles)
    tables.info = {"source": f"{tiles}x{tiles} mosaic of {version}"}
    write_compiled(tables, out, version=f"mosaic{tiles}-{version}")
    meta = read_meta(out)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"wrote {out}: {meta['node_count']:,} nodes, {meta['edge_count']:,} edges "
        f"in {time.perf_counter() - started:.1f} s (peak memory {peak:,.0f} MiB); of that "
        f"the hierarchy's node order {meta['cch']['order_s']:.1f} s "
        f"({meta['cch']['order_cpu_s']:.1f} s CPU)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
