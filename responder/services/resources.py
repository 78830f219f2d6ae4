"""The kinds of registry record and the rules only they have (see :mod:`registry`)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import String, cast, exists, inspect, or_, select, update
from sqlalchemy.orm import Session

from responder.errors import Conflict, InvalidInput
from responder.models import (
    Depot,
    Enterprise,
    Expert,
    HazardSource,
    InventoryLine,
    Jurisdiction,
    Material,
    RescueBase,
    RescueTeam,
    TeamSpecialty,
    utcnow,
)
from responder.models.base import rows_changed
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
    _check_status_change(data, record)
    _check_unavailability(data, record)
    if "specialties" in data and not data["specialties"]:
        raise InvalidInput("a team needs at least one specialty", field="specialties")


#: Why a team is out of service while ``unavailable`` (休整, 维修, 训练).
UNAVAILABLE_REASONS: dict[str, tuple[str, str]] = {
    "rest": ("休整", "Resting"),
    "repair": ("维修", "Under repair"),
    "training": ("训练", "Training"),
}
UNAVAILABILITY_FIELDS = ("unavailable_reason", "unavailable_note", "expected_back_at")


def _check_unavailability(data: dict[str, Any], record: Any) -> None:
    """An unavailable team may say why and until when; an available one says nothing.

    Setting a team available clears the reason, note and expected return; details given
    for a team that is (or becomes) available are refused, so nothing contradicts the status.
    """
    status = data.get("status", record.status if record is not None else "available")
    given = [name for name in UNAVAILABILITY_FIELDS if data.get(name) not in (None, "")]
    if status != "unavailable":
        if given:
            raise InvalidInput(f"{given[0]} applies only to an unavailable team", field=given[0])
        if record is not None and data.get("status") == "available":
            data.update(unavailable_reason=None, unavailable_note="", expected_back_at=None)
        return
    reason = data.get("unavailable_reason")
    if reason is not None and reason not in UNAVAILABLE_REASONS:
        raise InvalidInput(
            f"unknown reason '{reason}'; one of {', '.join(UNAVAILABLE_REASONS)}",
            field="unavailable_reason",
        )
    back = data.get("expected_back_at")
    if back is not None and back <= utcnow():
        raise InvalidInput("expected_back_at must be in the future", field="expected_back_at")


#: Statuses owned by dispatch: a team enters and leaves them only through an incident.
DISPATCH_STATUSES = frozenset({"dispatched", "on_scene", "returning"})


def _check_status_change(data: dict[str, Any], record: Any) -> None:
    new = data.get("status")
    old = record.status if record is not None else None
    if new is None or new == old:
        return
    if new in DISPATCH_STATUSES or old in DISPATCH_STATUSES:
        raise Conflict(
            f"a team moves into or out of '{new if new in DISPATCH_STATUSES else old}' only "
            "through its incident (dispatch, status, close)",
            field="status",
        )


def _team_apply(session: Session, data: dict[str, Any], record: RescueTeam) -> None:
    if "specialties" in data:
        record.specialties = data["specialties"]
    _stamp_status_change(session, record)


def _stamp_status_change(session: Session, record: RescueTeam) -> None:
    """A status change moves ``status_version`` with a compare-and-set, as dispatch does.

    Dispatch takes a team only ``WHERE status = 'available' AND status_version = v``; an
    operator's change bumps the version under the same condition on the old values, so
    whichever writes second is refused (409) instead of overwriting the other.
    """
    history = inspect(record).attrs.status.history
    if not history.has_changes():
        return
    now = utcnow()
    if record.id is None or not history.deleted:  # a new team
        record.status_changed_at = now
        return
    old, version = history.deleted[0], record.status_version
    with session.no_autoflush:  # the ORM must not write the new status before the check
        taken = rows_changed(
            session,
            update(RescueTeam)
            .where(
                RescueTeam.id == record.id,
                RescueTeam.status == old,
                RescueTeam.status_version == version,
            )
            .values(status_version=version + 1, status_changed_at=now)
            .execution_options(synchronize_session=False),
        )
    if not taken:
        raise Conflict(
            "the team's status changed meanwhile (another operator or a dispatch); reload",
            field="status",
        )
    record.status_version = version + 1
    record.status_changed_at = now


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


def _expert_rules(_session: Session, data: dict[str, Any], _record: Any) -> None:
    if "specialties" in data and not data["specialties"]:
        raise InvalidInput("an expert needs at least one specialty", field="specialties")


def _json_list_has_any(column: Any) -> Any:
    """Filter on a JSON list of codes (portable: matches the quoted code in the JSON text)."""

    def clause(codes: list[str]) -> Any:
        return or_(*(cast(column, String).like(f'%"{code}"%') for code in codes))

    return clause


def _holds_material(codes: list[str]) -> Any:
    """Depots holding a positive stock of any of the material codes."""
    return exists().where(
        InventoryLine.depot_id == Depot.id,
        InventoryLine.quantity > 0,
        InventoryLine.material_id.in_(select(Material.id).where(Material.code.in_(codes))),
    )


def _has_hazard_source(wanted: bool) -> Any:
    clause = exists().where(
        HazardSource.enterprise_id == Enterprise.id, HazardSource.retired_at.is_(None)
    )
    return clause if wanted else ~clause


def _any_specialty(model: type[Any]) -> Any:
    def clause(codes: list[str]) -> Any:
        return exists().where(TeamSpecialty.team_id == model.id, TeamSpecialty.specialty.in_(codes))

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
BASES = ResourceKind(
    entity="base",
    model=RescueBase,
    text_columns=("name", "address"),
    filters={
        "level": lambda v: RescueBase.level.in_(v),
        "specialty": _json_list_has_any(RescueBase.specialties),
    },
)
DEPOTS = ResourceKind(
    entity="depot",
    model=Depot,
    validate=_depot_rules,
    text_columns=("name", "operator", "address"),
    filters={
        "level": lambda v: Depot.level.in_(v),
        "base_id": lambda v: Depot.base_id == v,
        "material": _holds_material,
    },
)
MATERIALS = ResourceKind(
    entity="material",
    model=Material,
    located=False,
    unique_name=False,
    validate=_material_rules,
    text_columns=("code", "name_zh", "name_en"),
    permission="catalog.write",
    scoped=False,
    filters={"category": lambda v: Material.category.in_(v)},
)
EXPERTS = ResourceKind(
    entity="expert",
    model=Expert,
    located=False,
    unique_name=False,
    validate=_expert_rules,
    text_columns=("name", "organization", "title"),
    filters={"specialty": _json_list_has_any(Expert.specialties)},
)
ENTERPRISES = ResourceKind(
    entity="enterprise",
    model=Enterprise,
    permission="enterprises.write",
    unique_name=False,
    validate=_enterprise_rules,
    text_columns=("name", "credit_code", "address"),
    filters={
        "industry": lambda v: Enterprise.industry.in_(v),
        "scale": lambda v: Enterprise.scale.in_(v),
        "has_hazard_source": _has_hazard_source,
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
    placed_by=(Enterprise, HazardSource.enterprise_id),
    filters={
        "grade": lambda v: HazardSource.grade.in_([int(g) for g in v]),
        "enterprise_id": lambda v: HazardSource.enterprise_id == v,
        "monitored": lambda v: HazardSource.monitored == v,
    },
)

#: Every kind by its entity name (imports, exports and pages look kinds up here).
KINDS: dict[str, ResourceKind] = {
    kind.entity: kind
    for kind in (TEAMS, BASES, DEPOTS, MATERIALS, EXPERTS, ENTERPRISES, HAZARD_SOURCES)
}
