"""Expert groups and on-call dates from the pages."""

from __future__ import annotations

from typing import Any

from tests.api.test_experts_on_call import roster  # noqa: F401
from tests.fixtures.pages import csrf_token


def test_pages_show_groups_and_put_an_expert_on_call(
    roster: Any,  # noqa: F811
    region: Any,
    sign_in: Any,
) -> None:
    client = sign_in("operator")
    page = client.get("/expert-groups").get_data(as_text=True)
    assert "危化品专家组" in page and "矿山专家组" in page
    expert = roster["off_duty"]
    token = csrf_token(client, f"/experts/{expert.id}")
    client.post(
        f"/experts/{expert.id}/on-call",
        data={"csrf_token": token, "starts_on": "2099-01-01", "ends_on": "2099-01-02"},
    )
    detail = client.get(f"/experts/{expert.id}").get_data(as_text=True)
    assert "2099-01-01 – 2099-01-02" in detail and "危化品专家组" in detail
    refused = client.post(
        f"/experts/{expert.id}/on-call",
        data={"csrf_token": token, "starts_on": "2099-01-05", "ends_on": "2099-01-01"},
        follow_redirects=True,
    ).get_data(as_text=True)
    assert "ends_on must not be before starts_on" in refused
