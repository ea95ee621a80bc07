"""An officer's own notifications: the list, the unread count, marking read.

Every query is limited to the officer's own rows (served by the officer+read_at index);
another officer's notification is simply not found.
"""

from __future__ import annotations

from sqlalchemy import func

from aduan.errors import NotFound
from aduan.extensions import db
from aduan.models import Officer
from aduan.models.base import utcnow
from aduan.models.routing import Notification

PAGE_SIZE = 50


def recent(officer: Officer, limit: int = PAGE_SIZE) -> list[Notification]:
    """The officer's notifications, newest first."""
    query = db.select(Notification).where(Notification.officer_id == officer.id)
    return list(db.session.scalars(query.order_by(Notification.id.desc()).limit(limit)))


def unread_count(officer: Officer) -> int:
    query = db.select(func.count(Notification.id)).where(
        Notification.officer_id == officer.id, Notification.read_at.is_(None)
    )
    return db.session.scalar(query) or 0


def mark_read(officer: Officer, notification_id: int) -> Notification:
    """Mark one of the officer's own notifications read (idempotent); the caller commits."""
    note = db.session.get(Notification, notification_id)
    if note is None or note.officer_id != officer.id:
        raise NotFound("no such notification")
    if note.read_at is None:
        note.read_at = utcnow()
    return note


def mark_all_read(officer: Officer) -> int:
    """Mark every unread notification of the officer read; how many; the caller commits."""
    result = db.session.execute(
        db.update(Notification)
        .where(Notification.officer_id == officer.id, Notification.read_at.is_(None))
        .values(read_at=utcnow())
    )
    return result.rowcount or 0
