"""A proposal names the experts on call today for the incident's needed specialties."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from responder.models import db
from responder.services import experts, registry
from responder.services.actors import SYSTEM
from responder.services.resources import EXPERTS
from tests.fixtures.dispatch import central_node, place_incident, propose


def _expert(world, name: str, specialty: str) -> int:
    expert = registry.create(
        db.session,
        SYSTEM,
        EXPERTS,
        {
            "name": name,
            "specialties": [specialty],
            "organization": "市化工研究院",
            "phone": "13800000001",
            "jurisdiction_id": world.west.id,
        },
    )
    return expert.id


def test_a_hazchem_leak_lists_the_hazchem_experts_on_call(app, world, login_as):
    today = datetime.now(ZoneInfo(app.config["TIMEZONE"])).date()
    city_id = world.west.parent_id
    hazchem = experts.create_group(
        db.session, SYSTEM, name="危化品专家组", specialty="hazchem", jurisdiction_id=city_id
    )
    mine = experts.create_group(
        db.session, SYSTEM, name="矿山专家组", specialty="mine", jurisdiction_id=city_id
    )
    on_call = _expert(world, "李值班", "hazchem")
    off_duty = _expert(world, "赵休息", "hazchem")
    miner = _expert(world, "钱矿山", "mine")
    for group, member in ((hazchem, on_call), (hazchem, off_duty), (mine, miner)):
        experts.add_member(db.session, SYSTEM, group_id=group.id, expert_id=member)
    day = timedelta(days=1)
    experts.set_on_call(
        db.session, SYSTEM, expert_id=on_call, starts_on=today - day, ends_on=today + day
    )
    experts.set_on_call(
        db.session, SYSTEM, expert_id=off_duty, starts_on=today + 3 * day, ends_on=today + 9 * day
    )
    experts.set_on_call(
        db.session, SYSTEM, expert_id=miner, starts_on=today - day, ends_on=today + day
    )
    db.session.commit()

    api = login_as("operator")
    incident = place_incident(api, world, central_node(world.network), "hazchem_leak")
    listed = propose(api, incident["id"])["experts"]

    assert [(e["name"], e["specialty"], e["phone"]) for e in listed] == [
        ("李值班", "hazchem", "13800000001")
    ]  # the expert not on call today and the mine expert are left out
