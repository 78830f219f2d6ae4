"""Security tests: page tests sign in through the real form."""

from __future__ import annotations

from tests.pages.conftest import sign_in  # noqa: F401 (fixture)
