"""Compiled cache: the on-disk form of a road network that ``RoadNetwork.load`` maps.

A cache directory holds ``meta.json`` and one ``.npy`` file per array. Arrays are
loaded with ``np.load(mmap_mode=...)``, so loading costs no parsing and gunicorn
workers share the pages. The version key combines the source checksum, the speed
table digest and the cache format, and ``ensure_compiled`` recompiles only when it
changes.

Arrays (N nodes, M directed edges, R roads, P road vertices; the CSR graphs have one
extra *virtual* node ``N`` with two adjustable slots, used to start a search from a
point in the middle of an edge):

* ``node_x``, ``node_y``, ``node_osmid``
* ``edge_u``, ``edge_v``, ``edge_length``, ``edge_time``, ``edge_road``,
  ``edge_forward``, ``edge_class``, ``edge_twin``, ``edge_osm_ptr``, ``edge_osm_ids``
* ``road_ptr``, ``road_coords``, ``road_cum`` (metres from road start per vertex),
  ``road_length``, ``road_class``, ``road_edge`` (shape (R, 2): along, against or -1),
  ``vertex_road``
* ``fwd_indptr``, ``fwd_indices``, ``fwd_data``, ``fwd_pos_edge``, ``edge_fwd_pos``
  and the same with ``rev_`` for the reversed graph: CSR with the MIN weight over
  parallel edges; ``*_pos_edge`` names the edge that gives the minimum;
  ``fwd_parallel``/``rev_parallel`` list the edges that share a CSR entry
* ``grid_keys``, ``grid_ptr``, ``grid_items`` (see ``grid.py``)
* ``cch_order``: the contraction hierarchy's nested-dissection node order (see
  ``cch.py``), with ``meta["cch"]`` (weight unit, diameter bound, seconds it took)
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import shutil
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Literal

import numpy as np
from numpy.typing import NDArray

from ._errors import CacheError
from .cch import preprocess
from .core import csr
from .geodesy import haversine_m
from .grid import build_grid
from .importer import Progress, read_road_graph, source_format
from .speeds import SpeedTable, load_speed_table
from .tables import NetworkTables, tables_from_graph

FORMAT_VERSION = 4
#: Bumped when the compiler's output changes without a format change (2: merged edges take
#: their most important class, reproducibly; 3: finer CCH weight units, from a diameter
#: bound taken at a central node).
COMPILE_REVISION = 3
META_FILE = "meta.json"
#: Arrays mapped copy-on-write: the virtual node slots are written per query.
WRITABLE_ARRAYS = ("fwd_indices", "fwd_data", "rev_indices", "rev_data")


def file_checksum(path: str | Path) -> str:
    """Return the hex SHA-256 of a file's bytes."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def version_key(source_checksum: str, speed_digest: str) -> str:
    """Return the cache version key for a source checksum and a speed-table digest (and the
    compile revision, so caches compiled by an older compiler are compiled again)."""
    return f"v{FORMAT_VERSION}.{COMPILE_REVISION}-{source_checksum[:16]}-{speed_digest[:12]}"


def read_meta(cache_dir: str | Path) -> dict[str, Any]:
    """Return the metadata of a compiled cache.

    Raises
    ------
    CacheError
        If the directory holds no compiled network.
    """
    path = Path(cache_dir) / META_FILE
    try:
        meta: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise CacheError(
            f"no compiled road network in {cache_dir} (run `flask roads import`)"
        ) from exc
    if meta.get("format") != FORMAT_VERSION:
        raise CacheError(f"road network cache {cache_dir} has format {meta.get('format')}")
    return meta


def ensure_compiled(
    source_path: str | Path,
    cache_dir: str | Path,
    speed_table: str | Path | SpeedTable | None = None,
    *,
    progress: Progress | None = None,
) -> Path:
    """Compile ``source_path`` into ``cache_dir`` unless the cache is up to date.

    Parameters
    ----------
    source_path : str or Path
        OSM XML / PBF / GraphML file (see ``importer.read_road_graph``).
    cache_dir : str or Path
        Target directory, e.g. ``MAPS_DIR / "cache" / region``.
    speed_table : path, SpeedTable or None
        Speed-table override; part of the version key.
    progress : callable, optional
        ``progress(stage, fraction)`` callback.

    Returns
    -------
    Path
        The cache directory, ready for ``RoadNetwork.load``.
    """
    table = speed_table if isinstance(speed_table, SpeedTable) else load_speed_table(speed_table)
    checksum = file_checksum(source_path)
    key = version_key(checksum, table.digest)
    cache_dir = Path(cache_dir)
    if _is_current(cache_dir, key):
        return cache_dir
    # Two processes asking at once (gunicorn workers, parallel tests, a second import)
    # compile once: the second waits for the lock and then finds the cache current.
    with _compile_lock(cache_dir):
        if _is_current(cache_dir, key):
            return cache_dir
        return _compile(source_path, cache_dir, table, checksum, key, progress)


def _is_current(cache_dir: Path, key: str) -> bool:
    try:
        return bool(read_meta(cache_dir).get("version") == key)
    except CacheError:
        return False


@contextmanager
def _compile_lock(cache_dir: Path) -> Iterator[None]:
    """An exclusive lock beside ``cache_dir`` (released when the holder exits, even killed)."""
    cache_dir.parent.mkdir(parents=True, exist_ok=True)
    with open(cache_dir.with_name(f".{cache_dir.name}.lock"), "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _compile(
    source_path: str | Path,
    cache_dir: Path,
    table: SpeedTable,
    checksum: str,
    key: str,
    progress: Progress | None,
) -> Path:
    graph, report = read_road_graph(source_path, speed_table=table, progress=progress)
    tables = tables_from_graph(graph)
    del graph
    tables.info = {
        "source": Path(source_path).name,
        "source_format": source_format(source_path),
        "source_sha256": checksum,
        "speed_table_sha256": table.digest,
        "speed_table_kph": table.kph,
        "import": report.as_dict(),
    }
    if progress is not None:
        progress("compile", 1.0)
    return write_compiled(tables, cache_dir, version=key)


def write_compiled(tables: NetworkTables, cache_dir: str | Path, *, version: str) -> Path:
    """Compile network tables into ``cache_dir`` (replaced atomically).

    Parameters
    ----------
    tables : NetworkTables
        The network to compile.
    cache_dir : str or Path
        Target directory; an existing cache there is replaced.
    version : str
        Version key stored in the metadata.
    """
    cache_dir = Path(cache_dir)
    arrays, meta = compile_arrays(tables)
    meta.update(format=FORMAT_VERSION, version=version, created=time.time(), info=tables.info)
    cache_dir.parent.mkdir(parents=True, exist_ok=True)
    # A name of its own, so two writers never share a half-written directory.
    tmp = Path(tempfile.mkdtemp(prefix=f"{cache_dir.name}.tmp-", dir=cache_dir.parent))
    tmp.chmod(0o755)  # readable like any other directory (mkdtemp makes it private)
    for name, array in arrays.items():
        np.save(tmp / f"{name}.npy", np.ascontiguousarray(array))
    (tmp / META_FILE).write_text(json.dumps(meta, indent=1, default=_json_default), "utf-8")
    old = cache_dir.with_name(f"{cache_dir.name}.old-{tmp.name.rsplit('-', 1)[-1]}")
    if cache_dir.exists():
        cache_dir.rename(old)
    tmp.rename(cache_dir)
    shutil.rmtree(old, ignore_errors=True)
    return cache_dir


def _json_default(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    raise TypeError(f"not JSON serialisable: {type(value)}")


def compile_arrays(t: NetworkTables) -> tuple[dict[str, NDArray[Any]], dict[str, Any]]:
    """Derive all cache arrays (CSR graphs, twins, road measures, grid) from tables."""
    n = t.node_x.size
    m = t.edge_u.size
    r = t.road_ptr.size - 1
    if m == 0:
        raise CacheError("cannot compile an empty road network")
    vertex_road = np.repeat(np.arange(r, dtype=np.int32), np.diff(t.road_ptr))
    seg_len = haversine_m(t.road_coords[:-1], t.road_coords[1:])
    same = vertex_road[:-1] == vertex_road[1:]
    seg_len = np.where(same, seg_len, 0.0)
    cum = np.concatenate([[0.0], np.cumsum(seg_len)])
    road_cum = cum - np.repeat(cum[t.road_ptr[:-1]], np.diff(t.road_ptr))
    road_length = road_cum[t.road_ptr[1:] - 1]

    road_edge = np.full((r, 2), -1, dtype=np.int32)
    road_edge[t.edge_road[t.edge_forward], 0] = np.flatnonzero(t.edge_forward)
    road_edge[t.edge_road[~t.edge_forward], 1] = np.flatnonzero(~t.edge_forward)
    col = np.where(t.edge_forward, 1, 0)
    edge_twin = road_edge[t.edge_road, col]
    road_class = t.edge_class[road_edge[:, 0]]

    arrays: dict[str, NDArray[Any]] = {
        "node_x": t.node_x,
        "node_y": t.node_y,
        "node_osmid": t.node_osmid,
        "edge_u": t.edge_u,
        "edge_v": t.edge_v,
        "edge_length": t.edge_length,
        "edge_time": t.edge_time,
        "edge_road": t.edge_road,
        "edge_forward": t.edge_forward,
        "edge_class": t.edge_class,
        "edge_twin": edge_twin.astype(np.int32),
        "edge_osm_ptr": t.edge_osm_ptr,
        "edge_osm_ids": t.edge_osm_ids,
        "road_ptr": t.road_ptr,
        "road_coords": t.road_coords,
        "road_cum": road_cum,
        "road_length": road_length,
        "road_class": road_class,
        "road_edge": road_edge,
        "vertex_road": vertex_road,
    }
    for prefix, rows, cols in (("fwd", t.edge_u, t.edge_v), ("rev", t.edge_v, t.edge_u)):
        indptr, indices, data, pos_edge, edge_pos = build_min_csr(rows, cols, t.edge_time, n)
        arrays |= {
            f"{prefix}_indptr": indptr,
            f"{prefix}_indices": indices,
            f"{prefix}_data": data,
            f"{prefix}_pos_edge": pos_edge,
            f"edge_{prefix}_pos": edge_pos,
            f"{prefix}_parallel": np.flatnonzero(np.bincount(edge_pos)[edge_pos] > 1),
        }
    grid = build_grid(t.road_coords, np.append(same, False))
    arrays |= {"grid_keys": grid.keys, "grid_ptr": grid.ptr, "grid_items": grid.items}
    graphs = [
        csr(arrays[f"{p}_data"], arrays[f"{p}_indices"], arrays[f"{p}_indptr"], n + 1)
        for p in ("fwd", "rev")
    ]
    arrays["cch_order"], cch_meta = preprocess(arrays, *graphs)
    xy = t.node_x, t.node_y
    meta = {
        "node_count": n,
        "edge_count": m,
        "road_count": r,
        "bounds": [float(xy[0].min()), float(xy[1].min()), float(xy[0].max()), float(xy[1].max())],
        "class_names": t.class_names,
        "grid": {"x0": grid.x0, "y0": grid.y0, "cell": grid.cell, "nx": grid.nx},
        "cch": cch_meta,
    }
    return arrays, meta


def build_min_csr(
    rows: NDArray[np.int32], cols: NDArray[np.int32], weights: NDArray[np.float64], n: int
) -> tuple[NDArray[Any], NDArray[Any], NDArray[Any], NDArray[Any], NDArray[Any]]:
    """Build a CSR graph keeping the MIN weight of parallel edges.

    scipy's ``csr_matrix((data, (i, j)))`` *sums* duplicates, which would add up the
    times of parallel roads; here duplicates collapse to their minimum instead. Row
    ``n`` is the virtual node with two slots.

    Returns
    -------
    indptr, indices, data : ndarray
        CSR arrays of shape ``(n + 1, n + 1)``.
    pos_edge : ndarray of int32
        For each CSR entry, the edge giving the minimum.
    edge_pos : ndarray of int32
        For each edge, its CSR entry.
    """
    order = np.lexsort((weights, cols, rows))
    r, c = rows[order], cols[order]
    first = np.ones(order.size, dtype=bool)
    first[1:] = (r[1:] != r[:-1]) | (c[1:] != c[:-1])
    edge_pos = np.empty(order.size, dtype=np.int32)
    edge_pos[order] = np.cumsum(first) - 1
    pos_edge = order[first].astype(np.int32)
    counts = np.bincount(r[first], minlength=n + 1)
    counts[n] = 2
    indptr = np.concatenate([[0], np.cumsum(counts)]).astype(np.int32)
    indices = np.concatenate([c[first], [0, 0]]).astype(np.int32)
    data = np.concatenate([weights[pos_edge], [0.0, 0.0]]).astype(np.float64)
    return indptr, indices, data, pos_edge, edge_pos


def load_arrays(cache_dir: str | Path, names: list[str] | None = None) -> dict[str, NDArray[Any]]:
    """Memory-map the cache arrays (read-only, or copy-on-write for the CSR slots)."""
    cache_dir = Path(cache_dir)
    found = {p.stem: p for p in cache_dir.glob("*.npy")}
    out = {}
    for name in names or sorted(found):
        if name not in found:
            raise CacheError(f"road network cache {cache_dir} lacks {name}.npy; re-import it")
        mode: Literal["c", "r"] = "c" if name in WRITABLE_ARRAYS else "r"
        # a plain ndarray view of the mapping: same shared pages, no memmap overhead
        out[name] = np.load(found[name], mmap_mode=mode).view(np.ndarray)
    return out
