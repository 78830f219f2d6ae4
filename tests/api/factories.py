"""Request bodies and small helpers shared by the registry API tests."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from responder.models import db
from responder.services.credit_codes import make


def credit_code(n: int) -> str:
    """A valid unified social credit code, distinct for each ``n``."""
    return make(f"91330100{n:09d}")


def bad_check_character(n: int) -> str:
    code = credit_code(n)
    wrong = "1" if code[-1] != "1" else "2"
    return code[:-1] + wrong


def count(model: type[Any]) -> int:
    return db.session.scalar(select(func.count()).select_from(model)) or 0


def depot(**overrides: Any) -> dict[str, Any]:
    body = {
        "name": "西区应急物资储备库",
        "operator": "西区应急管理局",
        "level": "county",
        "lon": 120.05,
        "lat": 30.05,
        "address": "西区1号",
    }
    body.update(overrides)
    return body


def enterprise(n: int = 1, **overrides: Any) -> dict[str, Any]:
    body = {
        "name": f"西区化工{n}厂",
        "credit_code": credit_code(n),
        "industry": "hazchem_production",
        "scale": "above",
        "lon": 120.05,
        "lat": 30.05,
    }
    body.update(overrides)
    return body


def expert(jurisdiction_id: int, **overrides: Any) -> dict[str, Any]:
    body = {
        "name": "张工",
        "specialties": ["hazchem"],
        "title": "高级工程师",
        "organization": "省化工研究院",
        "phone": "13800000000",
        "jurisdiction_id": jurisdiction_id,
    }
    body.update(overrides)
    return body
