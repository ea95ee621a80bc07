"""Jobs of the officer's inbox: the daily digest of notices (safe to run twice: keyed per
officer and local day)."""

from __future__ import annotations

from aduan.services.inbox import digest


def notice_digest() -> int:
    """Queue the daily notice digests that are due."""
    return digest.send_digests()
