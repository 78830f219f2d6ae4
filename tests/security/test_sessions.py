"""Sessions, cookies, tokens and sign-in: sign-out ends the session on the server,
tokens expire and can be revoked, deactivated users lose access at once, sign-in is
throttled and costs the same whether or not the user exists, no open redirect."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from responder import create_app
from responder.models import ApiToken, User, db, utcnow
from responder.services import accounts
from responder.services.actors import SYSTEM
from tests.fixtures.pages import csrf_token

PASSWORD = "secret-pass-1"


@pytest.fixture
def app_config(app_config: dict[str, Any]) -> dict[str, Any]:
    app_config.update(LOGIN_FAILURES_PER_USER=3, LOGIN_FAILURES_PER_ADDRESS=6)
    return app_config


def _user(name: str, role: str = "operator") -> User:
    user = accounts.create_user(db.session, SYSTEM, username=name, password=PASSWORD, role=role)
    db.session.commit()
    return user


def _sign_in(client: FlaskClient, name: str, password: str = PASSWORD, **kw: Any) -> Any:
    token = csrf_token(client)
    return client.post(
        "/login", data={"username": name, "password": password, "csrf_token": token}, **kw
    )


def _session_cookie(client: FlaskClient) -> str:
    cookie = client.get_cookie("session")
    assert cookie is not None
    return cookie.value


def test_the_session_cookie_is_dead_after_logout(app: Flask, client: FlaskClient):
    _user("alice")
    assert _sign_in(client, "alice").status_code == 302
    stolen = _session_cookie(client)
    assert client.get("/api/v1/me").status_code == 200
    client.post("/logout", data={"csrf_token": csrf_token(client, "/board")})
    replay = app.test_client()
    replay.set_cookie("session", stolen)
    assert replay.get("/api/v1/me").status_code == 401
    assert replay.get("/").status_code == 302  # to the sign-in page


def test_cookies_are_samesite_lax_and_secure_is_a_setting(
    app_config: dict[str, Any], client: FlaskClient
):
    _user("bob")
    response = _sign_in(client, "bob")
    cookie = response.headers["Set-Cookie"]
    assert "SameSite=Lax" in cookie and "HttpOnly" in cookie and "Secure" not in cookie
    behind_tls = create_app({**app_config, "SESSION_COOKIE_SECURE": True})
    form = behind_tls.test_client().get("/login", base_url="https://localhost")
    assert "Secure" in form.headers["Set-Cookie"]  # the CSRF session cookie


@pytest.mark.parametrize(
    "target",
    ["/%09/evil.example/", "//evil.example/", "/\\evil.example", "https://evil.example/", "/%0a/x"],
)
def test_next_never_leaves_the_site(client: FlaskClient, target: str):
    _user("carol")
    token = csrf_token(client)
    response = client.post(
        f"/login?next={target}",
        data={"username": "carol", "password": PASSWORD, "csrf_token": token},
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


def test_next_inside_the_site_is_followed(client: FlaskClient):
    _user("dave")
    token = csrf_token(client)
    response = client.post(
        "/login?next=/incidents?status=open",
        data={"username": "dave", "password": PASSWORD, "csrf_token": token},
    )
    assert response.headers["Location"] == "/incidents?status=open"


def test_sign_in_is_throttled_per_user_name(client: FlaskClient):
    _user("erin")
    for _ in range(3):
        assert _sign_in(client, "erin", "wrong-password").status_code == 401
    refused = _sign_in(client, "erin")  # even the right password, for a while
    assert refused.status_code == 429
    assert int(refused.headers["Retry-After"]) > 0


def test_sign_in_is_throttled_per_address(client: FlaskClient):
    _user("frank")
    for i in range(6):
        assert _sign_in(client, f"nobody{i}", "wrong-password").status_code == 401
    assert _sign_in(client, "frank").status_code == 429
    other_address = _sign_in(client, "frank", environ_base={"REMOTE_ADDR": "10.0.0.9"})
    assert other_address.status_code == 302


def test_a_success_clears_the_user_names_failures(client: FlaskClient):
    _user("gina")
    for _ in range(2):
        _sign_in(client, "gina", "wrong-password")
    assert _sign_in(client, "gina").status_code == 302
    for _ in range(2):
        assert _sign_in(client, "gina", "wrong-password").status_code == 401


def test_an_unknown_user_costs_a_password_hash_too(app: Flask, monkeypatch):
    _user("hank")
    checked: list[str] = []
    real = accounts.check_password_hash

    def counting(hash_: str, password: str) -> bool:
        checked.append(hash_)
        return real(hash_, password)

    monkeypatch.setattr(accounts, "check_password_hash", counting)
    assert accounts.authenticate(db.session, "no-such-user", PASSWORD) is None
    assert accounts.authenticate(db.session, "hank", "wrong-password") is None
    assert len(checked) == 2
    method = lambda h: h.split("$", 1)[0]  # noqa: E731
    assert method(checked[0]) == method(checked[1])  # the same algorithm and cost


def test_tokens_are_listed_without_secrets_and_revoked_at_once(login_as):
    api = login_as("operator")
    issued = api.post("/api/v1/me/tokens", json={"name": "script", "days": 7})
    assert issued.status_code == 201
    body = issued.get_json()
    assert body["expires_at"] is not None
    second = {"Authorization": f"Bearer {body['token']}"}
    listed = api.get("/api/v1/me/tokens").get_json()
    assert {t["name"] for t in listed} == {"", "script"}
    assert all("token" not in t and "token_hash" not in t for t in listed)
    script = next(t for t in listed if t["name"] == "script")
    assert api.get("/api/v1/me", headers=second).status_code == 200
    assert api.delete(f"/api/v1/me/tokens/{script['id']}").status_code == 204
    assert api.get("/api/v1/me", headers=second).status_code == 401
    assert api.delete(f"/api/v1/me/tokens/{script['id']}").status_code == 409


def test_another_users_token_cannot_be_revoked(login_as):
    mine, theirs = login_as("operator"), login_as("viewer")
    their_id = theirs.get("/api/v1/me/tokens").get_json()[0]["id"]
    assert mine.delete(f"/api/v1/me/tokens/{their_id}").status_code == 404
    assert theirs.get("/api/v1/me").status_code == 200


def test_an_expired_token_is_refused(login_as):
    api = login_as("operator")
    assert api.get("/api/v1/me").status_code == 200
    for token in db.session.query(ApiToken):
        token.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    response = api.get("/api/v1/me")
    assert response.status_code == 401
    assert "expired" in response.get_json()["error"]["message"]


def test_token_lifetime_is_bounded(login_as):
    api = login_as("operator")
    response = api.post("/api/v1/me/tokens", json={"days": 10_000})
    assert response.status_code == 422
    assert response.get_json()["error"]["field"] == "days"


def test_a_deactivated_user_loses_access_at_once(app: Flask, client: FlaskClient, login_as):
    admin = login_as("admin")
    user = _user("ivan")
    secret = accounts.issue_token(db.session, SYSTEM, user)
    db.session.commit()
    browser = app.test_client()
    assert _sign_in(browser, "ivan").status_code == 302
    bearer = {"Authorization": f"Bearer {secret}"}
    assert client.get("/api/v1/me", headers=bearer).status_code == 200
    response = admin.patch(f"/api/v1/users/{user.id}", json={"active": False})
    assert response.status_code == 200 and response.get_json()["active"] is False
    assert client.get("/api/v1/me", headers=bearer).status_code == 401
    assert browser.get("/api/v1/me").status_code == 401
    assert _sign_in(browser, "ivan").status_code == 401


def test_only_user_managers_deactivate(login_as):
    operator = login_as("operator")
    victim = _user("judy")
    assert operator.patch(f"/api/v1/users/{victim.id}", json={"active": False}).status_code == 403
