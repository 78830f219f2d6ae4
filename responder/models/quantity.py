"""Stock quantities as exact decimals: ``NUMERIC(18, 6)`` in the database, ``Decimal`` in
Python, plain numbers in JSON.

Binary floats left ``2.3 - 2.0 = 0.2999999999999998`` in a depot.  :class:`Quantity` stores
up to six decimals exactly on PostgreSQL; SQLite has no decimal storage (it keeps a REAL),
so values are rounded to six decimals when written (see ``inventory.shift``) and when
read, which gives back exactly the decimal that was meant.  A float handed to a quantity
is taken as the decimal it prints as (``2.3`` means 2.3, not its binary expansion).
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from sqlalchemy import Numeric
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator

#: Decimal places kept (a millionth of a tonne is a gram).
SCALE = 6
_STEP = Decimal(1).scaleb(-SCALE)


def as_quantity(value: Any) -> Decimal:
    """``value`` (int, float, str or Decimal) as a Decimal rounded to :data:`SCALE` places,
    written without trailing zeros (``Decimal('2.3')``, ``Decimal('100')``)."""
    number = value if isinstance(value, Decimal) else Decimal(str(value))
    if not number.is_finite():
        raise ValueError(f"a quantity must be a finite number, not {value!r}")
    number = number.quantize(_STEP)
    return number.quantize(Decimal(1)) if number == number.to_integral() else number.normalize()


class Quantity(TypeDecorator[Decimal]):
    """``NUMERIC(18, 6)`` holding :func:`as_quantity` values."""

    impl = Numeric(18, SCALE, asdecimal=True)
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> Decimal | None:
        return None if value is None else as_quantity(value)

    def process_result_value(self, value: Any, dialect: Dialect) -> Decimal | None:
        return None if value is None else as_quantity(value)


def json_number(value: Any) -> Any:
    """``json.dumps`` default: a Decimal as a JSON number (an int when whole, else the
    float whose shortest form is the same decimal: 0.3 prints as ``0.3``)."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral() else float(value)
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


def dumps(value: Any) -> str:
    """JSON text for the database's JSON columns, quantities as numbers."""
    return json.dumps(value, default=json_number)
