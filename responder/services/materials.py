"""The material catalog (应急物资目录): the materials depots stock and incidents call for.

The catalog gives every material one code, a Chinese and English name and one unit, so a
quantity means the same thing in every depot and the response matrix can name materials by
code.  :data:`CATALOG` is the starting list from docs/domain.md; admins extend it over the API.
"""

from __future__ import annotations

from typing import NamedTuple

from sqlalchemy import select
from sqlalchemy.orm import Session

from responder.errors import InvalidInput
from responder.models import Material
from responder.services import audit
from responder.services.actors import SYSTEM, Actor


class CatalogEntry(NamedTuple):
    code: str
    name_zh: str
    name_en: str
    unit: str
    category: str


#: The docs/domain.md catalog.  Units: t (tonne), m, kg, set, unit (one device), piece.
CATALOG: tuple[CatalogEntry, ...] = (
    CatalogEntry("foam_concentrate", "泡沫灭火剂", "Foam concentrate", "t", "fire_fighting"),
    CatalogEntry("oil_boom", "围油栏", "Oil boom", "m", "oil_spill"),
    CatalogEntry("absorbent_felt", "吸油毡", "Oil-absorbent felt", "kg", "oil_spill"),
    CatalogEntry(
        "breathing_apparatus",
        "正压式空气呼吸器",
        "Positive-pressure breathing apparatus",
        "set",
        "protection",
    ),
    CatalogEntry("protective_suit", "防化服", "Chemical protective suit", "set", "protection"),
    CatalogEntry("gas_detector", "便携式气体检测仪", "Portable gas detector", "unit", "detection"),
    CatalogEntry("neutralizer", "中和剂", "Neutralizer", "t", "hazchem"),
    CatalogEntry("sandbag", "沙袋", "Sandbag", "piece", "flood"),
    CatalogEntry("drainage_pump", "排水泵", "Drainage pump", "unit", "flood"),
    CatalogEntry("generator", "发电机", "Generator", "unit", "power"),
    CatalogEntry("hydraulic_tools", "液压破拆工具组", "Hydraulic rescue tool set", "set", "rescue"),
    CatalogEntry("assault_boat", "冲锋舟", "Rubber assault boat", "unit", "water"),
    CatalogEntry("life_jacket", "救生衣", "Life jacket", "piece", "water"),
    CatalogEntry("self_rescuer", "自救器", "Self-rescuer", "unit", "mine"),
    CatalogEntry("stretcher", "担架", "Stretcher", "unit", "medical"),
)


def seed_catalog(session: Session, actor: Actor = SYSTEM) -> list[Material]:
    """Add every :data:`CATALOG` entry whose code is not in the database yet.

    Idempotent (existing codes are left exactly as they are, admins may have renamed them),
    so the demo loader, tests and a fresh install can all call it.  Returns the materials
    added; each is audited.  The caller commits.
    """
    have = set(session.scalars(select(Material.code)))
    added = []
    for entry in CATALOG:
        if entry.code in have:
            continue
        material = Material(**entry._asdict())
        session.add(material)
        added.append(material)
    session.flush()
    for material in added:
        audit.record(
            session,
            actor,
            "create",
            "material",
            material.id,
            after=audit.snapshot(material),
            note="catalog seed",
        )
    return added


def by_code(session: Session, code: str, *, field: str = "material_code") -> Material:
    """The catalog material with ``code``; :class:`InvalidInput` naming ``field`` if there is
    none or it is retired."""
    material = session.scalar(select(Material).where(Material.code == code))
    if material is None or material.retired_at is not None:
        raise InvalidInput(f"material '{code}' is not in the catalog", field=field)
    return material


def by_id(session: Session, material_id: int, *, field: str = "material_id") -> Material:
    """The catalog material ``material_id``; :class:`InvalidInput` naming ``field`` if unknown
    or retired."""
    material = session.get(Material, material_id)
    if material is None or material.retired_at is not None:
        raise InvalidInput(f"material {material_id} does not exist", field=field)
    return material
