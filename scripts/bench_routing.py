"""Benchmark the road engine against RoutingKit's CCH, scipy and networkx, side by side.

One run, same graph, same 50 incidents x 500 resources (random points near roads, fixed
seed, snapped once outside all timings) for every graph asked for:

- **rank 500 resources by time TO one incident** (median over the 50 incidents);
- **nearest 10 of 500** (the engine's ``need=10``; scipy gets the exact 10th time as its
  search limit, the floor for any early stop);
- **one 100 x 100 table** (resources 0-99 to resources 100-199);
- **one source to every node**.

Columns:

- *engine*: the public ``RoadNetwork`` API only (``times_to``, ``times_from`` and
  ``table`` when the installed engine has it; without ``table`` the line is 100
  ``times_from`` calls and says so). Where ``RoadNetwork.load`` takes a ``backend`` and
  picked another one, the ranking lines run again on ``backend="dijkstra"`` (the
  engine's own Dijkstra, an extra column);
- *CCH*: RoutingKit's customizable contraction hierarchy called directly through
  ``routingkit_cch`` (the reference line), with its node ordering, preprocessing,
  customization and a partial update closing the arcs near an incident timed too.
  RoutingKit works on integer weights: edge times are rounded to ``--cch-unit-ms``
  (default 0.1 ms) and the largest difference from float Dijkstra is printed;
- *scipy*: ``scipy.sparse.csgraph.dijkstra`` on a CSR of the same weights;
- *networkx*: ``single_source_dijkstra_path_length`` on a ``DiGraph`` of the same weights,
  sampled on a few searches and extrapolated on graphs above 200,000 nodes.

Every baseline answers the same question as the engine: points part-way along an edge,
entered and left through the partial edges at both ends (a virtual node per search for
scipy and networkx, initial distances for the CCH). Times are checked against scipy and
the largest differences printed in seconds. The end is a markdown table to paste.

Times are this process's CPU time by default (``--clock cpu``): the columns run one after
another on a machine other people load too, and CPU time keeps that load out of the
ratios (all four columns are single-threaded). ``--clock wall`` reads the wall clock.

Usage::

    python scripts/bench_routing.py                              # demo, 1m and 3m (as built)
    python scripts/bench_routing.py --graphs demo --skip networkx  # a quick run
    python scripts/bench_routing.py --graphs 1m --skip networkx,cch

Graphs: ``demo`` (maps/cache/demo, the Hangzhou demo; imported if missing), ``1m``
(maps/large) and ``3m`` (maps/large3m), both from ``scripts/make_large_network.py``; any
other argument is a compiled cache folder.
"""

from __future__ import annotations

import argparse
import ctypes
import gc
import inspect
import math
import statistics
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray
from scipy.sparse.csgraph import dijkstra

from responder.routing import Closures, RoadNetwork, Snap, ensure_compiled

REPO = Path(__file__).resolve().parents[1]
GRAPHS = {
    "demo": REPO / "maps" / "cache" / "demo",
    "1m": REPO / "maps" / "large",
    "3m": REPO / "maps" / "large3m",
}
DEMO_SOURCE = REPO / "maps" / "demo" / "hangzhou_core.osm.bz2"
BASELINES = ("cch", "scipy", "networkx")

INCIDENTS = 50
RESOURCES = 500
TABLE = 100
LARGE = 200_000  # above this many nodes networkx is sampled and extrapolated
NX_SAMPLES = 3
CLOSE_RADIUS_M = 300.0
CCH_INF = 2**31 - 1  # RoutingKit's inf_weight

QUERIES = ("rank", "need10", "table", "all")
COLUMNS = {
    "engine": "responder engine",
    "cch": "RoutingKit CCH (`routingkit-cch` 0.1.4)",
    "scipy": "scipy Dijkstra",
    "networkx": "networkx",
    "dijkstra": "engine, Dijkstra back end",
}
SHORT = {"cch": "CCH", "scipy": "scipy", "dijkstra": "own Dijkstra"}
QUERY_NAMES = {
    "rank": "rank 500 resources by time TO one incident",
    "need10": "nearest 10 of 500",
    "table": "one 100 × 100 table",
    "all": "one source to every node",
}

Floats = NDArray[np.float64]
Ints = NDArray[np.int64]


def ms(seconds: float) -> float:
    """Seconds to milliseconds."""
    return seconds * 1000.0


class _MallInfo2(ctypes.Structure):
    """glibc's ``struct mallinfo2``."""

    _fields_ = [
        (name, ctypes.c_size_t)
        for name in ("arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks", "fsmblks",
                     "uordblks", "fordblks", "keepcost")
    ]  # fmt: skip


def heap_mib() -> float:
    """Heap bytes in use (glibc ``mallinfo2``: C++ ``new`` included) in MiB.

    Unlike the resident size it is not hidden by memory freed earlier and reused."""
    try:
        libc = ctypes.CDLL(None)
        libc.mallinfo2.restype = _MallInfo2
        info = libc.mallinfo2()
    except (OSError, AttributeError):
        return math.nan
    return float(info.uordblks + info.hblkhd) / 2**20


#: The clock every timing reads (``--clock``): this process's CPU time by default, so a
#: shared machine's load from other processes does not count; wall time on request.
CLOCKS = {"cpu": time.process_time, "wall": time.perf_counter}
CLOCK = {"now": time.process_time}


class Timer:
    """``with Timer() as clock: ...`` then ``clock.s``: the seconds the block took."""

    s = math.nan

    def __enter__(self) -> Timer:
        self.started = CLOCK["now"]()
        return self

    def __exit__(self, *exc: object) -> None:
        self.s = CLOCK["now"]() - self.started


def part(fraction: Floats, seconds: Floats) -> Floats:
    """``fraction * seconds`` with ``0 * inf = 0`` (a point at a node is reachable)."""
    with np.errstate(invalid="ignore"):
        return np.where(fraction <= 0, 0.0, fraction * seconds)


@dataclass
class Points:
    """Snapped points as arrays, with the partial edges that leave and enter them."""

    edge: Ints
    frac: Floats
    leave_node: Ints  # (k, 2): leave along the edge to v, or along the twin to u
    leave_s: Floats
    enter_node: Ints  # (k, 2): enter through u along the edge, or through v along the twin
    enter_s: Floats
    t_edge: Floats
    t_twin: Floats

    @classmethod
    def of(cls, snaps: Sequence[Snap], t: Floats) -> Points:
        """Arrays for ``snaps`` under edge times ``t``."""
        edge = np.array([s.edge for s in snaps], np.int64)
        twin = np.array([s.twin for s in snaps], np.int64)
        frac = np.array([s.fraction for s in snaps], np.float64)
        u = np.array([s.u for s in snaps], np.int64)
        v = np.array([s.v for s in snaps], np.int64)
        t_edge = t[edge]
        t_twin = np.where(twin >= 0, t[np.maximum(twin, 0)], np.inf)
        return cls(
            edge=edge,
            frac=frac,
            leave_node=np.column_stack([v, u]),
            leave_s=np.column_stack([part(1 - frac, t_edge), part(frac, t_twin)]),
            enter_node=np.column_stack([u, v]),
            enter_s=np.column_stack([part(frac, t_edge), part(1 - frac, t_twin)]),
            t_edge=t_edge,
            t_twin=t_twin,
        )

    def take(self, index: Any) -> Points:
        """The points at ``index``."""
        return Points(*(getattr(self, f)[index] for f in self.__dataclass_fields__))

    def __len__(self) -> int:
        return int(self.edge.size)


def same_edge(src: Points, i: int | None, dst: Points, j: int | None) -> Floats:
    """Times along one shared edge (``inf`` elsewhere), src point(s) to dst point(s).

    Exactly one of ``i`` / ``j`` is given: the single point on that side.
    """
    if i is not None:
        e, f0, f1, te, tt = src.edge[i], src.frac[i], dst.frac, src.t_edge[i], src.t_twin[i]
        on = dst.edge == e
    else:
        assert j is not None
        e, f0, f1, te, tt = dst.edge[j], src.frac, dst.frac[j], dst.t_edge[j], dst.t_twin[j]
        on = src.edge == e
    with np.errstate(invalid="ignore"):
        fwd = np.where(f1 >= f0, part(np.abs(f1 - f0), te), np.inf)
        bwd = np.where(f1 <= f0, part(np.abs(f0 - f1), tt), np.inf)
    out = np.where(on, np.fmin(fwd, bwd), np.inf)
    return np.asarray(np.where(np.isnan(out), np.inf, out), dtype=np.float64)


def to_one(dist_to: Floats, src: Points, dst: Points, j: int) -> Floats:
    """Times from every ``src`` point to ``dst[j]``, given node distances TO that point."""
    best = np.min(src.leave_s + dist_to[src.leave_node], axis=1)
    return np.fmin(best, same_edge(src, None, dst, j))


def from_one(dist_from: Floats, src: Points, i: int, dst: Points) -> Floats:
    """Times from ``src[i]`` to every ``dst`` point, given node distances FROM that point."""
    best = np.min(dist_from[dst.enter_node] + dst.enter_s, axis=1)
    return np.fmin(best, same_edge(src, i, dst, None))


def max_diff(a: Floats, b: Floats) -> float:
    """Largest |a - b| over entries finite in both; ``inf`` if reachability differs."""
    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
    if not np.array_equal(np.isfinite(a), np.isfinite(b)):
        return math.inf
    both = np.isfinite(a)
    return float(np.max(np.abs(a[both] - b[both]), initial=0.0))


@dataclass
class Result:
    """Measured times for one graph (seconds, per query and column) and notes."""

    label: str
    nodes: int
    times: dict[tuple[str, str], float] = field(default_factory=dict)
    tags: dict[tuple[str, str], str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def put(self, query: str, column: str, seconds: float, tag: str = "") -> None:
        """Record one cell."""
        self.times[query, column] = seconds
        if tag:
            self.tags[query, column] = tag

    def note(self, text: str) -> None:
        """Print and keep a line for the summary."""
        print(text)
        self.notes.append(text)


@dataclass
class Case:
    """The graph and the fixed query set every column answers."""

    net: RoadNetwork
    t: Floats
    incidents: list[Snap]
    resources: list[Snap]
    inc: Points
    res: Points
    source_node: int
    node_snaps: list[Snap]
    closures: Closures
    truth: dict[str, Any] = field(default_factory=dict)  # scipy's answers

    @property
    def table_src(self) -> Points:
        return self.res.take(slice(0, TABLE))

    @property
    def table_dst(self) -> Points:
        return self.res.take(slice(TABLE, 2 * TABLE))


def random_points(net: RoadNetwork, count: int, rng: np.random.Generator) -> Floats:
    """Random points within ~50 m of road vertices."""
    xy = np.asarray(net.core.arrays["road_coords"])
    return np.asarray(xy[rng.integers(0, len(xy), count)] + rng.normal(0, 0.0004, (count, 2)))


def node_snaps(net: RoadNetwork) -> list[Snap]:
    """One point exactly at each node (fraction 0 on one of its out-edges)."""
    u = net.edge_u
    first = np.full(net.node_count, -1, np.int64)
    order = np.argsort(u, kind="stable")
    nodes, at = np.unique(u[order], return_index=True)
    first[nodes] = order[at]
    v, twin = net.edge_v, np.asarray(net.core.arrays["edge_twin"])
    road = np.asarray(net.core.arrays["edge_road"])
    lon, lat = net.node_lon, net.node_lat
    snaps = []
    for node in range(net.node_count):
        e = int(first[node])
        if e < 0:  # a node with no way out (never after the import keeps the SCC)
            e = int(np.flatnonzero(v == node)[0])
            snaps.append(Snap(e, int(u[e]), node, 1.0, 0.0, lon[node], lat[node], -1, 0))
            continue
        snaps.append(
            Snap(e, node, int(v[e]), 0.0, 0.0, float(lon[node]), float(lat[node]),
                 int(twin[e]), int(road[e]))
        )  # fmt: skip
    return snaps


def make_case(net: RoadNetwork, result: Result) -> Case:
    """Snap the fixed incidents and resources, pick the one-to-all source and closures."""
    rng = np.random.default_rng(42)
    pts = random_points(net, INCIDENTS + RESOURCES, rng)
    net.snap_many(pts[:100, 0], pts[:100, 1])  # warm up
    with Timer() as clock:
        snaps = net.snap_many(pts[:, 0], pts[:, 1])
    spent = clock.s
    result.note(f"snapping: {ms(spent) / len(pts):.3f} ms/point (snap_many, untimed elsewhere)")
    t = np.asarray(net.edge_time_s, np.float64)
    incidents, resources = list(snaps[:INCIDENTS]), list(snaps[INCIDENTS:])
    with Timer() as clock:
        all_nodes = node_snaps(net)
    spent = clock.s
    print(f"one point per node for the one-to-all query: {spent:.1f} s (untimed)")
    near = net.edges_near(incidents[0].lon, incidents[0].lat, radius_m=CLOSE_RADIUS_M)
    return Case(
        net=net,
        t=t,
        incidents=incidents,
        resources=resources,
        inc=Points.of(incidents, t),
        res=Points.of(resources, t),
        source_node=int(rng.integers(0, net.node_count)),
        node_snaps=all_nodes,
        closures=Closures.closed(near),
    )


# ---------------------------------------------------------------- engine
def ranking(net: RoadNetwork, case: Case, result: Result, column: str) -> None:
    """Time ``times_to`` for all 500 and with ``need=10`` per incident; check both."""
    inc, res = case.incidents, case.resources
    for target in inc[:3]:
        net.times_to(target, res)
    full, need, rank, nearest = [], [], [], []
    for target in inc:
        with Timer() as clock:
            times = net.times_to(target, res)
            np.argsort(times, kind="stable")
        full.append(clock.s)
        with Timer() as clock:
            near = net.times_to(target, res, need=10)
        need.append(clock.s)
        rank.append(times)
        nearest.append(near)
    result.put("rank", column, statistics.median(full))
    result.put("need10", column, statistics.median(need), "`need=10`")
    diff = max_diff(np.vstack(rank), case.truth["rank"])
    worst = 0.0
    for k, near in enumerate(nearest):
        exact = np.sort(case.truth["rank"][k])[:10]
        worst = max(worst, max_diff(np.sort(near)[:10], exact))
    result.note(
        f"{column} rank vs scipy: max diff {diff:.2e} s; need=10 (the 10 nearest): {worst:.2e} s"
    )


def run_engine_dijkstra(cache: Path, case: Case, result: Result) -> None:
    """The ranking again on the engine's own Dijkstra back end, where it has a choice."""
    if "backend" not in inspect.signature(RoadNetwork.load).parameters:
        return
    if getattr(case.net, "backend", "dijkstra") == "dijkstra":
        return
    net = RoadNetwork.load(cache, backend="dijkstra")  # type: ignore[call-arg, unused-ignore]
    ranking(net, case, result, "dijkstra")


def run_engine(case: Case, result: Result) -> None:
    """The public ``RoadNetwork`` API."""
    net, inc, res = case.net, case.incidents, case.resources
    with Timer() as clock:
        net.times_to(inc[0], res)
    result.note(f"engine first query after load (any lazy set-up included): {ms(clock.s):.1f} ms")
    ranking(net, case, result, "engine")

    src, dst = res[:TABLE], res[TABLE : 2 * TABLE]
    table = getattr(net, "table", None)
    if callable(table):
        table(src[:5], dst[:5])
        with Timer() as clock:
            matrix = np.asarray(table(src, dst))
        spent = clock.s
        tag = "`table`"
    else:
        with Timer() as clock:
            matrix = np.vstack([net.times_from(s, dst) for s in src])
        spent = clock.s
        tag = "no `table`: 100 × `times_from`"
    result.put("table", "engine", spent, tag)
    diff = max_diff(matrix, case.truth["table"])
    result.note(f"engine table ({tag}) vs scipy: max diff {diff:.2e} s")

    source = case.node_snaps[case.source_node]
    with Timer() as clock:
        every = net.times_from(source, case.node_snaps)
    spent = clock.s
    result.put("all", "engine", spent, "`times_from`, one point per node")
    result.note(f"engine one-to-all vs scipy: max diff {max_diff(every, case.truth['all']):.2e} s")
    with Timer() as clock:
        net.search_to(inc[0])
    spent = clock.s
    result.note(f"engine search_to (full reversed search with predecessors): {ms(spent):.1f} ms")

    net.times_to(inc[1], res, closures=case.closures)
    with Timer() as clock:
        closed = net.times_to(inc[1], res, closures=case.closures)
    spent = clock.s
    result.note(
        f"engine rank with {len(case.closures)} closed edges: {ms(spent):.1f} ms, "
        f"max diff vs scipy {max_diff(closed, case.truth['closed']):.2e} s"
    )


# ---------------------------------------------------------------- scipy
@dataclass
class Csr:
    """A CSR of the edge times (min over parallel edges) plus one virtual row at the end."""

    graph: sp.csr_matrix
    n: int

    @classmethod
    def of(cls, net: RoadNetwork, t: Floats, reverse: bool) -> Csr:
        """Forward (``u -> v``) or reversed graph of ``t`` (inf edges dropped)."""
        n = net.node_count
        row, col = (net.edge_v, net.edge_u) if reverse else (net.edge_u, net.edge_v)
        keep = np.isfinite(t)
        row, col, w = row[keep].astype(np.int64), col[keep].astype(np.int64), t[keep]
        order = np.lexsort((w, col, row))
        row, col, w = row[order], col[order], w[order]
        first = np.ones(row.size, bool)
        first[1:] = (row[1:] != row[:-1]) | (col[1:] != col[:-1])
        row, col, w = row[first], col[first], w[first]
        # the virtual node n has two out-slots set per search (built from indptr, so the
        # two slots are not merged as duplicates would be)
        indptr = np.concatenate([np.searchsorted(row, np.arange(n + 1)), [row.size + 2]])
        indices = np.concatenate([col, [0, 0]]).astype(np.int32)
        data = np.concatenate([w, [1.0, 1.0]])
        graph = sp.csr_matrix((data, indices, indptr), shape=(n + 1, n + 1))
        return cls(graph, n)

    def from_slots(self, nodes: Ints, secs: Floats, limit: float = math.inf) -> Floats:
        """Node distances from a virtual node with arcs ``nodes[k]`` of ``secs[k]``."""
        ok = np.isfinite(secs)
        nodes, secs = nodes[ok], secs[ok]
        g = self.graph
        g.indices[-2:] = (nodes[0], nodes[-1])  # one finite slot (a one-way road) is used twice
        g.data[-2:] = (secs[0], secs[-1])
        return np.asarray(dijkstra(g, directed=True, indices=self.n, limit=limit)[:-1])

    def from_node(self, node: int) -> Floats:
        """Node distances from one node."""
        return np.asarray(dijkstra(self.graph, directed=True, indices=node)[:-1])


def run_scipy(case: Case, result: Result, timed: bool) -> None:
    """scipy's Dijkstra with a virtual node per search; its answers are the truth."""
    net, t = case.net, case.t
    with Timer() as clock:
        rev = Csr.of(net, t, reverse=True)
    spent = clock.s
    with Timer() as clock:
        fwd = Csr.of(net, t, reverse=False)
    print(f"scipy CSR (reversed) built in {spent:.1f} s")
    inc, res = case.inc, case.res
    rank, per = [], []
    for k in range(INCIDENTS):
        with Timer() as clock:
            times = to_one(rev.from_slots(inc.enter_node[k], inc.enter_s[k]), res, inc, k)
            np.argsort(times, kind="stable")
        per.append(clock.s)
        rank.append(times)
    case.truth["rank"] = np.vstack(rank)
    limits = []
    for k in range(INCIDENTS):
        tenth = float(np.sort(case.truth["rank"][k])[9])
        with Timer() as clock:
            rev.from_slots(inc.enter_node[k], inc.enter_s[k], tenth)
        limits.append(clock.s)
    src, dst = case.table_src, case.table_dst

    with Timer() as clock:
        cols = [
            to_one(rev.from_slots(dst.enter_node[j], dst.enter_s[j]), src, dst, j)
            for j in range(TABLE)
        ]
        case.truth["table"] = np.column_stack(cols)
    spent_table = clock.s
    with Timer() as clock:
        case.truth["all"] = fwd.from_node(case.source_node)
    spent_all = clock.s
    if timed:
        result.put("rank", "scipy", statistics.median(per))
        result.put("need10", "scipy", statistics.median(limits), "limit = exact 10th time")
        result.put("table", "scipy", spent_table, "100 searches")
        result.put("all", "scipy", spent_all)
    closed_t = t.copy()
    closed_t[case.closures.edge_ids] = np.inf
    rev_closed = Csr.of(net, closed_t, reverse=True)
    inc1 = Points.of(case.incidents[1:2], closed_t)
    res_closed = Points.of(case.resources, closed_t)
    case.truth["closed"] = to_one(
        rev_closed.from_slots(inc1.enter_node[0], inc1.enter_s[0]), res_closed, inc1, 0
    )
    case.truth["closed_t"] = closed_t


# ---------------------------------------------------------------- RoutingKit CCH
def run_cch(case: Case, result: Result, unit_ms: float) -> None:
    """RoutingKit's CCH through ``routingkit_cch`` (integer weights of ``unit_ms``)."""
    import routingkit_cch as rk

    net, t = case.net, case.t
    unit = unit_ms / 1000.0

    def w(seconds: Floats) -> list[int]:
        out = np.where(np.isfinite(seconds), np.rint(seconds / unit), CCH_INF)
        return np.minimum(out, CCH_INF).astype(np.int64).tolist()

    tail, head = net.edge_u.astype(np.int64).tolist(), net.edge_v.astype(np.int64).tolist()
    lat, lon = net.node_lat.tolist(), net.node_lon.tolist()
    gc.collect()
    before, wall = heap_mib(), time.perf_counter()
    with Timer() as clock:
        order = rk.compute_order_inertial(net.node_count, tail, head, lat, lon)
    spent_order = clock.s
    with Timer() as clock:
        cch = rk.CCH(order, tail, head, False)
    spent_build = clock.s
    wall = time.perf_counter() - wall
    del order
    gc.collect()
    after = heap_mib()
    weights = w(t)
    with Timer() as clock:
        metric = rk.CCHMetric(cch, weights)
    spent_custom = clock.s
    metric_mib = heap_mib() - after
    result.note(
        f"CCH preprocessing: order (inertial flow) {spent_order:.1f} s + contraction "
        f"{spent_build:.1f} s = {spent_order + spent_build:.1f} s ({wall:.1f} s wall), "
        f"{after - before:,.0f} MiB; "
        f"customization {ms(spent_custom):.0f} ms (+{metric_mib:,.0f} MiB); unit {unit_ms} ms"
    )
    inc, res = case.inc, case.res

    def rank_all(m2o: Any, tgt: Points, src: Points) -> list[Floats]:
        out = []
        for j in range(len(tgt)):
            out.append(to_many(m2o, tgt, j, src))
        return out

    def to_many(m2o: Any, tgt: Points, j: int, src: Points) -> Floats:
        pairs = [
            (int(node), round(float(s) / unit))
            for node, s in zip(tgt.enter_node[j], tgt.enter_s[j], strict=True)
            if math.isfinite(s)
        ]
        raw = m2o.distances_to_multi(pairs)
        d = np.array([math.inf if x is None else x * unit for x in raw]).reshape(-1, 2)
        best = np.min(src.leave_s + d, axis=1)
        return np.fmin(best, same_edge(src, None, tgt, j))

    pinned = res.leave_node.ravel().tolist()
    with Timer() as clock:
        m2o = rk.CCHManyToOne(metric, pinned)
    spent_pin = clock.s
    for j in range(3):
        to_many(m2o, inc, j, res)
    per, rank = [], []
    for j in range(INCIDENTS):
        with Timer() as clock:
            times = to_many(m2o, inc, j, res)
            np.argsort(times, kind="stable")
        per.append(clock.s)
        rank.append(times)
    result.put("rank", "cch", statistics.median(per), "ManyToOne, 500 pinned")
    result.note(
        f"CCH rank: pinning 500 resources {ms(spent_pin):.1f} ms once; "
        f"max diff vs scipy {max_diff(np.vstack(rank), case.truth['rank']):.2e} s"
    )
    src, dst = case.table_src, case.table_dst
    m2o.repin_sources(src.leave_node.ravel().tolist())
    with Timer() as clock:
        cols = rank_all(m2o, dst, src)
    spent = clock.s
    result.put("table", "cch", spent, "ManyToOne, 100 targets")
    diff = max_diff(np.column_stack(cols), case.truth["table"])
    result.note(f"CCH table vs scipy: max diff {diff:.2e} s")
    del m2o

    with Timer() as clock:
        o2m = rk.CCHOneToMany(metric, list(range(net.node_count)))
    spent_pin = clock.s
    with Timer() as clock:
        raw = o2m.distances_from(case.source_node)
    spent = clock.s
    every = np.array([math.inf if x is None else x * unit for x in raw])
    finite = every[np.isfinite(every)]
    result.put("all", "cch", spent, "OneToMany, every node pinned")
    result.note(
        f"CCH one-to-all: pinning every node {ms(spent_pin):.0f} ms once; max diff vs scipy "
        f"{max_diff(every, case.truth['all']):.2e} s; longest {finite.max():,.0f} s = "
        f"{finite.max() / unit / CCH_INF:.1%} of the integer range"
    )
    del o2m, raw

    closed = case.closures.edge_ids
    updater = rk.CCHMetricPartialUpdater(cch)
    with Timer() as clock:
        updater.apply(metric, dict.fromkeys(closed.tolist(), CCH_INF))
    spent_close = clock.s
    m2o = rk.CCHManyToOne(metric, res.leave_node.ravel().tolist())
    inc1 = Points.of(case.incidents[1:2], case.truth["closed_t"])
    res_closed = Points.of(case.resources, case.truth["closed_t"])
    m2o.repin_sources(res_closed.leave_node.ravel().tolist())
    got = to_many(m2o, inc1, 0, res_closed)
    del m2o
    reopen = {int(e): weights[int(e)] for e in closed}
    with Timer() as clock:
        updater.apply(metric, reopen)
    spent_open = clock.s
    result.note(
        f"CCH partial update closing {len(closed)} arcs: {ms(spent_close):.2f} ms "
        f"(reopening {ms(spent_open):.2f} ms); rank after it vs scipy with the closures: "
        f"max diff {max_diff(got, case.truth['closed']):.2e} s"
    )


# ---------------------------------------------------------------- networkx
def run_networkx(case: Case, result: Result) -> None:
    """networkx on a reversed DiGraph of the same weights, sampled on large graphs."""
    import networkx as nx

    net, t, inc, res = case.net, case.t, case.inc, case.res
    large = net.node_count > LARGE
    rev = nx.DiGraph()
    rev.add_nodes_from(range(net.node_count))
    order = np.argsort(-t)  # larger first, so the minimum over parallel edges is kept
    rows = zip(net.edge_v[order].tolist(), net.edge_u[order].tolist(), t[order].tolist(),
               strict=True)  # fmt: skip
    with Timer() as clock:
        rev.add_weighted_edges_from(rows, weight="w")
    print(f"networkx reversed DiGraph built in {clock.s:.1f} s")

    def to_point(nodes: Ints, secs: Floats) -> Floats:
        virtual = -1
        for node, s in zip(nodes.tolist(), secs.tolist(), strict=True):
            if math.isfinite(s):
                old = rev.get_edge_data(virtual, node, {"w": math.inf})["w"]
                rev.add_edge(virtual, node, w=min(s, old))
        found = nx.single_source_dijkstra_path_length(rev, virtual, weight="w")
        rev.remove_node(virtual)
        dist = np.full(net.node_count, math.inf)
        found.pop(virtual, None)
        dist[np.fromiter(found.keys(), np.int64)] = np.fromiter(found.values(), np.float64)
        return dist

    count = NX_SAMPLES if large else INCIDENTS
    per, worst = [], 0.0
    for k in range(count):
        with Timer() as clock:
            times = to_one(to_point(inc.enter_node[k], inc.enter_s[k]), res, inc, k)
            np.argsort(times, kind="stable")
        per.append(clock.s)
        worst = max(worst, max_diff(times, case.truth["rank"][k]))
    tag = f"median of {count}" if large else ""
    result.put("rank", "networkx", statistics.median(per), tag)
    result.put("table", "networkx", statistics.median(per) * TABLE, f"{count} searches × 100")
    fwd = rev.reverse(copy=False)
    with Timer() as clock:
        found = nx.single_source_dijkstra_path_length(fwd, case.source_node, weight="w")
    spent = clock.s
    every = np.full(net.node_count, math.inf)
    every[np.fromiter(found.keys(), np.int64)] = np.fromiter(found.values(), np.float64)
    result.put("all", "networkx", spent)
    worst = max(worst, max_diff(every, case.truth["all"]))
    result.note(
        f"networkx vs scipy (rank on {count} incidents, one-to-all): max diff {worst:.2e} s"
    )


# ---------------------------------------------------------------- report
def cell(result: Result, query: str, column: str) -> str:
    """A table cell: the time, with its tag."""
    seconds = result.times.get((query, column))
    if seconds is None:
        return "—"
    text = f"{ms(seconds):,.1f} ms" if seconds < 10 else f"{seconds:,.1f} s"
    if seconds < 0.01:
        text = f"{ms(seconds):.2f} ms"
    tag = result.tags.get((query, column))
    return f"{text} ({tag})" if tag else text


def ratio(result: Result, query: str, other: str) -> str:
    """engine / other, or a dash."""
    a, b = result.times.get((query, "engine")), result.times.get((query, other))
    return "—" if a is None or b is None or b <= 0 else f"{a / b:,.2f}×"


def report(results: list[Result], unit_ms: float, clock: str) -> None:
    """Print the ratios and a markdown table ready to paste."""
    columns = dict(COLUMNS)
    if not any(key[1] == "dijkstra" for r in results for key in r.times):
        del columns["dijkstra"]
    against = [c for c in ("cch", "scipy", "dijkstra") if c in columns]
    print(f"\n## ratios (engine / {', engine / '.join(SHORT[c] for c in against)})")
    for r in results:
        for q in QUERIES:
            if (q, "engine") in r.times:
                ratios = "".join(f"{ratio(r, q, c):>10}" for c in against)
                print(f"{r.label:>10} {QUERY_NAMES[q]:<45} {ratios}")
    print("\n## markdown\n")
    heads = [*columns.values(), *(f"engine / {SHORT[c]}" for c in against)]
    print(f"| query | graph | {' | '.join(heads)} |")
    print("|---|---|" + "---|" * len(heads))
    for q in QUERIES:
        for r in results:
            if not any(key[0] == q for key in r.times):
                continue
            cells = [cell(r, q, c) for c in columns] + [ratio(r, q, c) for c in against]
            print(f"| {QUERY_NAMES[q]} | {r.label}, {r.nodes:,} nodes | {' | '.join(cells)} |")
    print(
        f"\nTimes: {'CPU time of the benchmark process' if clock == 'cpu' else 'wall clock'}"
        f", medians over the {INCIDENTS} incidents for per-incident lines. "
        f"CCH weights in {unit_ms} ms units. Notes per graph:\n"
    )
    for r in results:
        print(f"- **{r.label}**")
        for line in r.notes:
            print(f"  - {line}")


def open_graph(name: str) -> tuple[str, Path] | None:
    """(label, cache folder) for a graph name or path; ``None`` if not built."""
    if name == "demo":
        return "demo", ensure_compiled(DEMO_SOURCE, GRAPHS["demo"])
    path = GRAPHS.get(name, Path(name))
    if not (path / "meta.json").is_file():
        print(f"\n({path} not built: python scripts/make_large_network.py --size {name})")
        return None
    return (f"{name} mosaic" if name in GRAPHS else str(path)), path


def main(argv: list[str] | None = None) -> int:
    """Entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--graphs", default="demo,1m,3m", help="comma list (default demo,1m,3m)")
    parser.add_argument("--skip", default="", help=f"comma list of baselines from {BASELINES}")
    parser.add_argument("--cch-unit-ms", type=float, default=0.1, help="CCH weight unit")
    parser.add_argument(
        "--clock", choices=sorted(CLOCKS), default="cpu",
        help="cpu: this process's CPU time (default; immune to other load), or wall",
    )  # fmt: skip
    args = parser.parse_args(argv)
    CLOCK["now"] = CLOCKS[args.clock]
    skip = {s for s in args.skip.split(",") if s}
    if not skip <= set(BASELINES):
        parser.error(f"--skip takes {','.join(BASELINES)}")
    results = []
    for name in [g for g in args.graphs.split(",") if g]:
        found = open_graph(name)
        if found is None:
            continue
        label, cache = found
        started = time.perf_counter()
        net = RoadNetwork.load(cache)
        spent = time.perf_counter() - started
        print(f"\n== {label}: {net.node_count:,} nodes, {net.edge_count:,} edges ({net.version})")
        result = Result(label, net.node_count)
        backend = getattr(net, "backend", "dijkstra (the only one)")
        result.note(f"RoadNetwork.load: {ms(spent):.0f} ms wall; engine back end: {backend}")
        case = make_case(net, result)
        run_scipy(case, result, timed="scipy" not in skip)  # the truth, always computed
        run_engine(case, result)
        run_engine_dijkstra(cache, case, result)
        if "cch" not in skip:
            run_cch(case, result, args.cch_unit_ms)
        if "networkx" not in skip:
            run_networkx(case, result)
        results.append(result)
        del case, net
        gc.collect()
    report(results, args.cch_unit_ms, args.clock)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
