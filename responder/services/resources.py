"""The kinds of registry record and the rules only they have (see :mod:`registry`)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from responder.errors import Conflict, InvalidInput
from responder.models import (
    Depot,
    Enterprise,
    Expert,
    HazardSource,
    Jurisdiction,
    Material,
    RescueBase,
    RescueTeam,
    TeamSpecialty,
)
from responder.services import credit_codes
from responder.services.registry import ResourceKind


def _existing(session: Session, model: type[Any], record_id: int | None, field: str) -> Any:
    if record_id is None:
        return None
    record = session.get(model, record_id)
    if record is None or getattr(record, "retired_at", None) is not None:
        raise InvalidInput(f"{field.removesuffix('_id')} {record_id} does not exist", field=field)
    return record


def _team_rules(session: Session, data: dict[str, Any], record: Any) -> None:
    base = _existing(session, RescueBase, data.get("base_id"), "base_id")
    if base is not None and record is None:
        data.setdefault("lon", base.lon)
        data.setdefault("lat", base.lat)
    if record is None and ("lon" not in data or "lat" not in data):
        raise InvalidInput("a team needs a location (lon, lat) or a base_id", field="lon")
    if "specialties" in data and not data["specialties"]:
        raise InvalidInput("a team needs at least one specialty", field="specialties")


def _team_apply(_session: Session, data: dict[str, Any], record: RescueTeam) -> None:
    if "specialties" in data:
        record.specialties = data["specialties"]


def _depot_rules(session: Session, data: dict[str, Any], _record: Any) -> None:
    _existing(session, RescueBase, data.get("base_id"), "base_id")


def _enterprise_rules(session: Session, data: dict[str, Any], record: Any) -> None:
    code = data.get("credit_code")
    if code is None:
        return
    code = data["credit_code"] = code.strip().upper()
    problem = credit_codes.problem(code)
    if problem:
        raise InvalidInput(f"credit_code {problem}", field="credit_code")
    clash = select(Enterprise.id).where(Enterprise.credit_code == code)
    if record is not None:
        clash = clash.where(Enterprise.id != record.id)
    if session.scalar(clash) is not None:
        raise Conflict(f"an enterprise with credit code {code} already exists", field="credit_code")


def _hazard_rules(session: Session, data: dict[str, Any], record: Any) -> None:
    if "enterprise_id" in data:
        _existing(session, Enterprise, data["enterprise_id"], "enterprise_id")


def _hazard_scope(session: Session, data: dict[str, Any], record: Any) -> Jurisdiction:
    enterprise_id = data.get("enterprise_id", getattr(record, "enterprise_id", None))
    enterprise = _existing(session, Enterprise, enterprise_id, "enterprise_id")
    return enterprise.jurisdiction


def _material_rules(session: Session, data: dict[str, Any], record: Any) -> None:
    code = data.get("code")
    if code is None:
        return
    clash = select(Material.id).where(Material.code == code)
    if record is not None:
        clash = clash.where(Material.id != record.id)
    if session.scalar(clash) is not None:
        raise Conflict(f"material code '{code}' already exists", field="code")


def _any_specialty(model: type[Any]) -> Any:
    def clause(codes: list[str]) -> Any:
        return exists().where(TeamSpecialty.team_id == model.id,
                              TeamSpecialty.specialty.in_(codes))
    return clause


TEAMS = ResourceKind(
    entity="team",
    model=RescueTeam,
    validate=_team_rules,
    apply=_team_apply,
    text_columns=("name", "contact_name", "equipment"),
    filters={
        "specialty": _any_specialty(RescueTeam),
        "status": lambda v: RescueTeam.status.in_(v),
        "level": lambda v: RescueTeam.level.in_(v),
        "kind": lambda v: RescueTeam.kind.in_(v),
        "base_id": lambda v: RescueTeam.base_id == v,
    },
)
BASES = ResourceKind(entity="base", model=RescueBase, text_columns=("name", "address"),
                     filters={"level": lambda v: RescueBase.level.in_(v)})
DEPOTS = ResourceKind(entity="depot", model=Depot, validate=_depot_rules,
                      text_columns=("name", "operator", "address"),
                      filters={"level": lambda v: Depot.level.in_(v)})
MATERIALS = ResourceKind(entity="material", model=Material, located=False, unique_name=False,
                         validate=_material_rules, text_columns=("code", "name_zh", "name_en"),
                         permission="catalog.write", scoped=False)
EXPERTS = ResourceKind(entity="expert", model=Expert, located=False, unique_name=False,
                       text_columns=("name", "organization", "title"))
ENTERPRISES = ResourceKind(
    entity="enterprise",
    model=Enterprise,
    permission="enterprises.write",
    unique_name=False,
    validate=_enterprise_rules,
    text_columns=("name", "credit_code", "address"),
    filters={
        "industry": lambda v: Enterprise.industry.in_(v),
        "scale": lambda v: Enterprise.scale == v,
        "has_hazard_source": lambda v: (
            exists().where(HazardSource.enterprise_id == Enterprise.id,
                           HazardSource.retired_at.is_(None))
            if v else ~exists().where(HazardSource.enterprise_id == Enterprise.id,
                                      HazardSource.retired_at.is_(None))
        ),
    },
)
HAZARD_SOURCES = ResourceKind(
    entity="hazard_source",
    model=HazardSource,
    permission="enterprises.write",
    located=False,
    unique_name=False,
    validate=_hazard_rules,
    scope_of=_hazard_scope,
    filters={
        "grade": lambda v: HazardSource.grade.in_(v),
        "enterprise_id": lambda v: HazardSource.enterprise_id == v,
        "monitored": lambda v: HazardSource.monitored.is_(v),
    },
)
