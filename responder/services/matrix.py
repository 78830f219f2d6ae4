"""The response matrix: which specialties and materials an incident type needs, by severity.

It is data (tables ``matrix_team_needs`` and ``matrix_material_needs``), seeded from
``response_matrix.toml`` and edited by admins; every edit is audited.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from responder.errors import InvalidInput
from responder.models import Material, MatrixMaterialNeed, MatrixTeamNeed
from responder.rules import Rules
from responder.services import audit
from responder.services.actors import Actor
from responder.vocabulary import INCIDENT_TYPES, SEVERITIES, SPECIALTIES

DEFAULT_MATRIX_FILE = Path(__file__).resolve().parent.parent / "response_matrix.toml"


@dataclass(frozen=True)
class TeamNeed:
    specialty: str
    count: int


@dataclass(frozen=True)
class MaterialNeed:
    material_id: int
    code: str
    name: str
    unit: str
    quantity: float


def seed(session: Session, rules: Rules, path: Path = DEFAULT_MATRIX_FILE) -> list[str]:
    """Fill the matrix from the TOML file where a type has no rows yet.

    Returns notes about materials the catalog lacks (those rows are skipped).
    """
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    materials = {m.code: m for m in session.scalars(select(Material))}
    notes: list[str] = []
    scale = rules.severity_scale
    for incident_type, spec in data.items():
        if session.scalar(
            select(MatrixTeamNeed.id).where(MatrixTeamNeed.incident_type == incident_type)
        ):
            continue
        for specialty in spec["specialties"]:
            session.add(
                MatrixTeamNeed(
                    incident_type=incident_type,
                    specialty=specialty,
                    **{sev: scale[sev] for sev in SEVERITIES},
                )
            )
        for code, quantity in spec.get("materials", {}).items():
            material = materials.get(code)
            if material is None:
                notes.append(f"{incident_type}: material '{code}' is not in the catalog")
                continue
            session.add(
                MatrixMaterialNeed(
                    incident_type=incident_type,
                    material_id=material.id,
                    **{sev: float(quantity) * scale[sev] for sev in SEVERITIES},
                )
            )
    session.flush()
    return notes


def needs(
    session: Session, incident_type: str, severity: str
) -> tuple[list[TeamNeed], list[MaterialNeed]]:
    """The teams and materials an incident of this type and severity calls for."""
    if incident_type not in INCIDENT_TYPES:
        raise InvalidInput(f"unknown incident type '{incident_type}'", field="type")
    if severity not in SEVERITIES:
        raise InvalidInput(f"unknown severity '{severity}'", field="severity")
    team_rows = session.scalars(
        select(MatrixTeamNeed)
        .where(MatrixTeamNeed.incident_type == incident_type)
        .order_by(MatrixTeamNeed.id)
    )
    material_rows = session.scalars(
        select(MatrixMaterialNeed)
        .where(MatrixMaterialNeed.incident_type == incident_type)
        .order_by(MatrixMaterialNeed.id)
    )
    teams = [
        TeamNeed(r.specialty, getattr(r, severity)) for r in team_rows if getattr(r, severity) > 0
    ]
    materials = [
        MaterialNeed(
            r.material_id,
            r.material.code,
            r.material.name_zh,
            r.material.unit,
            getattr(r, severity),
        )
        for r in material_rows
        if getattr(r, severity) > 0
    ]
    return teams, materials


def table(session: Session) -> dict[str, Any]:
    """The whole matrix, by incident type."""
    result: dict[str, Any] = {t: {"teams": [], "materials": []} for t in INCIDENT_TYPES}
    for row in session.scalars(select(MatrixTeamNeed).order_by(MatrixTeamNeed.id)):
        result[row.incident_type]["teams"].append(
            {"specialty": row.specialty, **{s: getattr(row, s) for s in SEVERITIES}}
        )
    for mrow in session.scalars(select(MatrixMaterialNeed).order_by(MatrixMaterialNeed.id)):
        result[mrow.incident_type]["materials"].append(
            {
                "material_id": mrow.material_id,
                "code": mrow.material.code,
                **{s: getattr(mrow, s) for s in SEVERITIES},
            }
        )
    return result


def replace_type(
    session: Session,
    actor: Actor,
    incident_type: str,
    teams: list[dict[str, Any]],
    materials: list[dict[str, Any]],
) -> dict[str, Any]:
    """Replace one incident type's rows (admin).  Audited with before and after."""
    actor.require("matrix.write")
    if incident_type not in INCIDENT_TYPES:
        raise InvalidInput(f"unknown incident type '{incident_type}'", field="incident_type")
    for i, team in enumerate(teams):
        if team["specialty"] not in SPECIALTIES:
            raise InvalidInput(
                f"unknown specialty '{team['specialty']}'", field=f"teams.{i}.specialty"
            )
    for i, item in enumerate(materials):
        if session.get(Material, item["material_id"]) is None:
            raise InvalidInput(
                f"material {item['material_id']} does not exist", field=f"materials.{i}.material_id"
            )
    before = table(session)[incident_type]
    session.execute(delete(MatrixTeamNeed).where(MatrixTeamNeed.incident_type == incident_type))
    session.execute(
        delete(MatrixMaterialNeed).where(MatrixMaterialNeed.incident_type == incident_type)
    )
    for team in teams:
        session.add(MatrixTeamNeed(incident_type=incident_type, **team))
    for item in materials:
        session.add(MatrixMaterialNeed(incident_type=incident_type, **item))
    session.flush()
    after = table(session)[incident_type]
    audit.record(
        session,
        actor,
        "update",
        "response_matrix",
        None,
        before={"incident_type": incident_type, **before},
        after={"incident_type": incident_type, **after},
    )
    return after
