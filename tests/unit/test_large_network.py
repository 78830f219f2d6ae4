"""The benchmark scripts' own logic: the mosaic builder and the scipy reference times."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import numpy as np

from responder.routing import RoadNetwork, ensure_compiled
from responder.routing.cache import write_compiled

SCRIPTS = Path(__file__).resolve().parents[2] / "scripts"


def script(name: str) -> ModuleType:
    """Import ``scripts/<name>.py`` as a module."""
    spec = importlib.util.spec_from_file_location(f"_script_{name}", SCRIPTS / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def test_mosaic_copies_tiles_and_joins_neighbours(tiny_osm: Path, tmp_path: Path) -> None:
    make = script("make_large_network")
    base_dir = ensure_compiled(tiny_osm, tmp_path / "base")
    base_net = RoadNetwork.load(base_dir)
    base, _ = make.demo_tables(base_dir)
    tables = make.mosaic(base, 3)
    net = RoadNetwork.load(write_compiled(tables, tmp_path / "mosaic", version="m3"))

    # 9 copies, and 12 neighbouring pairs x 3 links x 2 directions
    assert net.node_count == 9 * base_net.node_count
    assert net.edge_count == 9 * base_net.edge_count + 12 * 3 * 2
    # the copies are shifted, not stacked
    assert np.unique(np.round(net.node_lon, 7)).size == 3 * np.unique(base_net.node_lon).size
    # opposite corners are connected, and no faster than the links allow
    low = net.snap(float(net.node_lon.min()), float(net.node_lat.min()))
    high = net.snap(float(net.node_lon.max()), float(net.node_lat.max()))
    seconds = float(net.times_to(high, [low])[0])
    assert np.isfinite(seconds)
    crow_m = 111_000 * np.hypot(
        net.node_lon.max() - net.node_lon.min(), net.node_lat.max() - net.node_lat.min()
    )
    assert seconds > 0.9 * crow_m / (make.LINK_SPEED_KPH / 3.6)


def test_scipy_reference_matches_the_engine(tiny_net: RoadNetwork) -> None:
    bench = script("bench_routing")
    rng = np.random.default_rng(3)
    lon = rng.uniform(tiny_net.node_lon.min(), tiny_net.node_lon.max(), 12)
    lat = rng.uniform(tiny_net.node_lat.min(), tiny_net.node_lat.max(), 12)
    snaps = tiny_net.snap_many(lon, lat)
    t = np.asarray(tiny_net.edge_time_s, np.float64)
    pts = bench.Points.of(snaps, t)
    rev = bench.Csr.of(tiny_net, t, reverse=True)
    for j, target in enumerate(snaps):
        got = bench.to_one(rev.from_slots(pts.enter_node[j], pts.enter_s[j]), pts, pts, j)
        want = tiny_net.times_to(target, snaps)
        assert bench.max_diff(got, want) < 1e-9
