"""Depot stock (库存): inventory lines and atomic stock changes.

Two layers:

* **Primitives** — :func:`shift`, :func:`take`, :func:`put_back`.  Each is one conditional
  ``UPDATE inventory_lines SET quantity = quantity + :delta WHERE id = :id AND
  quantity + :delta >= 0``: the database decides, so two clerks (or two dispatchers) can
  never both draw the last of a stock and drive it negative, on SQLite or PostgreSQL.  They
  neither check permissions nor audit; their caller (dispatch, :func:`adjust`) does both.
  On SQLite call them inside a write transaction started with
  :func:`responder.models.base.begin_write` (``BEGIN IMMEDIATE``), so concurrent writers
  queue on the lock instead of failing when a read snapshot is upgraded.
* **Clerk operations** — :func:`add_line`, :func:`update_line`, :func:`remove_line`,
  :func:`adjust`: permission and jurisdiction checks, validation, audit.

Quantities are in the material's catalog unit, exact decimals (``Decimal``, six places:
:mod:`responder.models.quantity`); they are never negative.  Floats given by callers are
taken as the decimal they print as.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.util import identity_key

from responder.errors import Conflict, InvalidInput, NotFound
from responder.models import Depot, InventoryLine, Material, utcnow
from responder.models.quantity import SCALE, as_quantity
from responder.services import audit, materials
from responder.services.actors import Actor
from responder.services.resources import DEPOTS

#: The permission that guards stock changes: the same as for the depot itself.
PERMISSION = DEPOTS.permission


# --- primitives ---------------------------------------------------------------------------


def shift(session: Session, line_id: int, delta: float | Decimal) -> Decimal | None:
    """Add ``delta`` (may be negative) to a line's quantity unless that would make it negative.

    Returns the new quantity, or ``None`` when nothing changed (the line does not exist or
    holds less than ``-delta``).  Atomic: one conditional UPDATE; no audit, no permission.
    The sum is rounded to the quantity scale in SQL: exact on PostgreSQL's NUMERIC already,
    and on SQLite (which adds REALs) it keeps ``0.3 - 0.3`` at 0, never ``-5e-17``.
    """
    new = func.round(InventoryLine.quantity + as_quantity(delta), SCALE)
    stmt = (
        update(InventoryLine)
        .where(InventoryLine.id == line_id, new >= 0)
        .values(quantity=new, updated_at=utcnow())
        .returning(InventoryLine.quantity)
        .execution_options(synchronize_session=False)
    )
    new_quantity = session.execute(stmt).scalar_one_or_none()
    loaded = session.identity_map.get(identity_key(InventoryLine, line_id))
    if loaded is not None and new_quantity is not None:
        session.expire(loaded, ["quantity", "updated_at"])
    return new_quantity


def take(session: Session, line_id: int, quantity: float | Decimal) -> bool:
    """Remove ``quantity`` (>= 0) from a line if it holds at least that much; True if taken.

    For dispatch: a False answer means another caller got the stock first (or the line is
    gone) and nothing changed.  The caller audits and commits.
    """
    if quantity < 0:
        raise ValueError("take() needs a non-negative quantity")
    return shift(session, line_id, -quantity) is not None


def put_back(session: Session, line_id: int, quantity: float | Decimal) -> bool:
    """Return ``quantity`` (>= 0) to a line (on release); False if the line no longer exists."""
    if quantity < 0:
        raise ValueError("put_back() needs a non-negative quantity")
    return shift(session, line_id, quantity) is not None


# --- clerk operations ---------------------------------------------------------------------


def get_line(session: Session, depot: Depot, line_id: int) -> InventoryLine:
    """Line ``line_id`` of ``depot``; NotFound if it belongs to another depot or none."""
    line = session.get(InventoryLine, line_id)
    if line is None or line.depot_id != depot.id:
        raise NotFound(f"inventory line {line_id} not found in depot {depot.id}")
    return line


def _require(actor: Actor, depot: Depot) -> None:
    actor.require(PERMISSION, path=depot.jurisdiction.path, what="the depot")
    if depot.retired_at is not None:
        raise Conflict(f"depot {depot.id} is retired; its stock cannot change", field="depot_id")


def _check_quantity(quantity: float | Decimal, field: str = "quantity") -> Decimal:
    """``quantity`` as an exact decimal; InvalidInput unless a finite number >= 0."""
    try:
        exact = as_quantity(quantity)
    except (ValueError, ArithmeticError):
        exact = Decimal(-1)
    if exact < 0:
        raise InvalidInput("quantity must be a non-negative number", field=field)
    return exact


def _check_unique(
    session: Session,
    depot: Depot,
    material: Material,
    expiry: date | None,
    line_id: int | None = None,
) -> None:
    """One line per (material, expiry date) in a depot; NULL expiry counts as a value here."""
    clash = select(InventoryLine.id).where(
        InventoryLine.depot_id == depot.id,
        InventoryLine.material_id == material.id,
        InventoryLine.expiry_date.is_(None)
        if expiry is None
        else InventoryLine.expiry_date == expiry,
    )
    if line_id is not None:
        clash = clash.where(InventoryLine.id != line_id)
    if session.scalar(clash) is not None:
        raise Conflict(
            f"depot already has a line of {material.code} with expiry {expiry or 'none'}; "
            "adjust that line instead",
            field="material_id",
        )


def add_line(
    session: Session,
    actor: Actor,
    depot: Depot,
    *,
    material_id: int | None = None,
    material_code: str | None = None,
    quantity: float | Decimal = 0,
    expiry_date: date | None = None,
) -> InventoryLine:
    """Add a stock line of a catalog material (by id or code) to ``depot``; audited."""
    _require(actor, depot)
    if material_id is not None:
        material = materials.by_id(session, material_id)
    elif material_code is not None:
        material = materials.by_code(session, material_code)
    else:
        raise InvalidInput("give material_id or material_code", field="material_id")
    exact = _check_quantity(quantity)
    _check_unique(session, depot, material, expiry_date)
    line = InventoryLine(depot=depot, material=material, quantity=exact, expiry_date=expiry_date)
    session.add(line)
    session.flush()
    audit.record(session, actor, "create", "inventory_line", line.id, after=audit.snapshot(line))
    return line


def update_line(
    session: Session, actor: Actor, line: InventoryLine, data: dict[str, Any]
) -> InventoryLine:
    """Set a line's ``quantity`` (a stock count) and/or ``expiry_date``; audited.

    Setting an absolute quantity is for stocktakes; day-to-day changes go through
    :func:`adjust`, which cannot lose a concurrent change.
    """
    _require(actor, line.depot)
    unknown = set(data) - {"quantity", "expiry_date"}
    if unknown:
        raise InvalidInput(f"cannot change {', '.join(sorted(unknown))}", field=min(unknown))
    if "quantity" in data:
        data = {**data, "quantity": _check_quantity(data["quantity"])}
    if "expiry_date" in data:
        _check_unique(session, line.depot, line.material, data["expiry_date"], line.id)
    before = audit.snapshot(line)
    for key, value in data.items():
        setattr(line, key, value)
    session.flush()
    audit.record(
        session,
        actor,
        "update",
        "inventory_line",
        line.id,
        before=before,
        after=audit.snapshot(line),
    )
    return line


def remove_line(session: Session, actor: Actor, line: InventoryLine) -> None:
    """Delete a line (stock history stays in the audit log)."""
    _require(actor, line.depot)
    before = audit.snapshot(line)
    session.delete(line)
    session.flush()
    audit.record(session, actor, "delete", "inventory_line", before["id"], before=before)


def adjust(
    session: Session,
    actor: Actor,
    depot_id: int,
    line_id: int,
    delta: float | Decimal,
    *,
    reason: str,
) -> InventoryLine:
    """Change line ``line_id`` of depot ``depot_id`` by ``delta`` (signed), atomically and
    audited with the reason.

    The conditional UPDATE is the first statement, so even without ``begin_write`` it takes
    SQLite's write lock before any read snapshot exists (call it with no transaction open or
    after ``begin_write``).  The permission and scope checks follow; if they fail the
    caller's rollback undoes the change.  One that would take
    the stock below zero changes nothing and raises :class:`Conflict` naming ``delta``.
    The audit entry records the quantity just before and after *this* change, even when
    others ran concurrently.
    """
    try:
        delta = as_quantity(delta)
    except (ValueError, ArithmeticError):
        delta = Decimal(0)
    if delta == 0:  # NaN, infinite or no-op
        raise InvalidInput("delta must be a non-zero number", field="delta")
    if not reason.strip():
        raise InvalidInput("give a reason for the adjustment", field="reason")
    new_quantity = shift(session, line_id, delta)
    line = session.get(InventoryLine, line_id)
    if line is None or line.depot_id != depot_id:
        raise NotFound(f"inventory line {line_id} not found in depot {depot_id}")
    _require(actor, line.depot)
    if new_quantity is None:
        raise Conflict(
            f"only {line.quantity:g} {line.material.unit} in stock; cannot remove {-delta:g}",
            field="delta",
        )
    audit.record(
        session,
        actor,
        "adjust",
        "inventory_line",
        line_id,
        before={"quantity": new_quantity - delta},
        after={"quantity": new_quantity},
        note=reason.strip(),
    )
    return line


def verify_line(session: Session, actor: Actor, line: InventoryLine) -> InventoryLine:
    """Mark a stock line as counted and confirmed just now (``verified_at``); audited."""
    _require(actor, line.depot)
    line.verified_at = utcnow()
    session.flush()
    audit.record(
        session,
        actor,
        "verify",
        "inventory_line",
        line.id,
        after={"verified_at": line.verified_at.isoformat()},
    )
    return line
