"""The demo jurisdiction tree: 浙江省 › 杭州市 › its 13 districts and counties, real boundaries.

The tree is imported from the bundled ``maps/demo/hangzhou_jurisdictions.geojson`` (DataV/
Amap boundaries via ``geotool-cn``, WGS-84; see maps/README.md) through the same import
service an office uses for its own boundaries.  No township is added: there is no
official township boundary to draw, and none is invented.  The demo records are placed on
the named streets of the three districts the bundled roads cover: 拱墅区, 西湖区, 上城区.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from shapely.geometry.base import BaseGeometry
from sqlalchemy.orm import Session

from responder.demo.roads import RoadNodes
from responder.models import Jurisdiction
from responder.services import jurisdiction_import
from responder.services.actors import SYSTEM

#: The bundled boundaries of the demo tree.
DEMO_BOUNDARIES = (
    Path(__file__).resolve().parents[2] / "maps" / "demo" / "hangzhou_jurisdictions.geojson"
)
PROVINCE = ("330000", "浙江省")
CITY = ("330100", "杭州市")
GONGSHU, XIHU, SHANGCHENG = "330105", "330106", "330102"
#: The districts the demo registry is placed in (the bundled roads cover them).
DISTRICTS = (GONGSHU, XIHU, SHANGCHENG)
#: Key counties (重点县) of the demo, the plans naming none by name: 拱墅区 for hazardous
#: chemicals (the district with most of the demo's hazchem sites and the city's oil depot),
#: 建德市 for mining (its limestone quarries; the demo registers no mine there, so its row
#: shows an unmet minimum and nothing yet to cover).
KEY_COUNTIES: dict[str, tuple[str, ...]] = {
    GONGSHU: ("key_hazchem",),
    "330182": ("key_mining",),
}
#: Streets not to put a site on: elevated roads, tunnels, expressways, ramps, platforms.
NOT_A_SITE = re.compile(r"高架|隧道|高速|快速路|立交|平台|专用|辅路|[A-Za-z]")
MIN_STREET_NODES = 4


@dataclass
class Area:
    """One demo district: its node, boundary and the named streets (with nodes) inside."""

    node: Jurisdiction
    shape: BaseGeometry
    streets: dict[str, list[tuple[float, float]]] = field(default_factory=dict)

    @property
    def node_count(self) -> int:
        return sum(len(nodes) for nodes in self.streets.values())


@dataclass
class Region:
    """The loaded tree: the province, the city and every county-level node by code;
    ``districts`` are the ones with demo streets."""

    province: Jurisdiction
    city: Jurisdiction
    counties: dict[str, Jurisdiction]
    districts: dict[str, Area]

    def district(self, code: str) -> Area:
        return self.districts[code]

    def county(self, code: str) -> Jurisdiction:
        return self.counties[code]


def _site_streets(roads: RoadNodes, shape: BaseGeometry) -> dict[str, list[tuple[float, float]]]:
    return {
        name: nodes
        for name, nodes in roads.streets_inside(shape).items()
        if len(nodes) >= MIN_STREET_NODES and not NOT_A_SITE.search(name)
    }


def build(session: Session, roads: RoadNodes) -> Region:
    """Import the tree through the jurisdiction import service (validated and audited)."""
    features = jurisdiction_import.read_features(DEMO_BOUNDARIES)
    jurisdiction_import.import_features(session, SYSTEM, features)
    session.flush()
    nodes = {
        node.code: node
        for node in session.query(Jurisdiction).filter(
            Jurisdiction.code.in_([f.code for f in features])
        )
    }
    shapes = {f.code: f.boundary for f in features if f.boundary is not None}
    counties = {code: node for code, node in nodes.items() if node.level == "county"}
    districts = {
        code: Area(nodes[code], shapes[code], _site_streets(roads, shapes[code]))
        for code in DISTRICTS
    }
    return Region(nodes[PROVINCE[0]], nodes[CITY[0]], counties, districts)
