"""Security tests reuse the browser harness and the dispatch ``world`` on the demo roads
(shared fixtures from ``tests/fixtures/``, registered in tests/conftest.py)."""

from __future__ import annotations

#: A name that breaks out of HTML, attributes, JS strings and template literals if any
#: context is escaped wrongly; every ``alert`` would open a dialog.
HOSTILE = "队${alert(1)}`+alert(2)+`<img src=x onerror=alert(3)>\\'\"</script>&amp;"
