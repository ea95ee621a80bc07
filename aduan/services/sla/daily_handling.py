"""Daily handling (PKPA 1/2008): nothing sits untouched over a working day.

Each morning an officer is reminded of every open ticket of theirs that saw no officer action
on the previous working day (in the calendar of the ticket's unit), and gets one digest of
their open work. Both are keyed per ticket or officer and day, so a second run sends nothing.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from aduan.extensions import db
from aduan.models import Officer, Ticket, Unit
from aduan.models.base import utcnow
from aduan.services.outbox import officer_notices as notifications
from aduan.services.sla.clock import local_moment, local_today
from aduan.services.tickets import deadlines
from aduan.services.tickets.roster import OPEN


def previous_working_day(state_code: str, day: dt.date, agency_id: int | None = None) -> dt.date:
    """The last working day before ``day`` in the state's calendar (with its overrides, and
    agency ``agency_id``'s office closures when given)."""
    return deadlines.calendar(state_code, agency_id).previous_working_day(day)


def _assigned_open_tickets():
    return db.session.execute(
        db.select(Ticket, Unit.state_code)
        .join(Unit, Ticket.unit_id == Unit.id)
        .where(Ticket.assignee_id.is_not(None), Ticket.status.in_(OPEN))
        .order_by(Ticket.id)
    )


def _midnight(day: dt.date) -> dt.datetime:
    return local_moment(day, dt.time(0))


def send_handling_reminders(now: dt.datetime | None = None) -> int:
    """Remind assignees of open tickets untouched on the previous working day; returns count."""
    now = now or utcnow()
    today = local_today(now)
    sent = 0
    for ticket, state in _assigned_open_tickets():
        if not deadlines.calendar(state, ticket.agency_id).is_working_day(today):
            continue
        prev_start = _midnight(previous_working_day(state, today, ticket.agency_id))
        if ticket.received_at >= _midnight(today):
            continue
        last = ticket.last_officer_action_at
        if last is not None and last >= prev_start:
            continue
        note = notifications.notify(
            ticket.assignee,
            "daily_handling",
            ticket=ticket,
            title_ms=f"Tiada tindakan semalam: {ticket.reference}",
            title_en=f"No action on the last working day: {ticket.reference}",
            body_ms="Aduan ini tidak diambil tindakan pada hari bekerja lepas.",
            body_en="This ticket saw no officer action on the previous working day.",
            dedupe_key=f"handling:{ticket.id}:{today.isoformat()}",
        )
        sent += note is not None
    db.session.commit()
    return sent


def send_morning_digest(now: dt.datetime | None = None) -> int:
    """One digest per officer with open work: open, overdue and due today; returns count."""
    now = now or utcnow()
    today = local_today(now)
    work: dict[int, list[Ticket]] = defaultdict(list)
    for ticket, _state in _assigned_open_tickets():
        work[ticket.assignee_id].append(ticket)
    sent = 0
    for officer_id, tickets in work.items():
        officer = db.session.get(Officer, officer_id)
        overdue = sum(1 for t in tickets if t.resolve_due_at and t.resolve_due_at < now)
        due_today = sum(
            1 for t in tickets if t.resolve_due_at and local_today(t.resolve_due_at) == today
        )
        note = notifications.notify(
            officer,
            "morning_digest",
            title_ms=f"Ringkasan pagi {today:%d/%m/%Y}",
            title_en=f"Morning digest {today:%d/%m/%Y}",
            body_ms=f"Terbuka: {len(tickets)}. Lewat: {overdue}. Tamat hari ini: {due_today}.",
            body_en=f"Open: {len(tickets)}. Overdue: {overdue}. Due today: {due_today}.",
            dedupe_key=f"digest:{officer_id}:{today.isoformat()}",
        )
        sent += note is not None
    db.session.commit()
    return sent
