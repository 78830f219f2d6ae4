"""Fixtures for the plan database: enterprises, hazard sources and plans built directly in
the database (so rate tests state exactly the dates they mean)."""

from __future__ import annotations

import hashlib
import itertools
from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from flask import Flask

from responder.models import Enterprise, HazardSource, Plan, PlanDocument, db
from responder.rules import Rules
from responder.services import plans
from responder.services.actors import Actor

_codes = itertools.count(1)


@pytest.fixture
def rules(app: Flask) -> Rules:
    return app.extensions["responder.rules"]


def credit_code() -> str:
    """A unique 18-character code (the check digit is not validated on direct inserts)."""
    return f"91330100MA{next(_codes):08d}"


@pytest.fixture
def make_enterprise(region: Any) -> Callable[..., Enterprise]:
    """``make_enterprise("hazchem_storage", county="east", grades=[2])``."""

    def make(
        industry: str = "hazchem_storage",
        *,
        county: str = "west",
        name: str = "",
        grades: tuple[int, ...] = (),
        **extra: Any,
    ) -> Enterprise:
        node = getattr(region, county)
        lon, lat = region.west_point if county == "west" else region.east_point
        enterprise = Enterprise(
            name=name or f"企业{next(_codes)}",
            credit_code=credit_code(),
            industry=industry,
            jurisdiction_id=node.id,
            lon=lon,
            lat=lat,
            **extra,
        )
        db.session.add(enterprise)
        db.session.flush()
        for grade in grades:
            db.session.add(HazardSource(enterprise_id=enterprise.id, name="罐区", grade=grade))
        db.session.flush()
        return enterprise

    return make


@pytest.fixture
def make_plan() -> Callable[..., Plan]:
    """A plan row as it would be after the workflow (``status`` and dates as given)."""

    def make(
        enterprise: Enterprise,
        *,
        filed_on: date | None = None,
        status: str = "filed",
        published_on: date | None = None,
        plan_type: str = "comprehensive",
        **extra: Any,
    ) -> Plan:
        plan = Plan(
            owner_kind="enterprise",
            enterprise_id=enterprise.id,
            jurisdiction_id=enterprise.jurisdiction_id,
            title=f"{enterprise.name}综合应急预案",
            plan_type=plan_type,
            status=status,
            filed_on=filed_on,
            published_on=published_on or filed_on,
            **extra,
        )
        db.session.add(plan)
        db.session.flush()
        return plan

    return make


def actor(role: str, scope_path: str | None = None, user_id: int | None = None) -> Actor:
    return Actor(user_id=user_id, username=role, role=role, scope_path=scope_path)


def attach_materials(plan: Plan, rules: Rules, *, skip: tuple[str, ...] = ()) -> None:
    """Give ``plan`` a document row for each filing material it needs (办法 Art 27), but
    those in ``skip`` (the bytes are not needed by the workflow, only the rows)."""
    have = {document.material for document in plan.documents}
    for material in plans.required_materials(plan, rules):
        if material in skip or material in have:
            continue
        digest = hashlib.sha256(f"{plan.id}:{material}".encode()).hexdigest()
        db.session.add(
            PlanDocument(
                plan_id=plan.id,
                sha256=digest,
                filename=f"{material}.pdf",
                content_type="application/pdf",
                size=1,
                material=material,
            )
        )
    db.session.flush()
    db.session.expire(plan, ["documents"])


def submit(who: Actor, plan: Plan, rules: Rules, today: date) -> Plan:
    """Attach the required materials and submit the plan on ``today``."""
    attach_materials(plan, rules)
    return plans.submit(db.session, who, plan, rules=rules, today=today)
