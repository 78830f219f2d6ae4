"""Dispatch tests run on the real demo road network with a small, hand-placed registry
(the ``world`` fixture of ``tests/fixtures/dispatch.py``)."""

from __future__ import annotations

import pytest
from flask import Flask


@pytest.fixture
def app(roads_app: Flask) -> Flask:
    return roads_app
