"""Street names kept beside a compiled network (``road_names.json``): built from the source
file, rebuilt when the cache changes, searched with exact and prefix matches first, and
placed on the roads for search hits and map labels."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from responder.routing import CacheError, RoadNetwork
from responder.routing.cache import ensure_compiled
from responder.routing.names import MAJOR_CLASSES, NAMES_FILE, ensure_road_names, way_names

DEMO = Path(__file__).resolve().parents[2] / "maps" / "demo" / "hangzhou_core.osm.bz2"


@pytest.fixture
def tiny_cache(tiny_osm: Path, tmp_path: Path) -> Path:
    return ensure_compiled(tiny_osm, tmp_path / "cache" / "tiny")


def test_way_names_come_from_the_osm_tags(tiny_osm: Path) -> None:
    assert way_names(tiny_osm) == {10: "South Street"}


def test_a_cache_compiled_without_names_gets_them_from_the_source_it_records(
    tiny_cache: Path, tiny_osm: Path, tmp_path: Path
) -> None:
    assert not (tiny_cache / NAMES_FILE).exists()
    names = ensure_road_names(tiny_cache, search_dirs=[tmp_path])
    [street] = names.streets
    assert street.name == "South Street" and street.road_class == "residential"
    stored = json.loads((tiny_cache / NAMES_FILE).read_text(encoding="utf-8"))
    assert stored["version"] == RoadNetwork.load(tiny_cache).version
    # Once written, the names no longer need the source.
    tiny_osm.unlink()
    assert [s.name for s in ensure_road_names(tiny_cache, search_dirs=[]).streets] == [
        "South Street"
    ]


def test_a_file_with_the_source_name_but_other_contents_is_not_used(
    tiny_cache: Path, tiny_osm: Path, tmp_path: Path
) -> None:
    other = tmp_path / "elsewhere"
    other.mkdir()
    (other / tiny_osm.name).write_text(tiny_osm.read_text().replace("South", "North"), "utf-8")
    tiny_osm.unlink()
    with pytest.raises(CacheError, match=r"tiny\.osm"):
        ensure_road_names(tiny_cache, search_dirs=[other])


def test_names_of_another_cache_version_are_rebuilt(
    tiny_cache: Path, tiny_osm: Path, tmp_path: Path
) -> None:
    ensure_road_names(tiny_cache, source=tiny_osm)
    path = tiny_cache / NAMES_FILE
    stale = json.loads(path.read_text(encoding="utf-8"))
    path.write_text(json.dumps({**stale, "version": "v0-old", "names": ["Old Road"]}), "utf-8")
    assert [s.name for s in ensure_road_names(tiny_cache, source=tiny_osm).streets] == [
        "South Street"
    ]


def test_the_street_point_is_on_the_named_road(tiny_cache: Path, tiny_osm: Path) -> None:
    network = RoadNetwork.load(tiny_cache)
    [street] = ensure_road_names(tiny_cache, source=tiny_osm).search("south")
    snap = network.snap(street.lon, street.lat)
    assert snap.distance_m < 0.5
    assert 10 in network.edge_osm_ids(snap.edge)


def test_labels_follow_the_classes_asked_for(tiny_cache: Path, tiny_osm: Path) -> None:
    names = ensure_road_names(tiny_cache, source=tiny_osm)
    assert names.labels() == []  # South Street is residential: not a major road
    [label] = names.labels(classes={"residential"})
    assert label.name == "South Street" and label.lat == pytest.approx(0.0, abs=1e-9)
    assert names.labels(classes={"residential"}, bbox=(1.0, 1.0, 2.0, 2.0)) == []
    with pytest.raises(ValueError, match="spacing_m"):
        names.labels(spacing_m=0)


@pytest.fixture(scope="module")
def demo_names(demo_network_cache: Path, tmp_path_factory: pytest.TempPathFactory):
    """The demo names built afresh from the source, in a copy of the compiled cache."""
    cache = tmp_path_factory.mktemp("demo") / "demo"
    shutil.copytree(demo_network_cache, cache)
    (cache / NAMES_FILE).unlink(missing_ok=True)
    return RoadNetwork.load(cache), ensure_road_names(cache, source=DEMO)


def test_demo_street_search_ranks_exact_then_prefix_then_contains(demo_names) -> None:
    network, names = demo_names
    found = [s.name for s in names.search("文一路")]
    assert found[0] == "文一路"
    assert all(n.startswith("文一路") for n in found[1:])
    found = [s.name for s in names.search("中", limit=50)]
    ranks = [0 if n == "中" else 1 if n.startswith("中") else 2 for n in found]
    assert ranks == sorted(ranks) and {1, 2} <= set(ranks)
    [street] = names.search("莫干山路", limit=1)
    assert street.name == "莫干山路" and street.length_m > 1000
    assert network.snap(street.lon, street.lat).distance_m < 0.5


def test_demo_labels_are_spaced_along_each_major_road(demo_names) -> None:
    _network, names = demo_names
    labels = names.labels(spacing_m=1500)
    assert labels and {label.road_class for label in labels} <= MAJOR_CLASSES
    by_name: dict[str, list[tuple[float, float]]] = {}
    for label in labels:
        by_name.setdefault(label.name, []).append((label.lon, label.lat))
    for points in by_name.values():
        for i, (x1, y1) in enumerate(points):
            for x2, y2 in points[i + 1 :]:
                assert ((x1 - x2) * 0.866) ** 2 + (y1 - y2) ** 2 > (1400 / 111_195) ** 2


def test_roads_import_writes_the_names_beside_the_cache(tiny_osm: Path, tmp_path: Path) -> None:
    from flask import Flask

    from responder.commands.roads import roads_cli

    app = Flask("names-test")
    app.config.update(MAPS_DIR=tmp_path / "maps", SPEED_TABLE=None, REGION="tiny")
    app.cli.add_command(roads_cli)
    result = app.test_cli_runner().invoke(args=["roads", "import", str(tiny_osm)])
    assert result.exit_code == 0, result.output
    stored = json.loads((tmp_path / "maps" / "cache" / "tiny" / NAMES_FILE).read_text("utf-8"))
    assert stored["names"] == ["South Street"]
