"""Serve Folium's JavaScript and CSS from our own static folder instead of CDNs.

Folium links Leaflet, jQuery, Bootstrap, Font Awesome and Leaflet.awesome-markers from public
CDNs, which a command center's machine may not reach (and this one cannot).  The same files,
taken from their npm packages at the versions Folium expects, are kept under
``responder/static/vendor/`` (committed; ``scripts/vendor_assets.py`` re-fetches and checks
them).  :func:`localize` rewrites every element of a map to link the local copies and refuses
any asset it does not know, so a new plugin cannot silently fall back to the internet.
Our own map scripts (:data:`OWN_JS`) sit in the static folder itself, the folder above
``vendor/``.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from urllib.parse import urljoin

from branca.element import Element

from responder.mapping._errors import UnknownAsset


@dataclass(frozen=True)
class VendorPackage:
    """One npm package and the files we keep from it (path in the tarball -> path in vendor/)."""

    spec: str
    files: dict[str, str] = field(default_factory=dict)


def _files(source_dir: str, dest_dir: str, *names: str) -> dict[str, str]:
    return {f"{source_dir}/{name}": f"{dest_dir}/{name}" for name in names}


PACKAGES: tuple[VendorPackage, ...] = (
    VendorPackage(
        "leaflet@1.9.3",
        {
            "package/dist/leaflet.js": "leaflet/leaflet.js",
            "package/dist/leaflet.css": "leaflet/leaflet.css",
            "package/dist/images/layers.png": "leaflet/images/layers.png",
            "package/dist/images/layers-2x.png": "leaflet/images/layers-2x.png",
            "package/dist/images/marker-icon.png": "leaflet/images/marker-icon.png",
            "package/dist/images/marker-icon-2x.png": "leaflet/images/marker-icon-2x.png",
            "package/dist/images/marker-shadow.png": "leaflet/images/marker-shadow.png",
            "package/LICENSE": "leaflet/LICENSE",
        },
    ),
    VendorPackage(
        "jquery@3.7.1",
        {
            "package/dist/jquery.min.js": "jquery/jquery.min.js",
            "package/LICENSE.txt": "jquery/LICENSE.txt",
        },
    ),
    VendorPackage(
        "bootstrap@5.2.2",
        {
            "package/dist/js/bootstrap.bundle.min.js": "bootstrap/bootstrap.bundle.min.js",
            "package/dist/css/bootstrap.min.css": "bootstrap/bootstrap.min.css",
            "package/LICENSE": "bootstrap/LICENSE",
        },
    ),
    VendorPackage(
        "@fortawesome/fontawesome-free@6.2.0",
        {
            "package/css/all.min.css": "fontawesome/css/all.min.css",
            "package/LICENSE.txt": "fontawesome/LICENSE.txt",
            **_files(
                "package/webfonts",
                "fontawesome/webfonts",
                "fa-solid-900.woff2",
                "fa-regular-400.woff2",
                "fa-brands-400.woff2",
                "fa-v4compatibility.woff2",
            ),
        },
    ),
    VendorPackage(
        "leaflet.awesome-markers@2.0.5",
        {
            "package/LICENSE": "awesome-markers/LICENSE",
            **_files(
                "package/dist",
                "awesome-markers",
                "leaflet.awesome-markers.min.js",
                "leaflet.awesome-markers.css",
            ),
            **_files(
                "package/dist/images",
                "awesome-markers/images",
                "markers-matte.png",
                "markers-matte@2x.png",
                "markers-plain.png",
                "markers-shadow.png",
                "markers-shadow@2x.png",
                "markers-soft.png",
                "markers-soft@2x.png",
            ),
        },
    ),
)

#: Not a map asset: the interactive API docs at /api/v1/docs (see responder.http.api).
PACKAGES += (
    VendorPackage(
        "swagger-ui-dist@5.35.0",
        {
            "package/swagger-ui.css": "swagger-ui/swagger-ui.css",
            "package/swagger-ui-bundle.js": "swagger-ui/swagger-ui-bundle.js",
            "package/swagger-ui-standalone-preset.js": "swagger-ui/swagger-ui-standalone-preset.js",
            "package/LICENSE": "swagger-ui/LICENSE",
        },
    ),
)

#: Folium's asset names -> our file under vendor/.
LOCAL_JS: dict[str, str] = {
    "leaflet": "leaflet/leaflet.js",
    "jquery": "jquery/jquery.min.js",
    "bootstrap": "bootstrap/bootstrap.bundle.min.js",
    "awesome_markers": "awesome-markers/leaflet.awesome-markers.min.js",
}
LOCAL_CSS: dict[str, str] = {
    "leaflet_css": "leaflet/leaflet.css",
    "bootstrap_css": "bootstrap/bootstrap.min.css",
    "awesome_markers_font_css": "fontawesome/css/all.min.css",
    "awesome_markers_css": "awesome-markers/leaflet.awesome-markers.css",
}
#: The asset name of the script that draws registry markers from JSON (responder.mapping.markers).
POINTS_SCRIPT = "responder_map_points"
#: Our own scripts that maps link -> their file in the static folder (beside vendor/).
OWN_JS: dict[str, str] = {POINTS_SCRIPT: "map_points.js"}
#: Assets we leave out on purpose: Bootstrap 3 glyphicons (use ``prefix="fa"`` icons) and
#: Folium's icon-rotation stylesheet (our markers are not rotated).
DROPPED: frozenset[str] = frozenset({"glyphicons_css", "awesome_rotate_css"})


def vendored_files() -> Iterator[str]:
    """Every file kept under vendor/ (relative paths), for install checks and tests."""
    for package in PACKAGES:
        yield from package.files.values()


def _walk(element: Element) -> Iterator[Element]:
    yield element
    for child in element._children.values():
        yield from _walk(child)


def _local(pairs: list[tuple[str, str]], table: dict[str, str], base: str) -> list[tuple[str, str]]:
    local = []
    for name, url in pairs:
        if name in DROPPED:
            continue
        if name in OWN_JS:
            local.append((name, urljoin(base, "../" + OWN_JS[name])))
            continue
        if name not in table:
            raise UnknownAsset(
                f"map element needs '{name}' from {url}; add it to responder/mapping/assets.py "
                "and run scripts/vendor_assets.py (pages must not load assets from the internet)"
            )
        local.append((name, base + table[name]))
    return local


def localize(root: Element, base_url: str) -> None:
    """Point every element under ``root`` at the vendored copies served from ``base_url``
    (e.g. ``/static/vendor/``); raise :class:`UnknownAsset` for an asset we do not ship."""
    base = base_url if base_url.endswith("/") else base_url + "/"
    for element in _walk(root):
        if "default_js" in dir(element):
            element.default_js = _local(list(element.default_js), LOCAL_JS, base)
        if "default_css" in dir(element):
            element.default_css = _local(list(element.default_css), LOCAL_CSS, base)
