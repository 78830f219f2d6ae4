"""The English catalogue covers every page string and compiles at start-up."""

from __future__ import annotations

from pathlib import Path

from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

from responder.localization import ensure_compiled

ROOT = Path(__file__).resolve().parents[2]
TRANSLATIONS = ROOT / "responder" / "translations"
# The keywords of the extract command in responder/translations/README.md
# (pybabel's defaults, plus -k _l -k lazy_gettext).
KEYWORDS = {**DEFAULT_KEYWORDS, "_l": None, "lazy_gettext": None}


def _source_messages() -> set[tuple[str, str | None]]:
    """(msgid, context) of every page string in the sources, as ``pybabel extract`` finds them.

    Extracting at test time (rather than reading the committed messages.pot) means a string
    added to a template or a page module is checked even before the .pot is regenerated.
    """
    with (ROOT / "babel.cfg").open(encoding="utf-8") as cfg:
        method_map, options_map = parse_mapping_cfg(cfg, str(ROOT / "babel.cfg"))
    found = set()
    for _filename, _lineno, message, _comments, context in extract_from_dir(
        ROOT, method_map, options_map, keywords=KEYWORDS
    ):
        msgid = message[0] if isinstance(message, tuple) else message
        if msgid:
            found.add((msgid, context))
    return found


def test_every_page_string_has_an_english_translation() -> None:
    with (TRANSLATIONS / "en" / "LC_MESSAGES" / "messages.po").open("rb") as f:
        english = read_po(f, locale="en")
    source = _source_messages()
    assert len(source) > 100, "extraction found (almost) no page strings: check babel.cfg"
    untranslated = []
    for msgid, context in sorted(source, key=lambda item: (item[1] or "", item[0])):
        entry = english.get(msgid, context)
        strings = entry.string if entry is not None else None
        strings = list(strings) if isinstance(strings, tuple) else [strings]
        # A fuzzy entry is left out of the compiled .mo, so it counts as untranslated.
        if entry is None or entry.fuzzy or not all(strings):
            untranslated.append(f"{context}|{msgid}" if context else msgid)
    assert not untranslated, (
        f"{len(untranslated)} page strings have no English translation; regenerate the "
        "catalogue as responder/translations/README.md says and translate:\n  "
        + "\n  ".join(untranslated)
    )


def test_missing_catalogue_is_compiled(tmp_path: Path) -> None:
    folder = tmp_path / "en" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    source = TRANSLATIONS / "en" / "LC_MESSAGES" / "messages.po"
    (folder / "messages.po").write_bytes(source.read_bytes())
    assert ensure_compiled(tmp_path) == [folder / "messages.mo"]
    assert (folder / "messages.mo").stat().st_size > 1000
    assert ensure_compiled(tmp_path) == []  # up to date: nothing to do
