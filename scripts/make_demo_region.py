"""Build the committed demo region ``maps/demo/coquimbo.osm.bz2``.

The PyPI wheel of ``aequilibrae`` 1.7.2 ships ``reference_files/coquimbo.zip``, an
AequilibraE project whose ``project_database.sqlite`` holds the drive network of
Coquimbo - La Serena (Chile) taken from OpenStreetMap. This script downloads the
wheel (it never installs it), reads the ``links`` table and writes the network back
as OSM XML so the service loads the demo through the same import path users use.

Conversion rules
----------------
* Only links open to cars (mode ``c``) are kept; centroid connectors are dropped.
* Links that come from one OSM way (same ``osm_id``) are chained back into one way
  that keeps its real id. Where a way's links do not form one chain, the first chain
  keeps the real id and the others get negative ids (the OSM convention for objects
  that are not in the OSM database). Links without ``osm_id`` get negative ids too.
* Link end nodes keep their OSM node id; interior vertices get negative ids.
* ``direction`` 1 means one-way a->b, -1 one-way b->a (the geometry is reversed so
  the way runs in travel direction), 0 two-way. Tags written: ``highway``, ``name``,
  ``oneway``, ``lanes``.

Data © OpenStreetMap contributors, ODbL 1.0 (see maps/README.md).

Usage::

    python scripts/make_demo_region.py [--wheel PATH] [--out maps/demo/coquimbo.osm.bz2]
"""

from __future__ import annotations

import argparse
import bz2
import io
import sqlite3
import subprocess
import sys
import tempfile
import zipfile
from collections import defaultdict
from pathlib import Path
from xml.sax.saxutils import quoteattr

import shapely

WHEEL_SPEC = "aequilibrae==1.7.2"
ZIP_MEMBER = "aequilibrae/reference_files/coquimbo.zip"
SPATIALITE_HEADER = 39
REPO = Path(__file__).resolve().parents[1]


def download_wheel(dest: Path) -> Path:
    """Download the aequilibrae wheel (no dependencies, no install) into ``dest``."""
    cmd = [sys.executable, "-m", "pip", "download", "--no-deps", WHEEL_SPEC, "-d", str(dest)]
    subprocess.run(cmd, check=True)
    wheels = sorted(dest.glob("aequilibrae-1.7.2-*.whl"))
    if not wheels:
        raise SystemExit(f"pip download produced no wheel in {dest}")
    return wheels[0]


def extract_database(wheel: Path, dest: Path) -> Path:
    """Extract ``project_database.sqlite`` of the Coquimbo project from the wheel."""
    with zipfile.ZipFile(wheel) as whl, whl.open(ZIP_MEMBER) as inner:
        payload = io.BytesIO(inner.read())
    with zipfile.ZipFile(payload) as project:
        project.extract("project_database.sqlite", dest)
    return dest / "project_database.sqlite"


def spatialite_to_wkb(blob: bytes) -> bytes:
    """Convert a SpatiaLite geometry blob to WKB.

    A SpatiaLite blob is: 0x00, endian byte, SRID (4), MBR (32), 0x7C, then the
    geometry class and coordinates exactly as WKB body, then 0xFE. WKB is therefore
    the endian byte followed by bytes 39..-1.
    """
    if blob[0] != 0x00 or blob[38] != 0x7C or blob[-1] != 0xFE:
        raise ValueError("not a SpatiaLite geometry blob")
    return bytes([blob[1]]) + blob[SPATIALITE_HEADER:-1]


def read_links(db: Path) -> list[dict]:
    """Read car links with geometry oriented in travel direction."""
    con = sqlite3.connect(db)
    rows = con.execute(
        "SELECT link_id, a_node, b_node, direction, link_type, name, osm_id, "
        "lanes_ab, lanes_ba, geometry FROM links "
        "WHERE instr(modes, 'c') > 0 AND link_type != 'centroid_connector' "
        "ORDER BY link_id"
    ).fetchall()
    node_osm = dict(con.execute("SELECT node_id, osm_id FROM nodes"))
    con.close()
    links = []
    for link_id, a, b, direction, htype, name, osm_id, lab, lba, geom in rows:
        line = shapely.from_wkb(spatialite_to_wkb(geom))
        coords = [(round(x, 7), round(y, 7)) for x, y in line.coords]
        lanes = lab
        if direction == -1:
            a, b, coords, lanes = b, a, coords[::-1], lba
        elif direction == 0 and lab and lba:
            lanes = lab + lba
        links.append(
            {
                "id": link_id,
                "a": a,
                "b": b,
                "oneway": direction != 0,
                "highway": htype,
                "name": name,
                "osm_id": osm_id,
                "lanes": lanes,
                "coords": coords,
            }
        )
    for link in links:
        link["a_osm"] = node_osm.get(link["a"])
        link["b_osm"] = node_osm.get(link["b"])
    return links


def chain_links(group: list[dict]) -> list[list[dict]]:
    """Chain the links of one OSM way into ordered runs (a->b, b->c, ...)."""
    by_start: dict[int, list[dict]] = defaultdict(list)
    ends = defaultdict(int)
    for link in group:
        by_start[link["a"]].append(link)
        ends[link["b"]] += 1
    used: set[int] = set()
    chains = []
    starts = [lk for lk in group if ends[lk["a"]] == 0] + group
    for first in starts:
        if first["id"] in used:
            continue
        chain = [first]
        used.add(first["id"])
        while True:
            nxt = [lk for lk in by_start[chain[-1]["b"]] if lk["id"] not in used]
            if len(nxt) != 1 or not _same_tags(nxt[0], first):
                break
            chain.append(nxt[0])
            used.add(nxt[0]["id"])
        chains.append(chain)
    return chains


def _same_tags(a: dict, b: dict) -> bool:
    keys = ("oneway", "highway", "name", "lanes")
    return all(a[k] == b[k] for k in keys)


def write_osm(links: list[dict], out: Path) -> dict[str, int]:
    """Write links as OSM XML (bz2) and return counts."""
    groups: dict[object, list[dict]] = defaultdict(list)
    for link in links:
        key = link["osm_id"] if link["osm_id"] is not None else ("none", link["id"])
        groups[key].append(link)
    next_neg = {"node": -1, "way": -1}

    def new_id(kind: str) -> int:
        value = next_neg[kind]
        next_neg[kind] -= 1
        return value

    nodes: dict[int, tuple[float, float]] = {}
    end_ids: dict[int, int] = {}
    ways: list[tuple[int, list[int], dict]] = []
    stats = {"split_ways": 0}

    def end_node(node: int, osm: int | None, xy: tuple[float, float]) -> int:
        if node not in end_ids:
            end_ids[node] = int(osm) if osm is not None else new_id("node")
            nodes[end_ids[node]] = xy
        return end_ids[node]

    for key, group in sorted(groups.items(), key=lambda kv: str(kv[0])):
        chains = chain_links(group)
        stats["split_ways"] += len(chains) - 1
        for i, chain in enumerate(chains):
            way_id = int(key) if isinstance(key, int) and i == 0 else new_id("way")
            refs = [end_node(chain[0]["a"], chain[0]["a_osm"], chain[0]["coords"][0])]
            for link in chain:
                for xy in link["coords"][1:-1]:
                    nid = new_id("node")
                    nodes[nid] = xy
                    refs.append(nid)
                refs.append(end_node(link["b"], link["b_osm"], link["coords"][-1]))
            first = chain[0]
            tags = {"highway": first["highway"]}
            if first["name"]:
                tags["name"] = first["name"]
            if first["oneway"]:
                tags["oneway"] = "yes"
            if first["lanes"]:
                tags["lanes"] = str(first["lanes"])
            ways.append((way_id, refs, tags))

    with bz2.open(out, "wt", encoding="utf-8", compresslevel=9) as fh:
        fh.write('<?xml version="1.0" encoding="UTF-8"?>\n')
        fh.write('<osm version="0.6" generator="responder make_demo_region.py">\n')
        for nid in sorted(nodes, key=lambda n: (n < 0, abs(n))):
            lon, lat = nodes[nid]
            fh.write(f'  <node id="{nid}" version="1" lat="{lat:.7f}" lon="{lon:.7f}"/>\n')
        for way_id, refs, tags in ways:
            fh.write(f'  <way id="{way_id}" version="1">\n')
            for ref in refs:
                fh.write(f'    <nd ref="{ref}"/>\n')
            for k, v in tags.items():
                fh.write(f"    <tag k={quoteattr(k)} v={quoteattr(v)}/>\n")
            fh.write("  </way>\n")
        fh.write("</osm>\n")
    stats.update(nodes=len(nodes), ways=len(ways), links=len(links))
    return stats


def main(argv: list[str] | None = None) -> int:
    """Entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--wheel", type=Path, help="aequilibrae 1.7.2 wheel (else download)")
    parser.add_argument("--out", type=Path, default=REPO / "maps/demo/coquimbo.osm.bz2")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        wheel = args.wheel or download_wheel(Path(tmp))
        db = extract_database(wheel, Path(tmp))
        links = read_links(db)
        args.out.parent.mkdir(parents=True, exist_ok=True)
        stats = write_osm(links, args.out)
    size = args.out.stat().st_size / 1e6
    print(f"wrote {args.out} ({size:.1f} MB): {stats}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
