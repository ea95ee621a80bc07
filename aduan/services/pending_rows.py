"""The rows of a few kinds added to a session and not yet flushed, found without walking
every pending row: a drain's group holds hundreds until its commit (``group_writes``), and
the reference cache and the officers' loads ask about them on every complaint."""

from __future__ import annotations

from sqlalchemy import event, inspect
from sqlalchemy.orm import Session

_KEY = "aduan_pending_rows"
_kinds: list[type] = []


def track(*models: type) -> None:
    """Note rows of ``models`` as they are added (at import of the module that asks)."""
    _kinds.extend(m for m in models if m not in _kinds)


def pending(session: Session, models: tuple[type, ...]) -> list:
    """The rows of ``models`` (tracked) added to ``session`` and not yet flushed."""
    return [
        row
        for row in session.info.get(_KEY, ())
        if isinstance(row, models) and inspect(row).pending
    ]


@event.listens_for(Session, "transient_to_pending")
def _added(session: Session, instance) -> None:
    if isinstance(instance, tuple(_kinds)):
        session.info.setdefault(_KEY, []).append(instance)


@event.listens_for(Session, "after_flush_postexec")
def _flushed(session: Session, _context) -> None:
    rows = session.info.get(_KEY)
    if rows:
        rows[:] = [row for row in rows if inspect(row).pending]


@event.listens_for(Session, "after_transaction_end")
def _ended(session: Session, transaction) -> None:
    if transaction.parent is None:
        session.info.pop(_KEY, None)
