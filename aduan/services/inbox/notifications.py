"""An officer's own notifications: the list grouped per ticket, the unread count, marking
read (one, all, or every notice about a ticket the officer opens).

Every query is limited to the officer's own rows (served by the officer+read_at index);
another officer's notification is simply not found.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import func

from aduan.errors import NotFound
from aduan.extensions import db
from aduan.models import Officer, Ticket
from aduan.models.base import utcnow
from aduan.models.routing import Notification

PAGE_SIZE = 50
GROUPS_PER_PAGE = 30


@dataclass
class Group:
    """The notices about one ticket (or one notice about none), newest first."""

    ticket: Ticket | None
    notices: list[Notification] = field(default_factory=list)

    @property
    def unread(self) -> int:
        return sum(1 for n in self.notices if n.read_at is None)

    @property
    def latest(self) -> Notification:
        return self.notices[0]


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


def grouped(officer: Officer, before: int | None = None) -> tuple[list[Group], int | None]:
    """The officer's notices grouped per ticket, newest group first, GROUPS_PER_PAGE groups
    from the notices older than id ``before``; and the ``before`` of the next page (or None)."""
    query = db.select(Notification).where(Notification.officer_id == officer.id)
    if before:
        query = query.where(Notification.id < before)
    groups: dict[object, Group] = {}
    last_id = None
    for note in db.session.scalars(query.order_by(Notification.id.desc()).limit(PAGE_SIZE * 4)):
        key = note.ticket_id or f"n{note.id}"
        if key not in groups:
            if len(groups) == GROUPS_PER_PAGE:
                return _with_tickets(list(groups.values())), last_id
            groups[key] = Group(None)
        groups[key].notices.append(note)
        last_id = note.id
    more = last_id is not None and _older_exists(officer, last_id)
    return _with_tickets(list(groups.values())), last_id if more else None


def _older_exists(officer: Officer, note_id: int) -> bool:
    query = db.select(Notification.id).where(
        Notification.officer_id == officer.id, Notification.id < note_id
    )
    return db.session.scalar(query.limit(1)) is not None


def _with_tickets(groups: list[Group]) -> list[Group]:
    ids = {g.notices[0].ticket_id for g in groups if g.notices[0].ticket_id}
    tickets = {t.id: t for t in db.session.scalars(db.select(Ticket).where(Ticket.id.in_(ids)))}
    for group in groups:
        group.ticket = tickets.get(group.notices[0].ticket_id)
    return groups


def mark_ticket_read(officer: Officer, ticket: Ticket) -> int:
    """The officer opened ``ticket``: their unread notices about it are read; the caller
    commits."""
    result = db.session.execute(
        db.update(Notification)
        .where(
            Notification.officer_id == officer.id,
            Notification.ticket_id == ticket.id,
            Notification.read_at.is_(None),
        )
        .values(read_at=utcnow())
    )
    return result.rowcount or 0
