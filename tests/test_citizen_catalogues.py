"""Everything a citizen reads is complete in every citizen language.

The sources citizens read are listed in ``babel-citizen.cfg`` (pages, acknowledgements, notices,
bot replies, survey); each of their messages must have a translation in Bahasa Malaysia, Chinese
and Tamil (English is the msgid itself) that keeps every placeholder. The vocabulary's status and
type labels carry their Malay and English in code, so only Chinese and Tamil need them here."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

from aduan.languages import CITIZEN_LANGUAGES
from aduan.vocabulary import TicketStatus, TicketType

ROOT = Path(__file__).resolve().parents[1]
TRANSLATED = [code for code in CITIZEN_LANGUAGES if code != "en"]
_PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")


def citizen_messages(code: str = "zh") -> dict[str, str | tuple[str, ...]]:
    """msgid → the message (a plural's forms as a tuple) that ``code`` must translate."""
    with open(ROOT / "babel-citizen.cfg", encoding="utf-8") as cfg:
        method_map, options_map = parse_mapping_cfg(cfg)
    keywords = {**DEFAULT_KEYWORDS, "_l": None, "lazy_gettext": None}
    found: dict[str, str | tuple[str, ...]] = {}
    for _file, _line, message, _comments, _context in extract_from_dir(
        str(ROOT), method_map, options_map, keywords=keywords
    ):
        key = message[0] if isinstance(message, tuple) else message
        if key:
            found[key] = message
    if code != "ms":
        for labelled in (TicketStatus, TicketType):
            for member in labelled:
                found.setdefault(member.label_en, member.label_en)
    return found


def catalogue(code: str):
    path = ROOT / "aduan" / "translations" / code / "LC_MESSAGES" / "messages.po"
    with open(path, "rb") as po:
        return read_po(po)


def test_the_citizen_sources_are_found():
    messages = citizen_messages()
    assert "Check the status of a complaint" in messages  # a page
    assert any(key.startswith("Your complaint has been received.") for key in messages)  # ack
    assert "Resolved" in messages  # a status label
    assert len(messages) > 150


@pytest.mark.parametrize("code", TRANSLATED)
def test_every_citizen_message_is_translated(code):
    entries = catalogue(code)
    missing = []
    for key in citizen_messages(code):
        entry = entries.get(key)
        strings = entry.string if entry is not None else None
        forms = strings if isinstance(strings, tuple | list) else (strings,)
        if entry is None or entry.fuzzy or not all(forms):
            missing.append(key)
    assert not missing, f"{code}: {len(missing)} untranslated, e.g. {missing[:5]}"


@pytest.mark.parametrize("code", TRANSLATED)
def test_translations_keep_every_placeholder(code):
    entries = catalogue(code)
    wrong = []
    for key, message in citizen_messages(code).items():
        entry = entries.get(key)
        if entry is None or not entry.string:
            continue
        source = message[-1] if isinstance(message, tuple) else message
        strings = entry.string if isinstance(entry.string, tuple | list) else (entry.string,)
        expected = sorted(_PLACEHOLDER.findall(source))
        wrong += [key for text in strings if sorted(_PLACEHOLDER.findall(text)) != expected]
    assert not wrong, f"{code}: placeholders differ in {wrong[:5]}"
