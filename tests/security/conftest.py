"""Security tests reuse the browser harness and the dispatch ``world`` on the demo roads."""

from __future__ import annotations

from tests.browser.conftest import browser, live_server, page  # noqa: F401 (fixtures)
from tests.dispatch.conftest import reference_graph, times_to, world  # noqa: F401 (fixtures)
from tests.pages.conftest import sign_in  # noqa: F401 (fixture)

#: A name that breaks out of HTML, attributes, JS strings and template literals if any
#: context is escaped wrongly; every ``alert`` would open a dialog.
HOSTILE = "队${alert(1)}`+alert(2)+`<img src=x onerror=alert(3)>\\'\"</script>&amp;"
