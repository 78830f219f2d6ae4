"""Compiled cache: version key, recompilation, parallel-edge minimum."""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path

import numpy as np
import pytest

from responder.routing import CacheError, RoadNetwork, ensure_compiled, read_meta
from responder.routing import cache as cache_module
from responder.routing.cache import build_min_csr


def test_compiles_once_and_recompiles_when_speed_table_changes(
    tiny_osm: Path, tmp_path: Path
) -> None:
    cache = tmp_path / "cache" / "tiny"
    ensure_compiled(tiny_osm, cache)
    first = read_meta(cache)
    stamp = (cache / "meta.json").stat().st_mtime_ns
    time.sleep(0.01)
    ensure_compiled(tiny_osm, cache)
    assert (cache / "meta.json").stat().st_mtime_ns == stamp  # up to date: untouched

    table = tmp_path / "speeds.json"
    table.write_text(json.dumps({"residential": 50}))
    ensure_compiled(tiny_osm, cache, speed_table=table)
    second = read_meta(cache)
    assert second["version"] != first["version"]
    assert second["info"]["speed_table_kph"]["residential"] == 50
    slow = RoadNetwork.load(ensure_compiled(tiny_osm, tmp_path / "other"))
    fast = RoadNetwork.load(cache)
    res = [fast.class_names.index("residential")]
    assert np.all(fast.core.arrays["edge_class"] != res[0]) or (
        fast.edge_time_s.sum() < slow.edge_time_s.sum()
    )


def test_two_processes_asking_at_once_compile_once(
    tiny_osm: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Parallel callers (gunicorn workers, parallel tests) share one compile: the second
    waits on the lock beside the cache and then finds it current; no temporary is left."""
    compiles = []
    real = cache_module._compile

    def counted(*args: object, **kwargs: object) -> Path:
        compiles.append(1)
        time.sleep(0.2)  # hold the lock long enough for the other caller to queue on it
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(cache_module, "_compile", counted)
    cache = tmp_path / "cache" / "tiny"
    results: list[Path] = []
    callers = [
        threading.Thread(target=lambda: results.append(ensure_compiled(tiny_osm, cache)))
        for _ in range(2)
    ]
    for caller in callers:
        caller.start()
    for caller in callers:
        caller.join(timeout=60)
    assert results == [cache, cache]
    assert len(compiles) == 1
    assert RoadNetwork.load(cache).node_count > 0
    assert sorted(p.name for p in cache.parent.iterdir()) == [".tiny.lock", "tiny"]


def test_version_changes_with_source(tiny_osm: Path, tmp_path: Path) -> None:
    cache = tmp_path / "c"
    ensure_compiled(tiny_osm, cache)
    before = read_meta(cache)["version"]
    tiny_osm.write_text(tiny_osm.read_text().replace('v="100"', 'v="90"'))
    ensure_compiled(tiny_osm, cache)
    assert read_meta(cache)["version"] != before


def test_load_missing_cache_is_clear(tmp_path: Path) -> None:
    with pytest.raises(CacheError, match="no compiled road network"):
        RoadNetwork.load(tmp_path)


def test_min_csr_takes_minimum_of_parallel_edges() -> None:
    rows = np.array([0, 0, 0, 1], dtype=np.int32)
    cols = np.array([1, 1, 1, 0], dtype=np.int32)
    weights = np.array([5.0, 2.0, 7.0, 1.0])
    indptr, _indices, data, pos_edge, edge_pos = build_min_csr(rows, cols, weights, 2)
    assert list(indptr) == [0, 1, 2, 4]  # row 2 is the virtual node with two slots
    assert data[0] == 2.0 and pos_edge[0] == 1
    assert list(edge_pos) == [0, 0, 0, 1]


def test_tiny_parallel_edges_take_min(tiny_net: RoadNetwork) -> None:
    a = tiny_net.snap(0.0, 0.0)  # node 1
    b = tiny_net.snap(0.002, 0.0)  # node 3
    t = tiny_net.times_from(a, [b])[0]
    primary = [e for e in range(tiny_net.edge_count) if tiny_net.edge_class(e) == "primary"]
    expected = min(tiny_net.edge_time_s[e] for e in primary)
    assert t == pytest.approx(expected, abs=1e-9)
    assert t < 10  # the 245 m primary at 100 km/h, not the residential street


def test_load_is_mmap_and_fast(tiny_net: RoadNetwork, tmp_path: Path) -> None:
    assert tiny_net.node_count == 4 and tiny_net.edge_count == 9
    assert not tiny_net.core.arrays["edge_time"].flags.writeable
