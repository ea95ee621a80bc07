"""Texts sent to a complainant, from the gettext catalogues, in each of the two languages.

``queue_notice`` takes a Bahasa Malaysia and an English text and picks the ticket's; this
renders one lazily translated text (``lazy_gettext``, English msgid) in both, whatever the
language of the page or job that caused it."""

from __future__ import annotations

from typing import Any

from flask_babel import force_locale


def both(text: Any, **values: Any) -> dict[str, str]:
    """``{"ms": ..., "en": ...}``: ``text`` (a ``lazy_gettext`` string) with ``values``."""
    texts = {}
    for language in ("ms", "en"):
        with force_locale(language):
            texts[language] = str(text) % values if values else str(text)
    return texts
