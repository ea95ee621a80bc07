"""Which of the citizen languages a first message is written in (lingua), so that every
message after it — acknowledgement, notices, survey — is in the complainant's language.

The channel's own hint wins (Telegram's ``language_code``, the web form's page language);
else lingua's detector, restricted to Bahasa Malaysia, English, Chinese and Tamil, decides
when it is confident; a message too short or too mixed to tell ("5", a reference number) keeps
the complainant's language, else Bahasa Malaysia."""

from __future__ import annotations

from functools import cache

from lingua import Language, LanguageDetector, LanguageDetectorBuilder

from aduan.languages import CITIZEN_LANGUAGES, DEFAULT_LANGUAGE

_CODES = {
    Language.MALAY: "ms",
    Language.ENGLISH: "en",
    Language.CHINESE: "zh",
    Language.TAMIL: "ta",
}
# Below this many letters a guess is noise ("ok", "5/5"); a detector's top two languages
# closer than this are a toss-up (Malay and English share many short words).
MIN_LETTERS = 8
MIN_CONFIDENCE = 0.6


@cache
def _detector() -> LanguageDetector:
    return LanguageDetectorBuilder.from_languages(*_CODES).build()


def warm() -> None:
    """Load the detector's language models now: they load on its first use, which took half
    a second of the first complaint a new intake worker handled."""
    _detector().compute_language_confidence_values("Aduan ini ditulis dalam Bahasa Malaysia")


def detect(text: str | None) -> str | None:
    """The citizen language ``text`` is written in, or None when it cannot be told."""
    letters = sum(ch.isalpha() for ch in text or "")
    has_script = any("\u0b80" <= ch <= "\u0bff" or "\u4e00" <= ch <= "\u9fff" for ch in text or "")
    if letters < MIN_LETTERS and not has_script:
        return None
    best = _detector().compute_language_confidence_values(text or "")[0]
    if best.value < MIN_CONFIDENCE:
        return None
    return _CODES[best.language]


def choose(hint: str | None, text: str | None, known: str | None) -> str:
    """The language of a new ticket: the channel's ``hint``, else the text's, else the
    complainant's ``known`` one, else Bahasa Malaysia."""
    if hint in CITIZEN_LANGUAGES:
        return hint
    return detect(text) or (known if known in CITIZEN_LANGUAGES else DEFAULT_LANGUAGE)
