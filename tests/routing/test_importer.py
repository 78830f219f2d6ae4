"""Import of each file format into the same drivable graph."""

from __future__ import annotations

from pathlib import Path

import osmium
import osmnx as ox
import pytest

from responder.routing import UnsupportedSource, read_road_graph
from responder.routing.importer import source_format


def _summary(graph):
    return sorted(
        (int(u), int(v), round(d["length"], 3), round(d["travel_time"], 6))
        for u, v, d in graph.edges(data=True)
    )


def test_xml_import_keeps_drivable_strong_component(tiny_osm: Path) -> None:
    graph, report = read_road_graph(tiny_osm)
    assert sorted(graph.nodes) == [1, 3, 4, 6]
    assert report.edges_not_drivable == 2  # the footway, both directions
    assert report.nodes_dropped == 1  # node 8 behind the one-way dead end
    assert report.edges_dropped == 1
    assert graph.number_of_edges() == 9
    assert graph.number_of_edges(1, 3) == 2  # parallel roads survive


def test_speeds_from_maxspeed_else_table(tiny_osm: Path) -> None:
    graph, _ = read_road_graph(tiny_osm)
    speeds = {d["highway"]: d["speed_kph"] for _, _, d in graph.edges(data=True)}
    assert speeds == {"primary": 100.0, "residential": 25.0}
    for _, _, d in graph.edges(data=True):
        assert d["travel_time"] == pytest.approx(d["length"] / (d["speed_kph"] / 3.6))


def test_pbf_import_matches_xml(tiny_osm: Path, tmp_path: Path) -> None:
    pbf = tmp_path / "tiny.osm.pbf"
    with osmium.SimpleWriter(str(pbf)) as writer:
        for obj in osmium.FileProcessor(str(tiny_osm)):
            writer.add(obj)
    from_pbf, report = read_road_graph(pbf)
    assert report.fmt == "osm-pbf"
    assert _summary(from_pbf) == _summary(read_road_graph(tiny_osm)[0])


def test_bz2_and_graphml_import_match_xml(tiny_osm: Path, tmp_path: Path) -> None:
    import bz2

    packed = tmp_path / "tiny.osm.bz2"
    packed.write_bytes(bz2.compress(tiny_osm.read_bytes()))
    reference = _summary(read_road_graph(tiny_osm)[0])
    assert _summary(read_road_graph(packed)[0]) == reference
    graphml = tmp_path / "tiny.graphml"
    ox.save_graphml(read_road_graph(tiny_osm)[0], graphml)
    from_graphml, report = read_road_graph(graphml)
    assert report.fmt == "graphml"
    assert _summary(from_graphml) == reference


def test_unsupported_and_missing_sources(tmp_path: Path) -> None:
    with pytest.raises(UnsupportedSource, match="unsupported"):
        source_format("roads.shp")
    with pytest.raises(UnsupportedSource, match="not found"):
        read_road_graph(tmp_path / "missing.osm")
    empty = tmp_path / "empty.osm"
    empty.write_text('<osm version="0.6"><node id="1" lat="0" lon="0"/></osm>')
    with pytest.raises(UnsupportedSource):
        read_road_graph(empty)


def test_progress_is_reported(tiny_osm: Path) -> None:
    seen: list[tuple[str, float]] = []
    read_road_graph(tiny_osm, progress=lambda stage, done: seen.append((stage, done)))
    assert seen[0] == ("read", 0.0) and seen[-1] == ("done", 1.0)
    assert [d for _, d in seen] == sorted(d for _, d in seen)
