"""A hand-worked world for the county targets, on the tiny road network.

Rules: the hazchem standard scaled to seconds (15 s of drive time, no mobilization), so
the tiny network's hand-worked times decide coverage (tests/fixtures/tiny_dispatch.py):

- 甲县 (key hazchem; a township 甲镇 below it): one professional hazchem team and one base
  at SW1.  Three hazchem enterprises, each with one major hazard source, at SW1 (0 s),
  SE3 (8.95 s: covered) and E6 (SW1 → SE3 → E6 = 24.96 s > 15 s: not covered), the one at
  SE3 registered in 甲镇 (it counts for 甲县).  An industry-and-trade firm at E6 is not a
  hazchem enterprise and does not count.  Covered 2 of 3 = 66.7% < 100%: not met.
- 乙县: one professional team and one base (at W4; W4 → E6 along the one-way street is
  32.0 s, so it changes nothing for 甲县): meets the minimum.
- 丙县 (key mining): one quasi-professional team only (not professional) and no base:
  0 of 1 and 0 of 1, not met; no mine is registered, so its mining coverage has nothing
  to judge.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from responder.models import Jurisdiction, db
from responder.services import credit_codes, jurisdictions, registry
from responder.services.actors import SYSTEM
from responder.services.resources import BASES, ENTERPRISES, HAZARD_SOURCES, TEAMS
from tests.fixtures.tiny_dispatch import E6, SE3, SW1, W4

RULES_OVERRIDE = """
[arrival_standard_min]
hazchem = 0.25

[arrival_standard_counts]
hazchem = "drive"
"""


def tiny_app_config(app_config: dict[str, Any], tmp_path: Path) -> dict[str, Any]:
    """The app config with the tiny network (compiled by the ``tiny_net`` fixture under
    ``tmp_path/cache/tiny``) and the scaled hazchem standard."""
    rules = tmp_path / "rules.toml"
    rules.write_text(RULES_OVERRIDE, encoding="utf-8")
    return {
        **app_config,
        "LOAD_ROADS": True,
        "MAPS_DIR": tmp_path,
        "REGION": "tiny",
        "RULES_FILE": str(rules),
    }


@dataclass
class CountyWorld:
    jia: Jurisdiction
    jia_town: Jurisdiction
    yi: Jurisdiction
    bing: Jurisdiction
    city: Jurisdiction


def build() -> CountyWorld:
    """Write the world through the services (commits)."""

    def node(**data: Any) -> Jurisdiction:
        return jurisdictions.create(db.session, SYSTEM, data)

    province = node(code="330000", name="测试省", level="province")
    city = node(code="330100", name="测试市", level="city", parent_id=province.id)
    jia = node(code="330101", name="甲县", level="county", parent_id=city.id, key_hazchem=True)
    town = node(code="330101001", name="甲镇", level="township", parent_id=jia.id)
    yi = node(code="330102", name="乙县", level="county", parent_id=city.id)
    bing = node(code="330103", name="丙县", level="county", parent_id=city.id, key_mining=True)

    def create(resource: Any, **data: Any) -> Any:
        return registry.create(db.session, SYSTEM, resource, data)

    def team(name: str, at: tuple[float, float], where: Jurisdiction, kind: str) -> None:
        create(
            TEAMS,
            name=name,
            specialties=["hazchem"],
            level="county",
            kind=kind,
            headcount=20,
            lon=at[0],
            lat=at[1],
            jurisdiction_id=where.id,
        )

    def base(name: str, at: tuple[float, float], where: Jurisdiction) -> None:
        create(
            BASES,
            name=name,
            level="county",
            specialties=["hazchem"],
            lon=at[0],
            lat=at[1],
            jurisdiction_id=where.id,
        )

    team("甲县危化救援队", SW1, jia, "professional")
    base("甲县救援基地", SW1, jia)
    team("乙县危化救援队", W4, yi, "professional")
    base("乙县救援基地", W4, yi)
    team("丙县志愿救援队", W4, bing, "quasi_professional")
    for number, (at, where) in enumerate(((SW1, jia), (SE3, town), (E6, jia)), start=1):
        firm = create(
            ENTERPRISES,
            name=f"甲县化工{number}",
            credit_code=credit_codes.make(f"91330101DEM00{number:04d}"),
            industry="hazchem_storage",
            scale="above",
            lon=at[0],
            lat=at[1],
            jurisdiction_id=where.id,
        )
        create(
            HAZARD_SOURCES,
            name=f"储罐区{number}",
            enterprise_id=firm.id,
            grade=2,
            substances=[{"name": "液氯", "quantity_t": 50}],
        )
    create(
        ENTERPRISES,
        name="甲县机械厂",
        credit_code=credit_codes.make("91330101DEM009999"),
        industry="industry_trade",
        scale="below",
        lon=E6[0],
        lat=E6[1],
        jurisdiction_id=jia.id,
    )
    db.session.commit()
    return CountyWorld(jia, town, yi, bing, city)
