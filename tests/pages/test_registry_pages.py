"""Registry pages through the test client: login, CSRF, filters, paging, 404s, language."""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask.testing import FlaskClient

from tests.fixtures.pages import PASSWORD, csrf_token


def rows(html: str) -> list[str]:
    """The data-id of every row of the records table."""
    return re.findall(r'<tr data-id="(\d+)"', html)


def text(response: Any) -> str:
    return response.get_data(as_text=True)


@pytest.mark.parametrize("url", ["/", "/teams", "/depots/1", "/jurisdictions", "/audit"])
def test_pages_need_login(client: FlaskClient, url: str) -> None:
    response = client.get(url)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")


def test_login_form_enforces_csrf(app: Any, client: FlaskClient, sign_in: Any) -> None:
    sign_in("viewer")
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    assert client.get("/teams").status_code == 302  # signed out again
    from responder.models import User, db

    username = db.session.query(User.username).scalar()
    no_token = client.post("/login", data={"username": username, "password": PASSWORD})
    assert no_token.status_code == 400
    assert client.get("/teams").status_code == 302  # still signed out
    wrong = client.post(
        "/login",
        data={"username": username, "password": "nope-nope", "csrf_token": csrf_token(client)},
    )
    assert wrong.status_code == 401
    assert "用户名或密码错误" in text(wrong)


def test_team_list_shows_records_map_and_staleness(sign_in: Any, registry_records: Any) -> None:
    client = sign_in("viewer")
    html = text(client.get("/teams"))
    r = registry_records
    assert rows(html) == [str(r.fire_team.id), str(r.hazchem_team.id), str(r.stale_team.id)]
    assert html.count('class="verified stale"') == 2
    assert "200 天前核实" in html and "从未核实" in html and "今天核实" in html
    assert '<iframe class="map"' in html
    assert "leaflet.awesome-markers.min.js" in html
    assert not re.search(r"(src|href)=&#34;https?://", html)  # no asset from the internet
    assert "西区消防救援大队" in html and "危险化学品、医疗救护" in html


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("specialty=fire", ["fire_team"]),
        ("specialty=medical", ["hazchem_team"]),
        ("status=unavailable", ["hazchem_team"]),
        ("q=水上", ["stale_team"]),
        ("jurisdiction_id={east}", ["hazchem_team"]),
        ("jurisdiction_id={city}", ["fire_team", "hazchem_team", "stale_team"]),
        ("jurisdiction_id={west}&specialty=water", ["stale_team"]),
    ],
)
def test_team_filters(
    sign_in: Any, registry_records: Any, region: Any, query: str, expected: list[str]
) -> None:
    client = sign_in("viewer")
    url = "/teams?" + query.format(east=region.east.id, west=region.west.id, city=region.city.id)
    html = text(client.get(url))
    assert rows(html) == [str(getattr(registry_records, name).id) for name in expected]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("specialty=lava", "specialty"),
        ("page=abc", "page"),
        ("page=0", "page"),
        ("jurisdiction_id=99999", "jurisdiction_id"),
        ("q=" + "x" * 101, "q"),
    ],
)
def test_bad_filters_are_error_pages_naming_the_field(
    sign_in: Any, registry_records: Any, query: str, field: str
) -> None:
    client = sign_in("viewer")
    response = client.get(f"/teams?{query}")
    assert response.status_code == 422
    assert response.mimetype == "text/html"
    assert f'<code class="field">{field}</code>' in text(response)


def test_paging_keeps_filters(sign_in: Any, registry_records: Any, region: Any) -> None:
    client = sign_in("viewer")
    first = text(client.get(f"/teams?per_page=2&jurisdiction_id={region.city.id}"))
    assert len(rows(first)) == 2
    assert "共 3 条，第 1 / 2 页" in first
    next_link = re.search(r'<a rel="next" href="([^"]+)"', first).group(1).replace("&amp;", "&")
    assert f"jurisdiction_id={region.city.id}" in next_link and "page=2" in next_link
    second = text(client.get(next_link))
    assert rows(second) == [str(registry_records.stale_team.id)]


def test_other_lists_and_their_filters(sign_in: Any, registry_records: Any, region: Any) -> None:
    client = sign_in("viewer")
    r = registry_records
    depots = text(client.get("/depots"))
    assert rows(depots) == [str(r.depot.id)]
    # Units as words of the page's language, not the catalog's codes
    assert "泡沫灭火剂 12.5 吨" in depots
    assert 'class="stock-line expired">防化服 30 套' in depots
    english = text(client.get("/depots?lang=en"))
    assert "Foam concentrate 12.5 t" in english and "Chemical suit 30 set" in english
    assert rows(text(client.get("/bases"))) == [str(r.base.id)]
    assert rows(text(client.get("/experts?specialty=hazchem"))) == [str(r.expert.id)]
    assert rows(text(client.get("/enterprises?industry=hazchem_storage"))) == [str(r.enterprise.id)]
    assert rows(text(client.get("/enterprises?industry=fireworks"))) == []
    assert rows(text(client.get("/hazard-sources?grade=2"))) == [str(r.hazard_source.id)]
    assert rows(text(client.get("/hazard-sources?grade=1"))) == []
    east, west = region.east.id, region.west.id
    assert rows(text(client.get(f"/hazard-sources?jurisdiction_id={east}"))) == [
        str(r.hazard_source.id)
    ]
    assert rows(text(client.get(f"/hazard-sources?jurisdiction_id={west}"))) == []
    tree = text(client.get("/jurisdictions"))
    assert rows(tree) == [
        str(n.id) for n in (region.province, region.city, region.west, region.east)
    ]


def test_a_unit_outside_the_catalog_shows_as_typed(sign_in: Any, registry_records: Any) -> None:
    from responder.models import InventoryLine, Material, db

    crate = Material(code="water_crate", name_zh="瓶装水", name_en="Bottled water", unit="箱")
    db.session.add(crate)
    db.session.flush()
    db.session.add(
        InventoryLine(depot_id=registry_records.depot.id, material_id=crate.id, quantity=40)
    )
    db.session.commit()
    client = sign_in("viewer")
    detail = text(client.get(f"/depots/{registry_records.depot.id}"))
    assert "<td>箱</td>" in detail and "<td>吨</td>" in detail and "<td>t</td>" not in detail


def test_detail_pages(sign_in: Any, registry_records: Any, region: Any) -> None:
    client = sign_in("viewer")
    r = registry_records
    for url, expected in [
        (f"/teams/{r.stale_team.id}", "西区危化救援基地"),  # its base
        (f"/bases/{r.base.id}", "西区水上救援队"),  # the team stationed there
        (f"/depots/{r.depot.id}", "已过期"),
        (f"/experts/{r.expert.id}", "高级工程师"),
        (f"/enterprises/{r.enterprise.id}", "液氯储罐区"),
        (f"/hazard-sources/{r.hazard_source.id}", "东区化工储运有限公司"),
        (f"/jurisdictions/{region.city.id}", "西区"),
    ]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert expected in text(response), url
        assert '<iframe class="map"' in text(response), url


@pytest.mark.parametrize(
    "url",
    ["/teams/9999", "/depots/9999", "/hazard-sources/9999", "/jurisdictions/9999", "/no-such-page"],
)
def test_unknown_record_is_a_404_page(sign_in: Any, url: str) -> None:
    client = sign_in("viewer")
    response = client.get(url)
    assert response.status_code == 404
    assert response.mimetype == "text/html"


def test_language_switch_sticks(sign_in: Any, registry_records: Any) -> None:
    client = sign_in("viewer")
    english = text(client.get("/teams?lang=en"))
    assert "<h1>Rescue teams</h1>" in english
    assert "Hazardous chemicals, Medical" in english and "never verified" in english
    assert '<html lang="en">' in english
    assert "<h1>Rescue teams</h1>" in text(client.get("/teams"))  # kept in the session
    assert "<h1>救援队伍</h1>" in text(client.get("/teams?lang=zh_Hans_CN"))


def test_audit_page_for_admins_only(sign_in: Any, registry_records: Any) -> None:
    client = sign_in("admin")
    html = text(client.get("/audit?entity=team"))
    assert len(rows(html)) == 3
    assert "西区消防救援大队" in html  # the created values are shown
    depot_id = registry_records.depot.id
    assert len(rows(text(client.get(f"/audit?entity=depot&entity_id={depot_id}")))) == 1
    assert client.get("/audit?since=yesterday").status_code == 422
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    viewer = sign_in("viewer")
    assert viewer.get("/audit").status_code == 403
