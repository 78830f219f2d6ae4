"""Deterministic demo data for central Hangzhou (浙江省 › 杭州市; the demo region).

``flask --app wsgi demo load`` calls :func:`load`; :data:`STEPS` is where new demo content
is hooked in (see :mod:`responder.demo.loader`).  This package sits beside the HTTP layer:
it only calls services (with the ``SYSTEM`` actor), so demo rows pass the same validation
and audit as any other write.
"""

from responder.demo.context import Demo, Login
from responder.demo.loader import DEFAULT_SEED, STEPS, DemoResult, existing_data, load

__all__ = ["DEFAULT_SEED", "STEPS", "Demo", "DemoResult", "Login", "existing_data", "load"]
