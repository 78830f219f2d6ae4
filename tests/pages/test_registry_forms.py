"""Registry forms through the test client: one validation path with the API, coordinate
systems, roles and jurisdictions, CSRF, audit, retire/verify, team status, lists."""

from __future__ import annotations

import html as html_module
import re
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from responder import crs
from responder.models import AuditEntry, InventoryLine, RescueTeam, db
from tests.fixtures.pages import csrf_token


def text(response: Any) -> str:
    return response.get_data(as_text=True)


def field_error(html: str, name: str) -> str | None:
    """The message shown beside field ``name`` (None when there is none)."""
    match = re.search(rf'<span class="field-error" id="error-{name}"[^>]*>([^<]*)</span>', html)
    return html_module.unescape(match.group(1)) if match else None


def team_form(**changes: Any) -> dict[str, Any]:
    form: dict[str, Any] = {
        "name": "西区新建救援队",
        "specialties": ["fire"],
        "level": "county",
        "kind": "professional",
        "headcount": "18",
        "crs": "wgs84",
        "lon": "120.04",
        "lat": "30.06",
    }
    form.update(changes)
    return form


def post_form(client: FlaskClient, url: str, form: dict[str, Any], lang: str = "") -> Any:
    token = csrf_token(client, url)
    suffix = f"?lang={lang}" if lang else ""
    return client.post(url + suffix, data={**form, "csrf_token": token})


def team_names() -> list[str]:
    return list(db.session.scalars(select(RescueTeam.name).order_by(RescueTeam.id)))


def test_bad_value_has_the_same_field_and_message_on_the_form_and_from_the_api(
    region: Any, sign_in: Any, login_as: Any
) -> None:
    api = login_as("operator")
    body = {k: v for k, v in team_form(headcount=-5).items() if k != "crs"}
    body.update(lon=120.04, lat=30.06)
    answer = api.post("/api/v1/teams", json=body)
    assert answer.status_code == 422
    error = answer.json["error"]
    assert error["field"] == "headcount"

    client = sign_in("operator")
    page = post_form(client, "/registry/teams/new", team_form(headcount="-5"), lang="en")
    assert page.status_code == 422
    shown = field_error(text(page), "headcount")
    assert shown is not None and error["message"] == f"headcount: {shown}"
    zh = post_form(client, "/registry/teams/new", team_form(headcount="-5"), lang="zh_Hans_CN")
    assert field_error(text(zh), "headcount") == "必须在 0 到 100000 之间"
    assert "西区新建救援队" not in team_names()  # nothing stored


def test_service_rule_refusal_is_beside_its_field_on_both(
    registry_records: Any, sign_in: Any, login_as: Any
) -> None:
    api = login_as("operator")
    body = {
        "name": "西区消防救援大队",
        "specialties": ["fire"],
        "level": "county",
        "kind": "professional",
        "lon": 120.06,
        "lat": 30.05,
    }
    answer = api.post("/api/v1/teams", json=body)
    assert answer.status_code == 409 and answer.json["error"]["field"] == "name"
    client = sign_in("operator")
    page = post_form(
        client, "/registry/teams/new", team_form(name="西区消防救援大队", lon="120.06"), "en"
    )
    assert field_error(text(page), "name") == answer.json["error"]["message"]


def test_create_with_gcj02_coordinates_stores_wgs84_and_audits(region: Any, sign_in: Any) -> None:
    client = sign_in("operator")
    gcj_lon, gcj_lat = crs.from_wgs84(120.04, 30.06, "gcj02")
    response = post_form(
        client,
        "/registry/teams/new",
        team_form(crs="gcj02", lon=f"{gcj_lon:.7f}", lat=f"{gcj_lat:.7f}"),
    )
    assert response.status_code == 302
    team = db.session.scalar(select(RescueTeam).where(RescueTeam.name == "西区新建救援队"))
    assert team is not None
    assert team.lon == pytest.approx(120.04, abs=1e-6)
    assert team.lat == pytest.approx(30.06, abs=1e-6)
    assert team.jurisdiction_id == region.west.id
    entry = db.session.scalar(
        select(AuditEntry).where(AuditEntry.entity == "team", AuditEntry.entity_id == team.id)
    )
    assert entry is not None and entry.action == "create"
    detail = client.get(response.headers["Location"])
    assert 'class="flash success"' in text(detail) and "已保存" in text(detail)


def test_form_needs_csrf_and_the_role(region: Any, sign_in: Any) -> None:
    client = sign_in("operator")
    no_token = client.post("/registry/teams/new", data=team_form())
    assert no_token.status_code == 400
    viewer = sign_in("viewer")
    assert viewer.get("/registry/teams/new").status_code == 403
    assert team_names() == []


def test_jurisdiction_check_matches_the_api(region: Any, sign_in: Any, login_as: Any) -> None:
    """A west-county operator may not place a team in the east county, on either path."""
    api = login_as("operator", "330102")
    body = {
        "name": "越界队",
        "specialties": ["fire"],
        "level": "county",
        "kind": "professional",
        "lon": 120.15,
        "lat": 30.05,
    }
    answer = api.post("/api/v1/teams", json=body)
    assert answer.status_code == 403
    client = sign_in("operator", "330102")
    page = post_form(client, "/registry/teams/new", team_form(name="越界队", lon="120.15"), "en")
    assert page.status_code == 422
    assert field_error(text(page), "lon") == answer.json["error"]["message"]
    assert "越界队" not in team_names()


def test_edit_headcount_verify_and_retire(registry_records: Any, sign_in: Any) -> None:
    client = sign_in("operator")
    team = registry_records.fire_team
    url = f"/registry/teams/{team.id}/edit"
    form_html = text(client.get(url))
    assert 'value="40"' in form_html and "iframe" in form_html  # map to pick the location
    response = post_form(client, url, team_form(name=team.name, headcount="44", lon="120.06"))
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(RescueTeam, team.id).headcount == 44

    token = csrf_token(client, f"/teams/{team.id}")
    client.post(f"/registry/teams/{team.id}/verify", data={"csrf_token": token})
    db.session.expire_all()
    assert db.session.get(RescueTeam, team.id).verified_at is not None

    warning = text(client.get(f"/registry/teams/{team.id}/retire"))
    assert "停用后" in warning
    post_form(client, f"/registry/teams/{team.id}/retire", {"note": "撤编"})
    db.session.expire_all()
    assert db.session.get(RescueTeam, team.id).retired_at is not None
    actions = set(
        db.session.scalars(
            select(AuditEntry.action).where(
                AuditEntry.entity == "team", AuditEntry.entity_id == team.id
            )
        )
    )
    assert {"update", "verify", "retire"} <= actions


def test_stock_line_verify_and_count(registry_records: Any, sign_in: Any) -> None:
    client = sign_in("operator")
    depot = registry_records.depot
    html = text(client.get(f"/depots/{depot.id}"))
    line_id = int(re.search(r'data-line-id="(\d+)"', html).group(1))
    token = csrf_token(client, f"/depots/{depot.id}")
    client.post(f"/depots/{depot.id}/lines/{line_id}/verify", data={"csrf_token": token})
    bad = client.post(
        f"/depots/{depot.id}/lines/{line_id}", data={"csrf_token": token, "quantity": "-3"}
    )
    assert bad.status_code == 302
    db.session.expire_all()
    line = db.session.get(InventoryLine, line_id)
    assert line.verified_at is not None and line.quantity >= 0
    page = text(client.get(f"/depots/{depot.id}"))
    assert "数量: 必须在 0 到" in page  # the refused count, in Chinese, naming the field


def test_team_status_unavailable_with_reason_and_back(registry_records: Any, sign_in: Any) -> None:
    client = sign_in("operator")
    team = registry_records.fire_team
    token = csrf_token(client, f"/teams/{team.id}")
    client.post(
        f"/teams/{team.id}/status",
        data={
            "csrf_token": token,
            "status": "unavailable",
            "unavailable_reason": "repair",
            "unavailable_note": "水罐车送修",
            "expected_back_at": "2099-01-02T08:00",
        },
    )
    db.session.expire_all()
    row = db.session.get(RescueTeam, team.id)
    assert (row.status, row.unavailable_reason, row.unavailable_note) == (
        "unavailable",
        "repair",
        "水罐车送修",
    )
    assert row.expected_back_at is not None and row.status_version == 1
    page = text(client.get(f"/teams/{team.id}"))
    assert "维修" in page and "水罐车送修" in page
    client.post(f"/teams/{team.id}/status", data={"csrf_token": token, "status": "available"})
    db.session.expire_all()
    row = db.session.get(RescueTeam, team.id)
    assert row.status == "available" and row.unavailable_reason is None
    assert row.status_version == 2


def test_lists_sort_filter_stale_and_export_links(registry_records: Any, sign_in: Any) -> None:
    client = sign_in("viewer")
    r = registry_records
    html = text(client.get("/teams?sort=headcount"))
    ids = re.findall(r'<tr data-id="(\d+)"', html)
    assert ids == [str(r.stale_team.id), str(r.hazchem_team.id), str(r.fire_team.id)]
    html = text(client.get("/teams?sort=headcount&dir=desc"))
    assert re.findall(r'<tr data-id="(\d+)"', html)[0] == str(r.fire_team.id)
    stale = text(client.get("/teams?stale_only=1"))
    assert sorted(re.findall(r'<tr data-id="(\d+)"', stale)) == sorted(
        [str(r.hazchem_team.id), str(r.stale_team.id)]
    )
    assert "超过 90 天未经核实" in stale
    assert "/api/v1/exports/teams.csv?stale_only=true" in stale.replace("&amp;", "&")
    exported = client.get("/api/v1/exports/teams.csv?stale_only=true")
    assert exported.status_code == 200
    assert "西区消防救援大队" not in exported.get_data(as_text=True)
    assert client.get("/teams?sort=nope").status_code == 422


def test_jurisdiction_page_counts_stale_records(registry_records: Any, region: Any, sign_in: Any):
    client = sign_in("viewer")
    html = text(client.get(f"/jurisdictions/{region.city.id}"))
    assert "2 条待核实" in html  # the never-verified and the 200-days-old team
