"""What tells an open inbox that its list or its queue counts changed: one short tag over the
first page's rows (id, version, deadline badge) and the counts, compared on each poll."""

from __future__ import annotations

import hashlib

from aduan.services.inbox.queries import Page


def etag(page: Page, counts: dict[str, int]) -> str:
    """A tag that changes whenever a row of ``page`` or a queue count changes."""
    parts = [
        f"{t.id}:{t.version}:{page.badges.get(t.id, {}).get('level', '')}" for t in page.tickets
    ]
    parts += [f"{name}={count}" for name, count in sorted(counts.items())]
    parts.append(page.next_cursor or "")
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:32]


def _badge(page: Page, ticket_id: int) -> str:
    badge = page.badges.get(ticket_id) or {}
    return f"{badge.get('level', '')}:{badge.get('remaining', '')}"
