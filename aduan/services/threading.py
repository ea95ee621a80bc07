"""Which ticket an inbound message belongs to, or None for a new ticket.

E-mail: In-Reply-To/References against the Message-IDs we stored (theirs and ours), then a
reference number in the subject or text. Chat: a reference number in the text, else the
complainant's latest open ticket on that channel active within the agency's thread window.
A reference number is honoured only when the sender is that ticket's complainant (another
helpdesk leaked tickets to strangers who quoted a number). ``BARU``/``NEW`` as the first word
always opens a new ticket.
"""

from __future__ import annotations

import datetime as dt
import re

from sqlalchemy import or_

from aduan.extensions import db
from aduan.models import Agency, Complainant, Message, OutboundMessage, Ticket
from aduan.models.base import utcnow
from aduan.services import references
from aduan.vocabulary import OPEN_STATUSES
from channels.base import InboundMessage

DEFAULT_WINDOW_DAYS = 7
_NEW_KEYWORD = re.compile(r"^\s*(baru|new)(?![\w-])", re.IGNORECASE)
MAX_MERGE_HOPS = 5


def wants_new_ticket(text: str) -> bool:
    """``BARU``/``NEW`` as the first word of the text."""
    return bool(_NEW_KEYWORD.match(text or ""))


def find_ticket(message: InboundMessage, complainant: Complainant, agency: Agency) -> Ticket | None:
    """The ticket ``message`` continues, or None when it starts a new one."""
    if wants_new_ticket(message.text) or message.extra.get("new_ticket"):
        return None
    if message.channel == "email":
        ticket = by_email_headers(message) or by_reference(message, complainant, agency)
    else:
        ticket = by_reference(message, complainant, agency) or latest_open(
            complainant, message.channel, window_days(agency)
        )
    return _follow_merges(ticket)


def by_email_headers(message: InboundMessage) -> Ticket | None:
    """In-Reply-To first, then References newest first, against stored Message-IDs."""
    hints = message.hints
    ids = [i for i in (hints.in_reply_to, *reversed(hints.references)) if i]
    for message_id in dict.fromkeys(ids):
        ticket_id = db.session.scalar(
            db.select(Message.ticket_id).where(Message.email_message_id == message_id).limit(1)
        ) or db.session.scalar(
            db.select(OutboundMessage.ticket_id)
            .where(OutboundMessage.email_message_id == message_id)
            .limit(1)
        )
        if ticket_id:
            return db.session.get(Ticket, ticket_id)
    return None


def by_reference(
    message: InboundMessage, complainant: Complainant, agency: Agency
) -> Ticket | None:
    """A reference number in the subject or text, from that ticket's own complainant only."""
    prefix = (agency.settings or {}).get("reference_prefix", "ADU")
    text = f"{message.hints.subject or ''}\n{message.text or ''}"
    for reference in references.find_references(text, prefix):
        ticket = db.session.scalar(db.select(Ticket).where(Ticket.reference == reference))
        if ticket is not None and ticket.complainant_id == complainant.id:
            return ticket
    return None


def latest_open(complainant: Complainant, channel: str, days: int) -> Ticket | None:
    """The complainant's newest open ticket from ``channel`` with activity in the last ``days``."""
    cutoff = utcnow() - dt.timedelta(days=days)
    recent_message = (
        db.select(Message.id)
        .where(Message.ticket_id == Ticket.id, Message.created_at >= cutoff)
        .exists()
    )
    return db.session.scalar(
        db.select(Ticket)
        .where(
            Ticket.complainant_id == complainant.id,
            Ticket.origin_channel == channel,
            Ticket.status.in_([s.value for s in OPEN_STATUSES]),
            Ticket.merged_into_id.is_(None),
            or_(Ticket.updated_at >= cutoff, recent_message),
        )
        .order_by(Ticket.id.desc())
        .limit(1)
    )


def window_days(agency: Agency) -> int:
    """The agency's ``thread_window_days`` setting (default 7)."""
    try:
        return int((agency.settings or {}).get("thread_window_days", DEFAULT_WINDOW_DAYS))
    except (TypeError, ValueError):
        return DEFAULT_WINDOW_DAYS


def _follow_merges(ticket: Ticket | None) -> Ticket | None:
    for _ in range(MAX_MERGE_HOPS):
        if ticket is None or ticket.merged_into_id is None:
            return ticket
        ticket = db.session.get(Ticket, ticket.merged_into_id)
    return ticket
