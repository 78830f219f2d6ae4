"""Drill and coverage tests run on the demo road network with the dispatch ``world``
(``tests/fixtures/dispatch.py``)."""

from __future__ import annotations

import pytest
from flask import Flask


@pytest.fixture
def app(roads_app: Flask) -> Flask:
    return roads_app
