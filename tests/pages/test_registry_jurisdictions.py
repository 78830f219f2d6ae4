"""Jurisdiction forms: add a subdivision, edit (code, name, move, boundary), delete — the
API's schema and the same service call, so field and message match the API's."""

from __future__ import annotations

import html as html_module
import io
import json
import re
from typing import Any

from sqlalchemy import select

from responder.models import AuditEntry, Jurisdiction, db
from tests.fixtures.pages import csrf_token


def text(response: Any) -> str:
    return response.get_data(as_text=True)


def field_error(html: str, name: str) -> str | None:
    """The message shown beside field ``name`` (None when there is none)."""
    match = re.search(rf'<span class="field-error" id="error-{name}"[^>]*>([^<]*)</span>', html)
    return html_module.unescape(match.group(1)) if match else None


def square(lon: float, lat: float, size: float) -> dict[str, Any]:
    ring = [[lon, lat], [lon + size, lat], [lon + size, lat + size], [lon, lat + size], [lon, lat]]
    return {"type": "Polygon", "coordinates": [ring]}


def post(client: Any, url: str, form: dict[str, Any], lang: str = "", **files: Any) -> Any:
    token = csrf_token(client, url)
    suffix = f"?lang={lang}" if lang else ""
    data = {**form, "csrf_token": token}
    for name, (content, filename) in files.items():
        data[name] = (io.BytesIO(content), filename)
    return client.post(url + suffix, data=data, content_type="multipart/form-data")


def node(code: str) -> Jurisdiction | None:
    return db.session.scalar(select(Jurisdiction).where(Jurisdiction.code == code))


def township(client: Any, parent: Jurisdiction, code: str = "330102001") -> Jurisdiction:
    form = {"parent_id": parent.id, "level": "township", "code": code, "name": "西湖街道"}
    response = post(client, "/jurisdictions/new", form)
    assert response.status_code == 302, text(response)
    made = node(code)
    assert made is not None
    return made


def test_new_subdivision_takes_the_next_level_and_is_audited(region: Any, sign_in: Any) -> None:
    client = sign_in("admin")
    page = text(client.get(f"/jurisdictions/new?parent_id={region.west.id}"))
    assert '<option value="township" selected>' in page
    assert f'<option value="{region.west.id}" selected>' in page
    made = township(client, region.west)
    assert made.parent_id == region.west.id and made.level == "township"
    assert made.path == f"{region.west.path}{made.id}/" and made.depth == 3
    entry = db.session.scalar(
        select(AuditEntry).where(
            AuditEntry.entity == "jurisdiction", AuditEntry.entity_id == made.id
        )
    )
    assert entry is not None and entry.action == "create"
    detail = text(client.get(f"/jurisdictions/{region.west.id}"))
    assert "西湖街道" in detail and "新增下级" in detail


def test_bad_code_has_the_same_field_and_message_on_the_form_and_from_the_api(
    region: Any, sign_in: Any, login_as: Any
) -> None:
    body = {"parent_id": region.west.id, "level": "township", "name": "甲街道"}
    api = login_as("admin")
    for code, status in (("3301021", 422), ("33A", 422)):
        answer = api.post("/api/v1/jurisdictions", json={**body, "code": code})
        assert answer.status_code == status
        error = answer.json["error"]
        assert error["field"] == "code"
        client = sign_in("admin")
        page = post(client, "/jurisdictions/new", {**body, "code": code}, lang="en")
        assert page.status_code == 422
        shown = field_error(text(page), "code")
        assert shown is not None and error["message"] in (shown, f"code: {shown}")
    zh = post(client, "/jurisdictions/new", {**body, "code": "3301021"}, lang="zh_Hans_CN")
    assert field_error(text(zh), "code") == "“3301021”不是该级别的有效行政区划代码"
    township(client, region.west, "330102009")
    taken = post(client, "/jurisdictions/new", {**body, "code": "330102009"}, lang="zh_Hans_CN")
    assert field_error(text(taken), "code") == "行政区划代码“330102009”已存在"
    assert node("3301021") is None and node("33A") is None


def test_padded_name_and_code_are_trimmed(region: Any, sign_in: Any) -> None:
    client = sign_in("admin")
    form = {"parent_id": region.west.id, "level": "township", "code": " 330102002 "}
    response = post(client, "/jurisdictions/new", {**form, "name": "  留下街道 "})
    assert response.status_code == 302
    made = node("330102002")
    assert made is not None and made.name == "留下街道"


def test_forms_need_csrf_the_role_and_the_scope_like_the_api(
    region: Any, sign_in: Any, login_as: Any
) -> None:
    client = sign_in("admin")
    form = {"parent_id": region.east.id, "level": "township", "code": "330103001", "name": "乙"}
    assert client.post("/jurisdictions/new", data=form).status_code == 400  # no CSRF token
    assert sign_in("operator").get("/jurisdictions/new").status_code == 403
    assert login_as("operator").post("/api/v1/jurisdictions", json=form).status_code == 403
    answer = login_as("admin", "330102").post("/api/v1/jurisdictions", json=form)
    assert answer.status_code == 403
    scoped = sign_in("admin", "330102")
    page = post(scoped, "/jurisdictions/new", form, lang="en")
    assert page.status_code == 422
    assert field_error(text(page), "parent_id") == answer.json["error"]["message"]
    assert scoped.get(f"/jurisdictions/{region.east.id}/edit").status_code == 403
    assert node("330103001") is None


def test_edit_renames_recodes_and_moves_a_subtree(region: Any, sign_in: Any) -> None:
    client = sign_in("admin")
    street = township(client, region.west)
    url = f"/jurisdictions/{street.id}/edit"
    form = {"name": "西湖街道（新）", "code": "330103001", "parent_id": region.east.id}
    response = post(client, url, form)
    assert response.status_code == 302, text(response)
    db.session.expire_all()
    moved = db.session.get(Jurisdiction, street.id)
    assert moved is not None and moved.parent_id == region.east.id
    assert moved.path == f"{region.east.path}{street.id}/" and moved.code == "330103001"
    assert moved.name == "西湖街道（新）"
    entries = db.session.scalars(
        select(AuditEntry.action).where(
            AuditEntry.entity == "jurisdiction", AuditEntry.entity_id == street.id
        )
    ).all()
    assert entries == ["create", "update"]


def test_a_move_under_its_own_subdivision_is_refused_on_both(
    region: Any, sign_in: Any, login_as: Any
) -> None:
    answer = login_as("admin").patch(
        f"/api/v1/jurisdictions/{region.city.id}", json={"parent_id": region.west.id}
    )
    assert answer.status_code == 422 and answer.json["error"]["field"] == "parent_id"
    client = sign_in("admin")
    url = f"/jurisdictions/{region.city.id}/edit"
    form = {"name": "测试市", "code": "330100", "parent_id": region.west.id}
    page = post(client, url, form, lang="en")
    assert page.status_code == 422
    assert field_error(text(page), "parent_id") == answer.json["error"]["message"]
    options = text(client.get(url))
    assert f'<option value="{region.west.id}"' not in options  # not offered either
    db.session.expire_all()
    assert db.session.get(Jurisdiction, region.city.id).parent_id == region.province.id


def test_boundary_file_replaces_the_boundary_and_a_bad_one_is_named(
    region: Any, sign_in: Any
) -> None:
    client = sign_in("admin")
    street = township(client, region.west)
    url = f"/jurisdictions/{street.id}/edit"
    form = {"name": street.name, "code": street.code, "parent_id": region.west.id}
    collection = {
        "type": "FeatureCollection",
        "features": [{"type": "Feature", "properties": {}, "geometry": square(120, 30, 0.05)}],
    }
    good = post(client, url, form, boundary_file=(json.dumps(collection).encode(), "b.geojson"))
    assert good.status_code == 302
    db.session.expire_all()
    saved = db.session.get(Jurisdiction, street.id)
    assert saved is not None and saved.boundary is not None
    assert saved.max_lon == 120.05
    bad = post(client, url, form, "zh_Hans_CN", boundary_file=(b'{"type": "Point"}', "p.json"))
    assert bad.status_code == 422
    assert field_error(text(bad), "boundary") == "边界必须是 GeoJSON 面（Polygon 或 MultiPolygon）"


def test_delete_is_refused_while_anything_refers_to_it_and_says_what(
    region: Any, sign_in: Any, login_as: Any
) -> None:
    answer = login_as("admin").delete(f"/api/v1/jurisdictions/{region.city.id}")
    assert answer.status_code == 409
    assert answer.json["error"]["details"] == {"jurisdictions": 2}
    client = sign_in("admin")
    url = f"/jurisdictions/{region.city.id}/delete"
    assert "下级行政区划: <strong>2</strong>" in text(client.get(url))
    refused = post(client, url, {})
    assert refused.status_code == 409 and "不能删除" in text(refused)
    assert node("330100") is not None


def test_delete_of_a_mistaken_node_is_audited(region: Any, sign_in: Any) -> None:
    client = sign_in("admin")
    street = township(client, region.west)
    response = post(client, f"/jurisdictions/{street.id}/delete", {})
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/jurisdictions/{region.west.id}")
    assert node("330102001") is None
    entry = db.session.scalar(
        select(AuditEntry).where(AuditEntry.entity == "jurisdiction", AuditEntry.action == "delete")
    )
    assert entry is not None and entry.entity_id == street.id


def test_the_edit_form_marks_and_clears_a_key_county_and_refuses_a_township(
    region: Any, sign_in: Any
) -> None:
    client = sign_in("admin")
    county = region.west
    assert county.level == "county"
    url = f"/jurisdictions/{county.id}/edit"
    assert 'name="key_hazchem"' in text(client.get(url))
    base = {"name": county.name, "code": county.code, "parent_id": county.parent_id}
    response = post(client, url, {**base, "key_marks": "1", "key_hazchem": "1"})
    assert response.status_code == 302, text(response)
    db.session.refresh(county)
    assert county.key_hazchem is True and county.key_mining is False
    response = post(client, url, {**base, "key_marks": "1"})
    assert response.status_code == 302
    db.session.refresh(county)
    assert county.key_hazchem is False
    form = {"parent_id": county.id, "level": "township", "code": "330102002", "name": "乙街道"}
    refused = post(client, "/jurisdictions/new", {**form, "key_mining": "1"})
    assert refused.status_code == 422
    assert field_error(text(refused), "key_mining")
    assert node("330102002") is None
    township_page = text(client.get(f"/jurisdictions/{township(client, county).id}/edit"))
    assert 'name="key_hazchem"' not in township_page
