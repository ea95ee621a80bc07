"""Password hashing with argon2id, and the strength a new password must have.

Strength is zxcvbn's estimate (common passwords, dictionary words, names, dates, keyboard
patterns, l33t substitutions, and the person's own username and name): a score of at least
``MIN_SCORE`` (3: "safely unguessable", about 10^8 guesses) on top of the length rule.
"""

from __future__ import annotations

from collections.abc import Iterable

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from zxcvbn import zxcvbn

_hasher = PasswordHasher()
MIN_SCORE = 3
# zxcvbn's matching grows quickly with length; a password this long is judged by its start.
SCORED_LENGTH = 100
# Words anyone would try against this system, whoever the officer is.
SYSTEM_WORDS = ("aduan", "complaint", "pegawai", "officer", "admin", "kerajaan", "malaysia")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)


def is_strong(password: str, user_inputs: Iterable[str] = ()) -> bool:
    """True when zxcvbn scores ``password`` at least ``MIN_SCORE``, counting ``user_inputs``
    (username, name, e-mail, agency) as words an attacker would try first."""
    words = _words(user_inputs) + list(SYSTEM_WORDS)
    return zxcvbn(password[:SCORED_LENGTH], user_inputs=words)["score"] >= MIN_SCORE


def _words(user_inputs: Iterable[str]) -> list[str]:
    """Each input whole and split at spaces, dots, @, dashes and underscores."""
    words = []
    for value in user_inputs:
        text = str(value or "").lower()
        words.append(text)
        for sep in "@.-_":
            text = text.replace(sep, " ")
        words.extend(text.split())
    return [w for w in words if w]
