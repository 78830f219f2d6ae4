"""The coverage page's county targets, its printable summary, the teams-away checklist,
the not-judged counts and the key-county form on a county's page, through the test client
on the hand-worked tiny world (tests/fixtures/county_world.py)."""

from __future__ import annotations

import html as html_lib
import re
from typing import Any

import pytest
from flask import Flask

from responder.models import AuditEntry, Jurisdiction, db
from tests.fixtures.pages import csrf_token


@pytest.fixture
def app(county_app: Flask) -> Flask:
    return county_app


def text(response: Any) -> str:
    return response.get_data(as_text=True)


def county_row(html: str, name: str) -> str:
    match = re.search(
        rf"<tr class=\"row-\w+\">\s*<th scope=\"row\">(?:<a [^>]+>)?{name}.*?</tr>", html, re.S
    )
    assert match, f"no row for {name}"
    return match.group(0)


def test_the_coverage_page_shows_the_county_targets(county_world: Any, sign_in: Any) -> None:
    html = text(sign_in("drill_organizer").get("/coverage"))
    jia = county_row(html, "甲县")
    assert "row-fail" in jia and "危化品" in jia
    assert "2/3 (66.7%)" in jia and "未达标" in jia
    yi = county_row(html, "乙县")
    assert "row-ok" in yi and "1 / 1" in yi and "✓ 已达标" in yi
    bing = county_row(html, "丙县")
    assert "0 / 1" in bing and "无可评定对象" in bing and "✗ 未达标" in bing
    assert "1 / 3 个县达标；重点县 0 / 2 个达标。" in html
    # Printing: a button wired by static JS (CSP forbids inline handlers), a print view.
    assert "data-print" in html and "onclick" not in html
    assert 'href="/coverage/counties/print"' in html


def test_the_printable_summary(county_world: Any, sign_in: Any) -> None:
    client = sign_in("viewer")
    html = text(client.get(f"/coverage/counties/print?jurisdiction_id={county_world.city.id}"))
    assert "县级应急救援力量目标汇总表" in html and "范围 <b>测试市</b>" in html
    assert "2/3 (66.7%)" in county_row(html, "甲县")
    assert "<iframe" not in html  # no map on the printed sheet
    assert "coverage.css" in html and "data-print" in html
    english = text(client.get("/coverage/counties/print?lang=en"))
    assert "Not met" in english and "County targets summary" in english
    assert client.get("/coverage/counties/print?jurisdiction_id=999999").status_code == 422


def test_teams_away_are_checkboxes_grouped_by_jurisdiction(county_world: Any, sign_in: Any) -> None:
    client = sign_in("drill_organizer")
    html = text(client.get("/coverage?specialty=hazchem"))
    assert '<select name="away"' not in html
    groups = re.findall(r"<fieldset><legend>(.+?)</legend>", html)
    assert groups == ["丙县", "乙县", "甲县"]
    assert html.count('type="checkbox" name="away"') == 3
    team_id = re.search(r'name="away" value="(\d+)"> 甲县危化救援队', html).group(1)
    away = text(client.get(f"/coverage?specialty=hazchem&away={team_id}"))
    assert f'value="{team_id}" checked' in away and "【演练】" in away


def test_suggestions_name_the_enterprise_and_empty_lists_say_so(
    county_world: Any, sign_in: Any
) -> None:
    client = sign_in("drill_organizer")
    none = text(client.get("/coverage?specialty=hazchem&k=2"))
    # The bases at SW1 and W4 are 24.96 s and 32.0 s from E6: neither covers it.
    assert "没有候选站点能覆盖更多危险源。" in none and '<ol class="suggestions">' not in none
    nodes = text(client.get("/coverage?specialty=hazchem&k=1&candidates=nodes"))
    assert re.search(r"新增覆盖 <b>1</b>: 储罐区3（甲县化工3）</li>", nodes)
    # Road lengths: km with one decimal.
    figures = re.search(r"道路 \(km\)</th>(.*?)</tr>", nodes, re.S).group(1)
    assert re.findall(r"\d+\.\d+", figures)[:2] and not re.search(r"\d+\.\d{2,}", figures)


def test_fire_sites_off_urban_land_are_counted_as_not_judged(
    county_world: Any, sign_in: Any
) -> None:
    """The test counties have no boundary, so no urban land is known: the fire standard
    judges nothing; the page says so and draws the sources grey, not red."""
    html = text(sign_in("viewer").get("/coverage?specialty=fire"))
    assert "不评定：4 家企业、3 个重大危险源" in html
    assert "未设定城市建设用地" in html
    assert "评定范围内没有重大危险源。" in html
    frame = html_lib.unescape(html_lib.unescape(html))
    assert "危险源 不评定（不在标准适用范围）" in frame
    # Marker styles travel as [colour, icon] in the map's JSON layers (map_points.js).
    assert '["gray","triangle-exclamation"]' in frame
    assert '["red","triangle-exclamation"]' not in frame


def test_the_map_legend_follows_the_page_language(county_world: Any, sign_in: Any) -> None:
    frame = html_lib.unescape(
        html_lib.unescape(text(sign_in("viewer").get("/coverage?specialty=fire&lang=en")))
    )
    assert "Hazard source not judged" in frame and "不评定" not in frame


# ------------------------------------------------------------------ key-county form


def test_an_admin_marks_a_county_key_from_its_page(county_world: Any, sign_in: Any) -> None:
    client = sign_in("admin")
    page = f"/jurisdictions/{county_world.yi.id}"
    html = text(client.get(page))
    assert 'name="key_hazchem"' in html and 'name="key_mining"' in html
    response = client.post(
        f"{page}/key-county",
        data={"key_mining": "1", "csrf_token": csrf_token(client, page)},
        follow_redirects=True,
    )
    assert response.status_code == 200
    assert 'class="flash success"' in text(response) and "矿山重点县" in text(response)
    node = db.session.get(Jurisdiction, county_world.yi.id)
    assert (node.key_hazchem, node.key_mining) == (False, True)
    entry = db.session.scalars(
        db.select(AuditEntry)
        .where(AuditEntry.entity == "jurisdiction", AuditEntry.entity_id == county_world.yi.id)
        .order_by(AuditEntry.id.desc())
    ).first()
    assert entry.after["key_mining"] is True and entry.username.startswith("page-admin")
    # Unticking both clears them.
    client.post(f"{page}/key-county", data={"csrf_token": csrf_token(client, page)})
    db.session.expire_all()
    assert db.session.get(Jurisdiction, county_world.yi.id).key_mining is False


def test_the_key_county_form_refuses_bad_requests(county_world: Any, sign_in: Any) -> None:
    viewer = sign_in("viewer")
    page = f"/jurisdictions/{county_world.yi.id}"
    html = text(viewer.get(page))
    assert 'name="key_mining"' not in html and "不是重点县" in html  # shown, not editable
    token = csrf_token(viewer, page)
    refused = viewer.post(f"{page}/key-county", data={"key_mining": "1", "csrf_token": token})
    assert refused.status_code == 403
    no_token = viewer.post(f"{page}/key-county", data={"key_mining": "1"})
    assert no_token.status_code == 400
    admin = sign_in("admin")
    missing = admin.post(
        "/jurisdictions/999999/key-county", data={"csrf_token": csrf_token(admin, page)}
    )
    assert missing.status_code == 404
    db.session.expire_all()
    assert db.session.get(Jurisdiction, county_world.yi.id).key_mining is False


def test_a_township_has_no_key_county_form(county_world: Any, sign_in: Any) -> None:
    admin = sign_in("admin")
    page = f"/jurisdictions/{county_world.jia_town.id}"
    assert 'name="key_hazchem"' not in text(admin.get(page))
    refused = admin.post(
        f"{page}/key-county", data={"key_hazchem": "1", "csrf_token": csrf_token(admin, page)}
    )
    assert refused.status_code == 422
    assert 'id="error-key_hazchem"' in text(refused) and "只有县级" in text(refused)
    db.session.expire_all()
    assert db.session.get(Jurisdiction, county_world.jia_town.id).key_hazchem is False
