"""Expert groups and on-call dates: who to phone for an incident's specialties on a day;
contacts recorded for the incident timeline."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from responder.errors import Forbidden, InvalidInput
from responder.models import AuditEntry, ExpertContact, db
from responder.services import experts, registry
from responder.services.actors import SYSTEM, Actor
from responder.services.resources import EXPERTS

DAY = date(2026, 12, 1)


def _expert(region: Any, name: str, organization: str, phone: str) -> Any:
    return registry.create(
        db.session,
        SYSTEM,
        EXPERTS,
        {
            "name": name,
            "specialties": ["hazchem"],
            "organization": organization,
            "phone": phone,
            "jurisdiction_id": region.west.id,
        },
    )


@pytest.fixture
def roster(region: Any) -> dict[str, Any]:
    """A hazchem group (city) and a mine group (west county); three experts."""
    hazchem = experts.create_group(
        db.session, SYSTEM, name="危化品专家组", specialty="hazchem", jurisdiction_id=region.city.id
    )
    mine = experts.create_group(
        db.session, SYSTEM, name="矿山专家组", specialty="mine", jurisdiction_id=region.west.id
    )
    on_call = _expert(region, "李值班", "市化工研究院", "13800000001")
    off_duty = _expert(region, "赵休息", "市安全技术中心", "13800000002")
    miner = _expert(region, "钱矿山", "矿山救护大队", "13800000003")
    for group, member in ((hazchem, on_call), (hazchem, off_duty), (mine, miner)):
        experts.add_member(db.session, SYSTEM, group_id=group.id, expert_id=member.id)
    experts.set_on_call(db.session, SYSTEM, expert_id=on_call.id, starts_on=DAY, ends_on=DAY)
    experts.set_on_call(
        db.session,
        SYSTEM,
        expert_id=off_duty.id,
        starts_on=DAY + timedelta(days=1),
        ends_on=DAY + timedelta(days=7),
    )
    experts.set_on_call(
        db.session, SYSTEM, expert_id=miner.id, starts_on=DAY - timedelta(days=3), ends_on=DAY
    )
    db.session.commit()
    return {"on_call": on_call, "off_duty": off_duty, "miner": miner}


def test_only_experts_on_call_that_day_for_the_specialties(roster: Any) -> None:
    found = experts.on_call_experts(db.session, specialties=["hazchem"], on=DAY)
    assert [(e.name, e.unit, e.phone, e.specialty) for e in found] == [
        ("李值班", "市化工研究院", "13800000001", "hazchem")
    ]  # 赵休息 is in the group but on call only from tomorrow
    later = experts.on_call_experts(db.session, specialties=["hazchem"], on=DAY + timedelta(days=2))
    assert [e.name for e in later] == ["赵休息"]


def test_several_specialties_in_the_order_asked(roster: Any) -> None:
    found = experts.on_call_experts(db.session, specialties=["mine", "hazchem"], on=DAY)
    assert [(e.specialty, e.name) for e in found] == [("mine", "钱矿山"), ("hazchem", "李值班")]
    assert experts.on_call_experts(db.session, specialties=[], on=DAY) == []


def test_retired_experts_and_groups_of_other_places_are_left_out(roster: Any, region: Any) -> None:
    registry.retire(db.session, SYSTEM, EXPERTS, roster["on_call"])
    assert experts.on_call_experts(db.session, specialties=["hazchem"], on=DAY) == []
    # The west county's mine group is not called for an incident in the east county.
    east = experts.on_call_experts(
        db.session, specialties=["mine"], on=DAY, jurisdiction_path=region.east.path
    )
    west = experts.on_call_experts(
        db.session, specialties=["mine"], on=DAY, jurisdiction_path=region.west.path
    )
    assert east == [] and [e.name for e in west] == ["钱矿山"]


def test_notify_records_the_contact_and_audits(roster: Any) -> None:
    operator = Actor(user_id=None, username="op", role="operator")
    contact = experts.notify(
        db.session, operator, expert_id=roster["on_call"].id, channel="phone", note="已电话通知"
    )
    db.session.commit()
    assert contact.contacted_at is not None and contact.username == "op"
    assert [c.id for c in experts.contacts(db.session, expert_id=roster["on_call"].id)] == [
        contact.id
    ]
    assert db.session.query(AuditEntry).filter_by(action="notify", entity="expert").count() == 1
    with pytest.raises(Forbidden):
        experts.notify(
            db.session,
            Actor(user_id=None, username="v", role="viewer"),
            expert_id=roster["on_call"].id,
        )
    with pytest.raises(InvalidInput) as bad:
        experts.notify(db.session, operator, expert_id=roster["on_call"].id, channel="pigeon")
    assert bad.value.field == "channel"
    assert db.session.query(ExpertContact).count() == 1


def test_on_call_dates_must_be_ordered(roster: Any) -> None:
    with pytest.raises(InvalidInput) as bad:
        experts.set_on_call(
            db.session,
            SYSTEM,
            expert_id=roster["miner"].id,
            starts_on=DAY,
            ends_on=DAY - timedelta(days=1),
        )
    assert bad.value.field == "ends_on"


def test_api_lists_on_call_experts_and_records_a_contact(roster: Any, login_as: Any) -> None:
    api = login_as("operator")
    found = api.get(f"/api/v1/experts/on-call?specialty=hazchem&on={DAY.isoformat()}").json
    assert [(e["name"], e["unit"], e["phone"]) for e in found] == [
        ("李值班", "市化工研究院", "13800000001")
    ]
    expert_id = roster["on_call"].id
    made = api.post(f"/api/v1/experts/{expert_id}/contacts", json={"note": "已通知"})
    assert made.status_code == 201 and made.json["channel"] == "phone"
    assert len(api.get(f"/api/v1/experts/{expert_id}/contacts").json) == 1
    bad = api.get("/api/v1/experts/on-call?specialty=cooking")
    assert bad.status_code == 422 and bad.json["error"]["field"] == "specialty"
