"""How pages show values: vocabulary labels in the UI language, record age, links that keep
the current filters, and the language switch.  Registered as Jinja globals and filters."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from flask import Flask, current_app, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext

from responder import vocabulary
from responder.http.context import rules
from responder.localization import LANGUAGE_NAMES, SUPPORTED, current_language


def label(code: Any, vocab: vocabulary.Vocabulary) -> str:
    """The label of ``code`` in the current UI language (the code itself if unknown)."""
    return vocabulary.label(vocab, str(code), current_language()) if code is not None else ""


def labels(codes: list[Any] | None, vocab: vocabulary.Vocabulary) -> str:
    separator = ", " if current_language() == "en" else "、"
    return separator.join(label(code, vocab) for code in codes or [])


def stale_after_days(entity: str | None = None) -> int:
    """The staleness rule for ``entity`` (rules file ``[staleness_days]``; else the default)."""
    return rules().stale_days_for(entity)


def age_days(moment: datetime | None, now: datetime | None = None) -> int | None:
    """Whole days since ``moment`` (None when it never happened)."""
    if moment is None:
        return None
    now = now or datetime.now(UTC)
    return max(0, (now - moment).days)


def is_stale(moment: datetime | None, entity: str | None = None) -> bool:
    """Never verified, or verified longer ago than the rules allow (for ``entity``)."""
    days = age_days(moment)
    return days is None or days > stale_after_days(entity)


def verified_text(moment: datetime | None) -> str:
    days = age_days(moment)
    if days is None:
        return _("从未核实")
    if days == 0:
        return _("今天核实")
    return ngettext("%(num)d 天前核实", "%(num)d 天前核实", days)


def local_time(moment: datetime | None) -> str:
    """A timestamp as 'YYYY-MM-DD HH:MM' in the office's local time (the TIMEZONE setting);
    a naive value is taken as UTC, which is how the database stores moments."""
    if moment is None:
        return ""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(ZoneInfo(current_app.config["TIMEZONE"])).strftime("%Y-%m-%d %H:%M")


def url_with(**changes: Any) -> str:
    """The current URL with some query arguments changed (None removes one)."""
    args = request.args.to_dict(flat=False)
    for key, value in changes.items():
        if value is None:
            args.pop(key, None)
        else:
            args[key] = [str(value)]
    return url_for(request.endpoint or "pages.index", **(request.view_args or {}), **args)


def language_links() -> list[tuple[str, str, bool]]:
    """(name, url, is_current) for the language switch."""
    current = "en" if current_language() == "en" else "zh_Hans_CN"
    return [
        (LANGUAGE_NAMES[code], url_with(lang=code, page=request.args.get("page")), code == current)
        for code in SUPPORTED
    ]


def has_endpoint(endpoint: str) -> bool:
    """True when a page exists (the nav greys out modules not built yet)."""
    return endpoint in current_app.view_functions


def unmet_text(need: dict[str, Any]) -> str:
    """An unmet need of a proposal or drill in the page's language (the API keeps its
    English ``message``)."""
    if need.get("kind") == "team":
        return f"{label(need['specialty'], vocabulary.SPECIALTIES)} " + _(
            "需要 {needed} 支，可派 {found} 支"
        ).format(needed=need["needed"], found=need["found"])
    if need.get("kind") == "material" and "shortfall" in need:
        return f"{need.get('name') or need['material']} " + _("短缺 {shortfall} {unit}").format(
            shortfall=f"{need['shortfall']:g}",
            unit=label(need.get("unit", ""), vocabulary.MATERIAL_UNITS),
        )
    return str(need.get("message", ""))


def init_app(app: Flask) -> None:
    app.jinja_env.filters.update(
        label=label,
        labels=labels,
        local_time=local_time,
        verified_text=verified_text,
        unmet_text=unmet_text,
    )
    app.jinja_env.globals.update(
        V=vocabulary,
        url_with=url_with,
        language_links=language_links,
        is_stale=is_stale,
        has_endpoint=has_endpoint,
        current_language=current_language,
    )
