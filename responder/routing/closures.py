"""Closures: road closures and slowdowns applied to queries without recompiling.

A ``Closures`` value maps edge ids to a travel-time multiplier: ``inf`` closes the
edge, ``2.0`` doubles its travel time. Edge ids are stable for a given network
version (``RoadNetwork.version``); store the version beside stored closures and
re-resolve them (for example by OSM way id) after a re-import.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

CLOSED = math.inf


@dataclass(frozen=True)
class Closures:
    """Immutable, hashable set of (edge id, factor) pairs.

    Build with ``Closures.closed(ids)``, ``Closures.slowed(ids, factor)`` or
    ``Closures.from_records(rows)`` and combine with ``|`` (the larger factor wins).
    """

    items: tuple[tuple[int, float], ...] = ()

    @classmethod
    def from_records(cls, records: Iterable[tuple[int, float]] | Mapping[int, float]) -> Closures:
        """Build from ``(edge_id, factor)`` rows, e.g. stored database records.

        Raises
        ------
        ValueError
            If an edge id is negative or a factor is not >= 1 (``inf`` closes).
        """
        pairs = records.items() if isinstance(records, Mapping) else records
        merged: dict[int, float] = {}
        for edge, factor in pairs:
            edge_id, value = int(edge), float(factor)
            if edge_id < 0:
                raise ValueError(f"edge id must be >= 0, got {edge_id}")
            if math.isnan(value) or value < 1.0:
                raise ValueError(f"slowdown factor must be >= 1 or inf, got {factor!r}")
            merged[edge_id] = max(value, merged.get(edge_id, 1.0))
        return cls(tuple(sorted(merged.items())))

    @classmethod
    def closed(cls, edge_ids: Iterable[int]) -> Closures:
        """Close the given edges."""
        return cls.from_records((int(e), CLOSED) for e in edge_ids)

    @classmethod
    def slowed(cls, edge_ids: Iterable[int], factor: float) -> Closures:
        """Multiply the travel time of the given edges by ``factor`` (>= 1)."""
        return cls.from_records((int(e), factor) for e in edge_ids)

    def __or__(self, other: Closures) -> Closures:
        return Closures.from_records(self.items + other.items)

    def __len__(self) -> int:
        return len(self.items)

    def __bool__(self) -> bool:
        return bool(self.items)

    @property
    def edge_ids(self) -> NDArray[np.int64]:
        """Edge ids, ascending."""
        return np.array([e for e, _ in self.items], dtype=np.int64)

    @property
    def factors(self) -> NDArray[np.float64]:
        """Factors aligned with ``edge_ids``."""
        return np.array([f for _, f in self.items], dtype=np.float64)

    def as_records(self) -> list[tuple[int, float]]:
        """Return ``(edge_id, factor)`` rows for storage."""
        return list(self.items)


NO_CLOSURES = Closures()
