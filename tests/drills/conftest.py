"""Drill and coverage tests run on the demo road network with the dispatch ``world``."""

from __future__ import annotations

import pytest
from flask import Flask

from tests.dispatch.conftest import reference_graph, times_to, world  # noqa: F401 (fixtures)
from tests.pages.conftest import sign_in  # noqa: F401 (fixture)


@pytest.fixture
def app(roads_app: Flask) -> Flask:
    return roads_app
