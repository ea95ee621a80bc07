"""Notices to officers: an in-app row and an e-mail in the officer's own language (through
``door``, sent once the caller commits), as the officer chose (``inbox.preferences``); repeats
about one ticket fold into one unread notice."""

from __future__ import annotations

import logging

from sqlalchemy.exc import IntegrityError

from aduan.extensions import db
from aduan.models import Officer, Ticket
from aduan.models.base import utcnow
from aduan.models.routing import Notification
from aduan.services.inbox import preferences
from aduan.services.outbox import door

log = logging.getLogger(__name__)


def notify(
    officer: Officer,
    kind: str,
    *,
    title_ms: str,
    title_en: str,
    body_ms: str = "",
    body_en: str = "",
    ticket: Ticket | None = None,
    dedupe_key: str | None = None,
) -> Notification | None:
    """Notify ``officer`` in the app and, as they chose, by e-mail; None when ``dedupe_key``
    was already used.

    A notice about a ticket that already has an unread one of the same kind (a message held
    again, the next escalation level) is folded into it: the unread one takes the new words
    and time and counts the repeat, and no second e-mail goes out. The body is stored in the
    officer's locale. A savepoint keeps a duplicate from spoiling the caller's transaction (a
    concurrent sweep may have sent the same notice first).
    """
    english = (officer.locale or "ms").startswith("en")
    body = body_en if english else body_ms
    if dedupe_key and _key_used(dedupe_key):
        return None
    words = {"kind": kind, "title_ms": title_ms, "title_en": title_en, "body": body}
    folded = _fold_into(officer, ticket, words, dedupe_key)
    if folded is not None:
        return folded
    choice = preferences.of(officer)
    note = Notification(
        officer_id=officer.id,
        ticket_id=ticket.id if ticket else None,
        dedupe_key=dedupe_key,
        read_at=None if choice.in_app else utcnow(),  # kept for the digest, never unread
        **words,
    )
    try:
        with db.session.begin_nested():
            db.session.add(note)
            db.session.flush()
    except IntegrityError:
        log.info("notification skipped duplicate kind=%s officer=%s", kind, officer.id)
        return None
    to = door.officer_recipient(officer) if choice.email else None
    if to is not None:
        subject = title_en if english else title_ms
        door.queue(ticket, "officer_notice", body, to=to, subject=subject)
    return note


def _key_used(dedupe_key: str) -> bool:
    found = db.select(Notification.id).where(Notification.dedupe_key == dedupe_key)
    return db.session.scalar(found) is not None


def _fold_into(
    officer: Officer, ticket: Ticket | None, words: dict, dedupe_key: str | None
) -> Notification | None:
    """The officer's unread notice of the same kind about ``ticket``, updated; or None."""
    if ticket is None:
        return None
    unread_here = db.select(Notification).where(
        Notification.officer_id == officer.id,
        Notification.ticket_id == ticket.id,
        Notification.read_at.is_(None),
    )
    note = db.session.scalar(
        unread_here.where(Notification.kind == words["kind"]).order_by(Notification.id.desc())
    )
    if note is None:
        return None
    for name, value in words.items():
        setattr(note, name, value)
    note.repeats = (note.repeats or 1) + 1
    note.created_at = utcnow()
    if dedupe_key:
        note.dedupe_key = dedupe_key
    db.session.flush()
    return note


def unread(officer: Officer) -> list[Notification]:
    """The officer's unread notices, newest first (served by the officer+read_at index)."""
    return list(
        db.session.scalars(
            db.select(Notification)
            .where(Notification.officer_id == officer.id, Notification.read_at.is_(None))
            .order_by(Notification.id.desc())
        )
    )
