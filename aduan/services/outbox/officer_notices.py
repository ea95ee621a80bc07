"""Notices to officers: an in-app row and an e-mail in the officer's own language (through
``door``, sent once the caller commits)."""

from __future__ import annotations

import logging

from sqlalchemy.exc import IntegrityError

from aduan.extensions import db
from aduan.models import Officer, Ticket
from aduan.models.routing import Notification
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
    """Notify ``officer`` in-app and by e-mail; None when ``dedupe_key`` was already used.

    The body is stored in the officer's locale. A savepoint keeps a duplicate from spoiling the
    caller's transaction (a concurrent sweep may have sent the same notice first).
    """
    english = (officer.locale or "ms").startswith("en")
    body = body_en if english else body_ms
    note = Notification(
        officer_id=officer.id,
        kind=kind,
        ticket_id=ticket.id if ticket else None,
        title_ms=title_ms,
        title_en=title_en,
        body=body,
        dedupe_key=dedupe_key,
    )
    try:
        with db.session.begin_nested():
            db.session.add(note)
            db.session.flush()
    except IntegrityError:
        log.info("notification skipped duplicate kind=%s officer=%s", kind, officer.id)
        return None
    to = door.officer_recipient(officer)
    if to is not None:
        subject = title_en if english else title_ms
        door.queue(ticket, "officer_notice", body, to=to, subject=subject)
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
