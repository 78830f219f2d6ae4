"""Security headers: one policy on every response, a fresh nonce for pages with maps."""

from __future__ import annotations

import base64
import hashlib
import re

from responder.http.security import content_security_policy, tile_origin


def directives(response) -> dict[str, list[str]]:
    policy = response.headers["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in policy.split("; ")}


def test_every_response_carries_the_headers(client) -> None:
    for url in ("/login", "/api/v1/teams", "/static/app.css", "/no-such-page"):
        response = client.get(url)
        response.close()
        assert response.headers["X-Content-Type-Options"] == "nosniff", url
        assert response.headers["Referrer-Policy"] == "same-origin", url
        policy = directives(response)
        assert policy["script-src"] == ["'self'"], url  # nothing inline without a nonce
        assert policy["frame-ancestors"] == ["'self'"] and policy["object-src"] == ["'none'"]


def test_a_map_page_gets_a_fresh_nonce_on_its_scripts(client, sign_in, registry_records) -> None:
    sign_in("viewer")
    seen = set()
    for _ in range(2):
        response = client.get("/teams")
        (nonce,) = [s[len("'nonce-") : -1] for s in directives(response)["script-src"][1:]]
        body = response.get_data(as_text=True)
        # The map is an <iframe srcdoc> (escaped HTML) whose every script carries the nonce.
        scripts = re.findall(r"&lt;script\b.{0,60}", body)
        assert scripts and all(f"nonce=&quot;{nonce}&quot;" in s for s in scripts)
        seen.add(nonce)
    assert len(seen) == 2


def test_the_api_docs_page_allows_only_its_own_boot_script(client) -> None:
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    (boot,) = re.findall(r"<script>(.*?)</script>", response.get_data(as_text=True), re.S)
    digest = base64.b64encode(hashlib.sha256(boot.encode()).digest()).decode()
    assert directives(response)["script-src"] == ["'self'", f"'sha256-{digest}'"]


def test_configured_tiles_are_allowed_as_images() -> None:
    assert (
        tile_origin("https://{s}.tile.example.org/{z}/{x}/{y}.png") == "https://*.tile.example.org"
    )
    assert tile_origin("/tiles/{z}/{x}/{y}.png") is None
    policy = content_security_policy(nonce=None, tile_url="https://tiles.example.org/{z}/{x}/{y}")
    assert "img-src 'self' data: https://tiles.example.org;" in policy
