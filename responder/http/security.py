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
"""

from __future__ import annotations

import base64
import hashlib
import re
import secrets
from urllib.parse import urlsplit

from flask import Flask, Response, request

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


def init_app(app: Flask) -> None:
    """Register the nonce for templates and the header hook."""
    app.jinja_env.globals["csp_nonce"] = csp_nonce
    tile_url = app.config.get("TILE_URL")

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
