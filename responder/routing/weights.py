"""Edge travel times under closures and slowdowns, without copying the network.

A ``Closures`` value becomes a ``Weights``: the shared free-flow times plus a sparse patch
(``EdgeTimes``), and for each CSR graph (forward, reversed) the entries whose minimum over
parallel edges changed (``Patch``). Searches apply a patch to the shared CSR data for the
duration of one search (see ``search.search``) or to a copy (``search.extended_graph``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
from numpy.typing import NDArray

from ._errors import UnknownEdge
from .closures import Closures

Direction = Literal["to", "from"]


class EdgeTimes:
    """Edge travel times with closures: the shared base array plus a sparse patch.

    Index it like an array (``times[edge]``, ``times[edges]``).
    """

    def __init__(
        self, base: NDArray[np.float64], ids: NDArray[np.int64], values: NDArray[np.float64]
    ) -> None:
        self.base, self.ids, self.values = base, ids, values

    def __getitem__(self, edges: Any) -> Any:
        out = self.base[edges]
        if self.ids.size == 0:
            return out
        at = np.minimum(np.searchsorted(self.ids, edges), self.ids.size - 1)
        return np.where(self.ids[at] == edges, self.values[at], out)[()]


@dataclass(frozen=True)
class Patch:
    """CSR entries changed by closures: positions, new weights, new minimum edges."""

    pos: NDArray[np.int64]
    data: NDArray[np.float64]
    edge: NDArray[np.int64]


@dataclass(frozen=True)
class Weights:
    """Travel times under one ``Closures`` value (cached per value by ``NetworkCore``)."""

    times: EdgeTimes
    fwd_patch: Patch
    rev_patch: Patch

    def patch(self, prefix: str) -> Patch:
        """The patch of the ``"fwd"`` or ``"rev"`` CSR graph."""
        return self.fwd_patch if prefix == "fwd" else self.rev_patch


def free_flow(edge_time: NDArray[np.float64]) -> Weights:
    """Weights without closures: the compiled times, empty patches."""
    none = np.zeros(0, dtype=np.int64)
    empty = Patch(none, np.zeros(0), none)
    return Weights(EdgeTimes(edge_time, none, np.zeros(0)), empty, empty)


def check_edges(ids: NDArray[Any], edge_count: int, version: str) -> None:
    """Raise ``UnknownEdge`` naming the first id outside ``0 .. edge_count - 1``."""
    if ids.size and (ids.min() < 0 or ids.max() >= edge_count):
        bad = ids[(ids < 0) | (ids >= edge_count)][0]
        raise UnknownEdge(
            f"edge id {int(bad)} does not exist in road network {version} ({edge_count} edges)"
        )


def build_weights(arrays: dict[str, NDArray[Any]], closures: Closures) -> Weights:
    """Weights for ``closures`` (edge ids already checked).

    A closed or slowed edge changes a CSR entry only if it is the fastest of the parallel
    edges sharing it; the patch holds the new minimum and the edge that gives it.
    """
    ids, factors = closures.edge_ids, closures.factors
    base_time = arrays["edge_time"]
    values = np.where(np.isinf(factors), np.inf, base_time[ids] * factors)
    times = EdgeTimes(base_time, ids, values)
    patches = {}
    for prefix in ("fwd", "rev"):
        edge_pos = arrays[f"edge_{prefix}_pos"]
        touched = np.unique(edge_pos[ids])
        shared = arrays[f"{prefix}_parallel"]  # edges sharing their CSR entry with another
        members = np.union1d(ids, shared[np.isin(edge_pos[shared], touched)])
        member_time = times[members]
        order = np.lexsort((member_time, edge_pos[members]))
        members, member_time = members[order], member_time[order]
        pos = edge_pos[members]
        first = np.ones(pos.size, dtype=bool)
        first[1:] = pos[1:] != pos[:-1]
        patches[prefix] = Patch(
            pos[first].astype(np.int64), member_time[first], members[first].astype(np.int64)
        )
    return Weights(times, patches["fwd"], patches["rev"])


def part(fraction: Any, seconds: Any) -> Any:
    """``fraction * seconds`` with ``0 * inf = 0`` (a point at a node is reachable)."""
    with np.errstate(invalid="ignore"):
        return np.where(np.asarray(fraction) <= 0, 0.0, np.multiply(fraction, seconds))[()]
