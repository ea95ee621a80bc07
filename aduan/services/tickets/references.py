"""Reference numbers: ``ADU-2026-K7M3QX`` — a prefix, the year of receipt, five random
Crockford base-32 characters and a Luhn mod 32 check character.

Random (not sequential) so references cannot be walked; Crockford's alphabet has no I, L, O or
U, so a reference read over the phone survives O/0 and I/L/1 mix-ups; the check character
catches every single-character typo and most swaps before the database is asked.
Uniqueness is the database's job (unique index); ``new_reference`` only proposes.
"""

from __future__ import annotations

import re
import secrets

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_INDEX = {c: i for i, c in enumerate(ALPHABET)}
RANDOM_LENGTH = 5
_CONFUSABLE = str.maketrans({"O": "0", "I": "1", "L": "1", "U": "V"})
_PATTERN = re.compile(r"^([A-Z]{2,5})[\s\-_/.]*([0-9OIL]{4})[\s\-_/.]*([0-9A-Z]{6})$")


def check_character(payload: str) -> str:
    """Luhn mod N (N = 32) over ``payload``, which must use ALPHABET."""
    factor, total, n = 2, 0, len(ALPHABET)
    for char in reversed(payload):
        addend = factor * _INDEX[char]
        factor = 1 if factor == 2 else 2
        total += addend // n + addend % n
    return ALPHABET[(n - total % n) % n]


def is_valid_body(body: str) -> bool:
    """``body`` = random part followed by its check character."""
    if len(body) != RANDOM_LENGTH + 1 or any(c not in _INDEX for c in body):
        return False
    return check_character(body[:-1]) == body[-1]


def new_reference(year: int, prefix: str = "ADU") -> str:
    payload = "".join(secrets.choice(ALPHABET) for _ in range(RANDOM_LENGTH))
    return f"{prefix}-{year:04d}-{payload}{check_character(payload)}"


def normalise_reference(text: str) -> str | None:
    """The canonical form of a reference a person typed, or None when it cannot be one.

    Tolerates case, spaces or other separators, and O/0, I/L/1 mix-ups in the random part.
    """
    cleaned = re.sub(r"\s+", " ", (text or "").strip().upper())
    match = _PATTERN.match(cleaned)
    if not match:
        return None
    prefix, year, body = match.groups()
    year = year.translate(_CONFUSABLE)
    body = body.translate(_CONFUSABLE)
    if not is_valid_body(body):
        return None
    return f"{prefix}-{year}-{body}"


_IN_TEXT = re.compile(r"\b([A-Za-z]{2,5})[\s\-_/.]?(\d{4})[\s\-_/.]?([0-9A-Za-z]{6})\b")


def find_references(text: str, prefix: str = "ADU") -> list[str]:
    """Every valid reference with ``prefix`` mentioned in free text (subjects, chat messages)."""
    found: list[str] = []
    for match in _IN_TEXT.finditer(text or ""):
        if match.group(1).upper() != prefix:
            continue
        canonical = normalise_reference("-".join(match.groups()))
        if canonical and canonical not in found:
            found.append(canonical)
    return found
