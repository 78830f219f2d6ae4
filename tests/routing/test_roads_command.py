"""``flask roads`` commands on a bare Flask app (the app factory is not needed)."""

from __future__ import annotations

from pathlib import Path
from unittest import mock

import pytest
from flask import Flask

from responder.commands.roads import roads_cli


@pytest.fixture
def runner(tmp_path: Path):
    app = Flask("roads-test")
    app.config.update(MAPS_DIR=tmp_path / "maps", SPEED_TABLE=None, REGION="tiny")
    app.cli.add_command(roads_cli)
    return app.test_cli_runner()


def test_import_then_info(runner, tiny_osm: Path, tmp_path: Path) -> None:
    result = runner.invoke(args=["roads", "import", str(tiny_osm)])
    assert result.exit_code == 0, result.output
    assert "nodes/edges:  4 / 9" in result.output
    assert (tmp_path / "maps" / "cache" / "tiny" / "meta.json").is_file()
    info = runner.invoke(args=["roads", "info"])
    assert info.exit_code == 0 and "1 nodes / 1 edges outside" in info.output


def test_info_without_cache_is_clear(runner) -> None:
    result = runner.invoke(args=["roads", "info", "--region", "nowhere"])
    assert result.exit_code == 1
    assert "no compiled road network" in result.output


def test_place_without_internet_fails_clearly(runner) -> None:
    with mock.patch("osmnx.graph_from_place", side_effect=ConnectionError("no route to host")):
        result = runner.invoke(args=["roads", "import", "--place", "Coquimbo, Chile"])
    assert result.exit_code == 1
    assert "needs internet access" in result.output


def test_import_needs_path_or_place(runner) -> None:
    assert runner.invoke(args=["roads", "import"]).exit_code == 2
