"""The daily digest e-mail of an officer's notices, for officers who chose it: each morning,
one e-mail listing the notices of the day before (local time, with a link to each ticket),
through the one outbound door. Keyed per officer and local day, so a second run sends nothing.
"""

from __future__ import annotations

import datetime as dt
import logging

from flask import current_app

from aduan.extensions import db
from aduan.models import Officer, Ticket
from aduan.models.base import utcnow
from aduan.models.routing import Notification, NotificationPreference
from aduan.services.outbox import door
from aduan.services.outbox.texts import format_local
from aduan.services.sla.clock import local_moment, local_today

log = logging.getLogger(__name__)
MORNING = dt.time(7, 0)
MOST_LINES = 100


def send_digests(now: dt.datetime | None = None) -> int:
    """Queue today's digest to every officer who chose one and has not had it; how many."""
    now = now or utcnow()
    today = local_today(now)
    if now < local_moment(today, MORNING):
        return 0
    due = db.select(NotificationPreference).where(
        NotificationPreference.digest.is_(True),
        (NotificationPreference.digest_sent_on.is_(None))
        | (NotificationPreference.digest_sent_on < today),
    )
    sent = 0
    for choice in list(db.session.scalars(due)):
        officer = db.session.get(Officer, choice.officer_id)
        if officer is not None and officer.active:
            sent += _send_one(officer, today)
        choice.digest_sent_on = today
        db.session.commit()
    return sent


def _send_one(officer: Officer, today: dt.date) -> bool:
    """Queue one officer's digest of yesterday's notices; False when there were none."""
    since = local_moment(today - dt.timedelta(days=1), dt.time.min)
    until = local_moment(today, dt.time.min)
    notices = list(
        db.session.scalars(
            db.select(Notification)
            .where(
                Notification.officer_id == officer.id,
                Notification.created_at >= since,
                Notification.created_at < until,
            )
            .order_by(Notification.id)
            .limit(MOST_LINES)
        )
    )
    to = door.officer_recipient(officer)
    if not notices or to is None:
        return False
    english = (officer.locale or "ms").startswith("en")
    language = "en" if english else "ms"
    lines = [_line(n, language) for n in notices]
    head = "Your notices of the day before:" if english else "Notis anda bagi hari sebelumnya:"
    subject = (
        f"Aduan: {len(notices)} notices, {today:%d/%m/%Y}"
        if english
        else f"Aduan: {len(notices)} notis, {today:%d/%m/%Y}"
    )
    door.queue(None, "officer_notice", "\n".join([head, "", *lines]), to=to, subject=subject)
    log.info("notice digest queued officer=%s notices=%s", officer.id, len(notices))
    return True


def _line(note: Notification, language: str) -> str:
    title = note.title_en if language == "en" else note.title_ms
    line = f"- {format_local(note.created_at, language)} · {title}"
    ticket = db.session.get(Ticket, note.ticket_id) if note.ticket_id else None
    if ticket is not None:
        base = current_app.config["PUBLIC_BASE_URL"].rstrip("/")
        line += f"\n  {base}/inbox/tickets/{ticket.reference}"
    return line
