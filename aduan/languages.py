"""The languages citizens are served in, and rendering a catalogue text in one of them.

Citizens read Aduan in Bahasa Malaysia, English, 中文 (Simplified Chinese) or தமிழ் (Tamil):
pages, acknowledgements, notices, bot replies and the survey all come from the gettext
catalogues (English msgids). Officer pages are in Bahasa Malaysia or English. A ticket keeps
the complainant's language; every message after the first is rendered in it with
``force_locale``, whatever the language of the page or job that caused it."""

from __future__ import annotations

from typing import Any

from flask_babel import force_locale

from channels.base import LANGUAGES as CITIZEN_LANGUAGES

OFFICER_LANGUAGES = ("ms", "en")
DEFAULT_LANGUAGE = "ms"
# How each language names itself, for the switcher on citizen pages and the bots' menu.
NATIVE_NAMES = {"ms": "Bahasa Malaysia", "en": "English", "zh": "中文", "ta": "தமிழ்"}


def citizen_language(code: str | None) -> str:
    """``code`` when it is a citizen language (``zh-CN`` → ``zh``), else Bahasa Malaysia."""
    short = (code or "").replace("_", "-").split("-")[0].lower()
    return short if short in CITIZEN_LANGUAGES else DEFAULT_LANGUAGE


def render(text: Any, language: str | None, **values: Any) -> str:
    """``text`` (a ``lazy_gettext`` string, ``%(name)s`` placeholders) in ``language``."""
    with force_locale(citizen_language(language)):
        rendered = str(text)
    return rendered % values if values else rendered


def every_language(text: Any, **values: Any) -> dict[str, str]:
    """``{"ms": …, "en": …, "zh": …, "ta": …}``: ``text`` rendered in each citizen language."""
    return {language: render(text, language, **values) for language in CITIZEN_LANGUAGES}


def translate(msgid: str, language: str | None) -> str:
    """A plain (not lazily marked) English ``msgid`` in ``language``, from the catalogue: the
    vocabulary's labels, whose Bahasa Malaysia and English live in code beside the value."""
    from flask import has_app_context
    from flask_babel import gettext

    if not has_app_context():
        return msgid
    with force_locale(citizen_language(language)):
        return gettext(msgid)
