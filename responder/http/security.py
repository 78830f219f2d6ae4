"""Security headers on every response, set in one ``after_request`` hook.

The Content-Security-Policy lets scripts come only from our own origin, plus inline
scripts that carry this response's nonce: Folium writes each map's code inline, and a map
is an ``<iframe srcdoc>`` that inherits its page's policy, so the map renderer stamps the
nonce on the map's scripts (:func:`responder.http.pages.maps.embed`).  Anything else
inline — an ``onerror`` attribute, an injected ``<script>`` — is refused by the browser
even if some text escaped escaping.  Styles may be inline (Folium and Leaflet style their
elements), images may also come from the configured tile server.

The one page we do not render ourselves, flask-smorest's Swagger UI, has a fixed inline
boot script holding no user data; its hash is allowed on that page alone.

Before any handler runs, :func:`screen_request` refuses input no schema should have to
think about: JSON nested deeper than ``JSON_MAX_DEPTH`` (400; deep nesting made the
parser recurse into a 500), and NUL characters or unpaired surrogates anywhere in a JSON
body, a query string or a form (422 naming the field).
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import secrets
from typing import Any
from urllib.parse import urlsplit

from flask import Flask, Response, current_app, request

from responder.errors import DomainError, InvalidInput
from responder.http.api.fields import unstorable_message

#: The Swagger UI page's endpoint (flask-smorest's blueprint "api-docs").
DOCS_ENDPOINT = "api-docs.openapi_swagger_ui"
_INLINE_SCRIPT = re.compile(r"<script>(.*?)</script>", re.S)
#: Kept in the WSGI environ, which lives exactly as long as the request (``g`` belongs to
#: the app context, which tests and CLI commands may share between requests).
_NONCE_KEY = "responder.csp_nonce"


def csp_nonce() -> str:
    """This request's script nonce (made on first use); templates call it as
    ``{{ csp_nonce() }}``."""
    nonce: str = request.environ.setdefault(_NONCE_KEY, secrets.token_urlsafe(18))
    return nonce


def tile_origin(tile_url: str | None) -> str | None:
    """The scheme://host[:port] of an XYZ tile template, or None for ours / unset."""
    if not tile_url:
        return None
    parts = urlsplit(tile_url.replace("{s}", "a"))
    if not parts.scheme or not parts.netloc:
        return None
    host = parts.netloc.replace("a.", "*.", 1) if "{s}" in tile_url else parts.netloc
    return f"{parts.scheme}://{host}"


def content_security_policy(
    *, nonce: str | None, tile_url: str | None, script_hashes: tuple[str, ...] = ()
) -> str:
    """The policy for one response (``nonce`` only when the page used one)."""
    scripts = ["'self'"]
    if nonce:
        scripts.append(f"'nonce-{nonce}'")
    scripts += [f"'sha256-{digest}'" for digest in script_hashes]
    images = ["'self'", "data:"]
    tiles = tile_origin(tile_url)
    if tiles:
        images.append(tiles)
    directives = {
        "default-src": ["'self'"],
        "script-src": scripts,
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": images,
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "frame-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'self'"],
    }
    return "; ".join(f"{name} {' '.join(values)}" for name, values in directives.items())


def _inline_script_hashes(response: Response) -> tuple[str, ...]:
    body = response.get_data(as_text=True)
    return tuple(
        base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()
        for script in _INLINE_SCRIPT.findall(body)
    )


class TooDeep(DomainError):
    """A JSON body nests arrays/objects deeper than JSON_MAX_DEPTH."""

    status = 400
    code = "too_deep"


_JSON_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.S)
_BRACKET = re.compile(r"[\[\]{}]")


def json_depth(text: str) -> int:
    """The deepest nesting of arrays and objects in JSON ``text`` (brackets inside strings
    do not count), found without parsing it."""
    depth = deepest = 0
    for bracket in _BRACKET.findall(_JSON_STRING.sub("", text)):
        depth += 1 if bracket in "[{" else -1
        deepest = max(deepest, depth)
    return deepest


def unstorable_field(value: Any, path: str = "") -> tuple[str, str] | None:
    """The first (field path, problem) for a string (or key) in ``value`` holding NUL or
    an unpaired surrogate, or None."""
    if isinstance(value, str):
        problem = unstorable_message(value)
        return (path or "body", problem) if problem else None
    if isinstance(value, dict):
        for key, item in value.items():
            inner = f"{path}.{key}" if path else str(key)
            found = unstorable_field(key, inner) or unstorable_field(item, inner)
            if found:
                return found
    if isinstance(value, list):
        for index, item in enumerate(value):
            found = unstorable_field(item, f"{path}[{index}]")
            if found:
                return found
    return None


def screen_request() -> None:
    """Refuse too-deep JSON and unstorable characters before anything else reads them."""
    # Page forms are screened; multipart uploads are left to their endpoint's size check.
    form = request.mimetype == "application/x-www-form-urlencoded"
    sources = [request.args, request.form] if form else [request.args]
    for source in sources:
        for key, value in source.items(multi=True):
            found = unstorable_field(key, key) or unstorable_field(value, key)
            if found:
                raise InvalidInput(f"{found[0]}: {found[1]}", field=found[0])
    if not request.is_json:
        return
    raw = request.get_data(cache=True)
    if not raw:
        return
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return  # the JSON parser answers this with its own 400
    limit = int(current_app.config["JSON_MAX_DEPTH"])
    if json_depth(text) > limit:
        raise TooDeep(f"the JSON body nests deeper than {limit} levels (JSON_MAX_DEPTH)")
    try:
        body = json.loads(text)
    except ValueError:
        return  # malformed: the schema layer answers with its own 400
    found = unstorable_field(body)
    if found:
        raise InvalidInput(f"{found[0]}: {found[1]}", field=found[0])


def init_app(app: Flask) -> None:
    """Register the nonce for templates, the input screen and the header hook."""
    app.jinja_env.globals["csp_nonce"] = csp_nonce
    tile_url = app.config.get("TILE_URL")
    app.before_request(screen_request)

    @app.after_request
    def _security_headers(response: Response) -> Response:
        hashes: tuple[str, ...] = ()
        if request.endpoint == DOCS_ENDPOINT and not response.direct_passthrough:
            hashes = _inline_script_hashes(response)
        policy = content_security_policy(
            nonce=request.environ.get(_NONCE_KEY), tile_url=tile_url, script_hashes=hashes
        )
        response.headers["Content-Security-Policy"] = policy
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "same-origin"
        response.headers["X-Frame-Options"] = "SAMEORIGIN"
        return response
