"""The English catalogue covers every page string and compiles at start-up."""

from __future__ import annotations

from pathlib import Path

from babel.messages.pofile import read_po

from responder.localization import ensure_compiled

TRANSLATIONS = Path(__file__).resolve().parents[2] / "responder" / "translations"


def test_every_page_string_has_an_english_translation() -> None:
    with (TRANSLATIONS / "messages.pot").open("rb") as f:
        template = read_po(f)
    with (TRANSLATIONS / "en" / "LC_MESSAGES" / "messages.po").open("rb") as f:
        english = read_po(f, locale="en")
    untranslated = [
        message.id
        for message in template
        if message.id
        and not (
            (english.get(message.id, message.context) or None)
            and all(
                english.get(message.id, message.context).string
                if isinstance(message.id, tuple)
                else [english.get(message.id, message.context).string]
            )
        )
    ]
    assert untranslated == []


def test_missing_catalogue_is_compiled(tmp_path: Path) -> None:
    folder = tmp_path / "en" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    source = TRANSLATIONS / "en" / "LC_MESSAGES" / "messages.po"
    (folder / "messages.po").write_bytes(source.read_bytes())
    assert ensure_compiled(tmp_path) == [folder / "messages.mo"]
    assert (folder / "messages.mo").stat().st_size > 1000
    assert ensure_compiled(tmp_path) == []  # up to date: nothing to do
