"""The keys of the status-page answer hashes: apart from the session secret, and versioned.

``ANSWER_KEY`` is ``<version>:<secret>`` (a bare secret is version 1); ``ANSWER_KEYS_OLD``
lists earlier keys, comma-separated ``<version>:<secret>``, that still verify. Each stored
hash carries the version of the key it was made with (``ContactCheck.key_version``), and a
hash made with an old key is re-made with the current one the next time its answer is given
(``status_lookup.verify``), so old keys can be dropped once the rows have moved on.

Version 0 names the hashes made before keys were versioned: keyed on ``SECRET_KEY``. They
verify with ``0:<that secret>`` from ``ANSWER_KEYS_OLD`` when given, else with the current
``SECRET_KEY``. Without ``ANSWER_KEY`` (development only: production refuses to start), the
current key is version 1 derived from ``SECRET_KEY``.
"""

from __future__ import annotations

import hashlib
import hmac

from flask import current_app

LEGACY_VERSION = 0
DEFAULT_VERSION = 1


def current() -> tuple[int, bytes]:
    """``(version, key)`` that new hashes are made with."""
    configured = current_app.config.get("ANSWER_KEY")
    if configured:
        return parse(str(configured))
    derived = hmac.new(_secret_key(), b"aduan-answer-key", hashlib.sha256).digest()
    return DEFAULT_VERSION, derived


def key_for(version: int) -> bytes | None:
    """The key of ``version``, or None when it is no longer configured."""
    current_version, key = current()
    if version == current_version:
        return key
    old = dict(parse(item) for item in _old_items())
    if version in old:
        return old[version]
    return _secret_key() if version == LEGACY_VERSION else None


def digest(key: bytes, salt: str, answer: str) -> str:
    """HMAC-SHA256 of the normalised ``answer`` under ``key`` and ``salt`` (hex)."""
    message = f"aduan-status:{salt}:{answer.strip().lower()}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def parse(item: str) -> tuple[int, bytes]:
    """``<version>:<secret>`` as ``(version, key)``; a bare secret is version 1."""
    head, sep, tail = item.strip().partition(":")
    if sep and head.isdigit() and tail:
        return int(head), tail.encode()
    return DEFAULT_VERSION, item.strip().encode()


def _old_items() -> list[str]:
    raw = str(current_app.config.get("ANSWER_KEYS_OLD") or "")
    return [item for item in raw.split(",") if item.strip()]


def _secret_key() -> bytes:
    return str(current_app.config["SECRET_KEY"]).encode()
