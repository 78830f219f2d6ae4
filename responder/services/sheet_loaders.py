"""Row loaders for spreadsheet imports: a row of a :class:`~responder.services.sheets.Sheet`
turned into API input, validated by the sheet's :data:`~responder.services.sheets.Validator`
and written by the same service call as the API (depots: one depot per name and
jurisdiction, its inventory lines added row by row)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from responder.errors import DomainError
from responder.models import Depot, Enterprise, Jurisdiction
from responder.services import inventory, jurisdictions, registry
from responder.services.actors import Actor
from responder.services.imports import Row, RowInvalid
from responder.services.resources import DEPOTS
from responder.services.sheets import (
    LINE,
    LINE_COLUMNS,
    Sheet,
    Validator,
    Validators,
    row_input,
)


def _load(
    validate: Validator, data: dict[str, Any], problems: list[tuple[str | None, str]]
) -> dict[str, Any]:
    try:
        return validate(data)
    except RowInvalid as error:
        problems.extend(error.problems)
        return {}


def _jurisdiction_id(
    session: Session, data: dict[str, Any], problems: list[tuple[str | None, str]]
) -> None:
    code = data.pop("jurisdiction_code", None)
    if code is None:
        return
    node_id = session.scalar(select(Jurisdiction.id).where(Jurisdiction.code == code))
    if node_id is None:
        problems.append(("jurisdiction_code", f"no jurisdiction has code {code}"))
    else:
        data["jurisdiction_id"] = node_id


def _substances(data: dict[str, Any], problems: list[tuple[str | None, str]]) -> None:
    """``氯气:50;液氨`` -> ``[{"name": "氯气", "quantity_t": 50.0}, {"name": "液氨"}]``."""
    if "substances" not in data:
        return
    items = []
    for part in data["substances"]:
        name, _, quantity = part.replace("：", ":").partition(":")
        item: dict[str, Any] = {"name": name.strip()}
        if quantity.strip():
            try:
                item["quantity_t"] = float(quantity)
            except ValueError:
                problems.append(("substances", f"{part!r}: quantity must be a number of tonnes"))
        items.append(item)
    data["substances"] = items


#: API fields that files spell differently: a problem with the field is one with the column.
RENAMES = {
    "jurisdiction": "lon",
    "jurisdiction_id": "jurisdiction_code",
    "enterprise_id": "credit_code",
    "material_id": "material_code",
}


def _renamed(error: DomainError) -> DomainError:
    """Point a service error at the column the file has (e.g. enterprise_id -> credit_code)."""
    if error.field in RENAMES:
        error.field = RENAMES[error.field]
    return error


def _invalid(problems: list[tuple[str | None, str]]) -> RowInvalid:
    """The row's problems, one per column (the first found), named as the file names them."""
    seen: dict[str | None, str] = {}
    for name, message in problems:
        seen.setdefault(RENAMES.get(name, name) if name else name, message)
    return RowInvalid(list(seen.items()))


class RecordLoader:
    """Row loader for kinds with one record per row: validated, then ``registry.create``."""

    def __init__(self, sheet: Sheet, validators: Validators) -> None:
        self.sheet = sheet
        self.validate = validators[sheet.name]

    def prepare(
        self, session: Session, data: dict[str, Any], problems: list[tuple[str | None, str]]
    ) -> None:
        """Turn file-only columns into API fields (hook for subclasses)."""
        _jurisdiction_id(session, data, problems)

    def __call__(self, session: Session, actor: Actor, row: Row) -> Iterable[str]:
        problems: list[tuple[str | None, str]] = []
        data = row_input(self.sheet, row)
        self.prepare(session, data, problems)
        loaded = _load(self.validate, data, problems)
        if problems:
            raise _invalid(problems)
        try:
            registry.create(session, actor, self.sheet.kind, loaded)
        except DomainError as error:
            raise _renamed(error) from error
        return [self.sheet.kind.entity]


class HazardSourceLoader(RecordLoader):
    def prepare(
        self, session: Session, data: dict[str, Any], problems: list[tuple[str | None, str]]
    ) -> None:
        _substances(data, problems)
        code = data.pop("credit_code", None)
        if code is None:
            problems.append(("credit_code", "name the enterprise by its credit code"))
            return
        enterprise_id = session.scalar(
            select(Enterprise.id).where(Enterprise.credit_code == code.strip().upper())
        )
        if enterprise_id is None:
            problems.append(("credit_code", f"no enterprise has credit code {code}"))
        else:
            data["enterprise_id"] = enterprise_id


class DepotLoader:
    """Rows are inventory lines; consecutive or not, rows with the same depot name and
    jurisdiction make one depot (created by its first row)."""

    def __init__(self, sheet: Sheet, validators: Validators) -> None:
        self.sheet = sheet
        self.validate = validators[sheet.name]
        self.validate_line = validators[LINE]
        self.depots: dict[tuple[str, int], Depot] = {}

    def __call__(self, session: Session, actor: Actor, row: Row) -> Iterable[str]:
        problems: list[tuple[str | None, str]] = []
        data = row_input(self.sheet, row)
        line_input = {key: data.pop(key) for key in LINE_COLUMNS if key in data}
        _jurisdiction_id(session, data, problems)
        depot_data = _load(self.validate, data, problems)
        line = _load(self.validate_line, line_input, problems) if line_input else None
        if problems:
            raise _invalid(problems)
        created = []
        try:
            where = jurisdictions.assign(
                session,
                depot_data["lon"],
                depot_data["lat"],
                explicit_id=depot_data.get("jurisdiction_id"),
            )
            key = (depot_data["name"], where.id)
            depot = self.depots.get(key)
            if depot is None:
                depot = registry.create(session, actor, DEPOTS, depot_data)
                self.depots[key] = depot
                created.append(DEPOTS.entity)
            if line is not None:
                inventory.add_line(session, actor, depot, **line)
                created.append("inventory_line")
        except DomainError as error:
            raise _renamed(error) from error
        return created


RowLoader = Callable[[Session, Actor, Row], Iterable[str]]

LOADERS: dict[str, Callable[[Sheet, Validators], RowLoader]] = {
    "depots": DepotLoader,
    "hazard_sources": HazardSourceLoader,
}


def loader_for(sheet: Sheet, validators: Validators) -> RowLoader:
    """A fresh row loader for one import (depot loaders remember the depots they made)."""
    return LOADERS.get(sheet.name, RecordLoader)(sheet, validators)
