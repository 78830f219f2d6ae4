"""The mapping package's own small exceptions."""

from __future__ import annotations


class UnknownAsset(LookupError):
    """A map element wants a JavaScript/CSS file we do not serve locally."""
