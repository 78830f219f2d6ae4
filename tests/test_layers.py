"""The dependency rule of ``responder/README.md``, checked by walking every import.

    http/ (blueprints, schemas, pages) and commands/  ->  services/  ->  models/, routing/
    mapping/ (Folium rendering) is a leaf that only http/ imports.
    services/ and routing/ never import Flask; routing/ imports nothing else of responder.

The walk reads the source (``ast``), so it sees imports inside functions too; imports under
``if TYPE_CHECKING:`` are annotations only and are skipped.  A test of the test runs the
same checker on a small package written to a temporary folder.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent / "responder"

#: For each layer (first folder under the package), the layers it must not import.
#: Modules at the package top (errors, rules, settings, vocabulary ...) are shared leaves.
FORBIDDEN: dict[str, frozenset[str]] = {
    "http": frozenset({"commands", "routing"}),
    "commands": frozenset({"http", "mapping"}),
    "services": frozenset({"http", "commands", "mapping"}),
    "models": frozenset({"http", "commands", "mapping", "services", "routing"}),
    "mapping": frozenset({"http", "commands", "services"}),
}
#: Layers that import no Flask (nor its extensions): they run without an app.
FLASK_FREE = frozenset({"services", "routing"})
#: Layers that import nothing of the package outside themselves (shared leaves included).
SELF_CONTAINED = frozenset({"routing"})


@dataclass(frozen=True)
class Edge:
    """``importer`` (a path under the package) imports ``imported`` (a dotted name)."""

    importer: str
    imported: str
    line: int

    def __str__(self) -> str:
        return f"{self.importer}:{self.line} imports {self.imported}"


def imports_of(path: Path, package: str, root: Path) -> Iterator[Edge]:
    """Every import in one module, relative ones resolved, TYPE_CHECKING blocks skipped."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    relative = path.relative_to(root)
    module_parts = [package, *relative.with_suffix("").parts]
    if module_parts[-1] == "__init__":
        module_parts.pop()
    here = relative.as_posix()
    skipped = {
        id(child)
        for node in ast.walk(tree)
        if isinstance(node, ast.If) and _is_type_checking(node.test)
        for stmt in node.body
        for child in ast.walk(stmt)
    }
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield Edge(here, alias.name, node.lineno)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                is_package = path.name == "__init__.py"
                base = module_parts[: len(module_parts) - node.level + (1 if is_package else 0)]
                target = ".".join([*base, node.module] if node.module else base)
            else:
                target = node.module or ""
            yield Edge(here, target, node.lineno)
            for alias in node.names:  # ``from responder import routing`` names a layer
                yield Edge(here, f"{target}.{alias.name}", node.lineno)


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def layer_of(dotted: str, package: str, root: Path) -> str | None:
    """The layer a dotted name of the package lives in (None: outside the package)."""
    parts = dotted.split(".")
    if parts[0] != package:
        return None
    if len(parts) == 1:
        return ""
    return parts[1] if (root / parts[1]).is_dir() else ""


def violations(root: Path, package: str) -> list[tuple[Edge, str]]:
    """Every import edge under ``root`` (the folder of ``package``) that breaks the rule."""
    found: list[tuple[Edge, str]] = []
    for path in sorted(root.rglob("*.py")):
        relative = path.relative_to(root)
        layer = relative.parts[0] if len(relative.parts) > 1 else ""
        seen: set[tuple[str, str]] = set()
        for edge in imports_of(path, package, root):
            why = _why(edge, layer, package, root)
            if why and (edge.importer, why) not in seen:
                seen.add((edge.importer, why))
                found.append((edge, why))
    return found


def _why(edge: Edge, layer: str, package: str, root: Path) -> str | None:
    top = edge.imported.split(".")[0]
    if layer in FLASK_FREE and (top == "flask" or top.startswith("flask_")):
        return f"{layer}/ must not import Flask"
    target = layer_of(edge.imported, package, root)
    if target is None or target == layer or edge.imported == package:
        return None
    if layer in SELF_CONTAINED:
        return f"{layer}/ imports nothing of {package} outside itself"
    if target in FORBIDDEN.get(layer, frozenset()):
        return f"{layer or 'top-level module'} must not import {target}/"
    if target == "mapping" and layer not in ("http", ""):
        return "mapping/ is a leaf only http/ imports"
    return None


def test_the_tree_keeps_the_dependency_rule() -> None:
    """No exceptions: every forbidden edge fails the test (commands -> http included)."""
    assert [f"{edge}: {why}" for edge, why in violations(ROOT, "responder")] == []


# ---------------------------------------------------------------- the test of the test
def _write(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / "pkg" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root / "pkg"


CLEAN = {
    "__init__.py": "",
    "errors.py": "",
    "http/__init__.py": "",
    "http/api.py": "from flask import request\nfrom pkg.services import dispatch\n",
    "http/pages.py": "from pkg import mapping\nfrom pkg.models import db\n",
    "services/__init__.py": "",
    "services/dispatch.py": "from pkg.routing import net\nfrom pkg.models import db\n"
    "from pkg.errors import Oops\nfrom . import other\n",
    "services/other.py": "",
    "models/__init__.py": "db = None\n",
    "routing/__init__.py": "",
    "routing/net.py": "import numpy\nfrom . import search\n",
    "routing/search.py": "",
    "mapping/__init__.py": "from pkg.routing import net\n",
    "commands/__init__.py": "",
    "commands/cli.py": "import click\nfrom pkg.services import dispatch\n",
}


def test_checker_passes_a_clean_package(tmp_path: Path) -> None:
    assert violations(_write(tmp_path, CLEAN), "pkg") == []


@pytest.mark.parametrize(
    ("name", "text", "why"),
    [
        ("services/bad.py", "from flask import g\n", "services/ must not import Flask"),
        ("services/bad.py", "from pkg.http import api\n", "services must not import http/"),
        ("services/bad.py", "from ..mapping import x\n", "services must not import mapping/"),
        ("services/bad.py", "def f():\n    import pkg.commands.cli\n", "not import commands/"),
        ("routing/bad.py", "import flask\n", "routing/ must not import Flask"),
        ("routing/bad.py", "from pkg import errors\n", "routing/ imports nothing of pkg"),
        ("routing/bad.py", "from pkg.services import x\n", "routing/ imports nothing of pkg"),
        ("http/bad.py", "from pkg.routing import net\n", "http must not import routing/"),
        ("http/bad.py", "from pkg import routing\n", "http must not import routing/"),
        ("commands/bad.py", "from pkg.http import api\n", "commands must not import http/"),
        ("models/bad.py", "from pkg.services import x\n", "models must not import services/"),
    ],
)
def test_checker_flags_a_forbidden_import(tmp_path: Path, name: str, text: str, why: str) -> None:
    found = violations(_write(tmp_path, {**CLEAN, name: text}), "pkg")
    assert [e.importer for e, _ in found] == [name]
    assert why in found[0][1]


def test_checker_skips_annotation_only_imports(tmp_path: Path) -> None:
    text = (
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n    from pkg.routing import net\n"
        "else:\n    import json\n"
    )
    assert violations(_write(tmp_path, {**CLEAN, "http/typed.py": text}), "pkg") == []
