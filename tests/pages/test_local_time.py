"""Every page shows moments in the office's clock (the TIMEZONE setting), never UTC."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from responder.http.pages.display import local_time


def test_moments_read_in_the_configured_zone_and_naive_values_count_as_utc(app: Any) -> None:
    with app.app_context():
        app.config["TIMEZONE"] = "Asia/Shanghai"
        assert local_time(datetime(2026, 12, 1, 18, 30, tzinfo=UTC)) == "2026-12-02 02:30"
        assert local_time(datetime(2026, 12, 1, 18, 30)) == "2026-12-02 02:30"
        app.config["TIMEZONE"] = "UTC"
        assert local_time(datetime(2026, 12, 1, 18, 30, tzinfo=UTC)) == "2026-12-01 18:30"
        assert local_time(None) == ""
