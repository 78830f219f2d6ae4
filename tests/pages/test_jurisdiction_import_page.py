"""The admin page for jurisdiction import: upload + report, the same service as the CLI."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from responder.models import Jurisdiction, db
from tests.fixtures.pages import csrf_token

URL = "/admin/jurisdictions/import"
HANGZHOU = Path(__file__).resolve().parents[2] / "maps" / "demo" / "hangzhou_jurisdictions.geojson"


def _count() -> int:
    return db.session.scalar(select(func.count()).select_from(Jurisdiction)) or 0


def _post(client: Any, data: dict[str, Any], lang: str = "") -> Any:
    data = {"csrf_token": csrf_token(client, URL), "crs": "wgs84", "repair": "on", **data}
    return client.post(URL + lang, data=data, content_type="multipart/form-data")


def test_upload_imports_and_reports_each_feature(sign_in: Any) -> None:
    client = sign_in("admin")
    page = client.get(URL).get_data(as_text=True)
    assert "行政区划导入" in page and "GCJ-02（高德/腾讯）" in page and "仅供学习交流使用" in page
    response = _post(client, {"file": (io.BytesIO(HANGZHOU.read_bytes()), "hz.geojson")})
    html = response.get_data(as_text=True)
    assert response.status_code == 200, html
    assert 'class="flash success"' in html and "已导入 15 个行政区划。" in html
    assert "拱墅区" in html and "新建" in html and "县(市、区)" in html
    assert _count() == 15


def test_a_refused_feature_is_named_and_nothing_changes(sign_in: Any) -> None:
    client = sign_in("admin")
    broken = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"adcode": "330105", "name": "拱墅区", "level": "district",
                               "parent_adcode": "330100"},
                "geometry": {"type": "LineString", "coordinates": [[120, 30], [120.1, 30.1]]},
            }
        ],
    }  # fmt: skip
    body = json.dumps(broken, ensure_ascii=False).encode()
    response = _post(client, {"file": (io.BytesIO(body), "b.geojson")}, "?lang=en")
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "nothing imported" in html and "LineString, not a polygon" in html
    assert "Refused" in html and 'class="flash error"' in html
    assert _count() == 0


def test_adcode_only_and_errors_beside_the_field(sign_in: Any) -> None:
    client = sign_in("admin")
    ok = _post(client, {"adcode": "330100", "dry_run": "on"})
    assert ok.status_code == 200 and "检查通过，共 15 个行政区划（未导入）。" in ok.get_data(True)
    assert _count() == 0
    bad = _post(client, {"adcode": "999999"})
    html = bad.get_data(as_text=True)
    assert bad.status_code == 422 and 'class="error field-error"' in html
    assert "not a province, city or county code" in html


def test_only_admins_may_import(sign_in: Any) -> None:
    client = sign_in("clerk")
    assert client.get(URL).status_code == 403
