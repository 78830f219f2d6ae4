"""Page tests sign in through the real form (CSRF token included)."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient

from responder.models import db
from responder.services import accounts
from responder.services.actors import SYSTEM

PASSWORD = "page-pass-123"


def csrf_token(client: FlaskClient, url: str = "/login") -> str:
    html = client.get(url).get_data(as_text=True)
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "the form carries no CSRF token"
    return match.group(1)


@pytest.fixture
def sign_in(app: Flask, client: FlaskClient) -> Callable[..., FlaskClient]:
    """``sign_in("viewer")``: a new user of that role, signed in on ``client``."""
    counter = iter(range(1000))

    def make(role: str, jurisdiction_code: str | None = None) -> FlaskClient:
        username = f"page-{role}-{next(counter)}"
        accounts.create_user(
            db.session,
            SYSTEM,
            username=username,
            password=PASSWORD,
            role=role,
            jurisdiction_code=jurisdiction_code,
        )
        db.session.commit()
        response = client.post(
            "/login",
            data={"username": username, "password": PASSWORD, "csrf_token": csrf_token(client)},
        )
        assert response.status_code == 302
        return client

    return make
