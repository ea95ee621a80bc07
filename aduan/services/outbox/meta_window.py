"""Messenger's and Instagram's messaging window, for everything we send on them.

Meta lets a Page answer freely (``messaging_type: RESPONSE``) only within 24 hours of the
person's last message; an officer's own reply (purpose ``reply``) may still go out up to 7 days
after it with the ``HUMAN_AGENT`` tag; anything else after 24 hours — a notice, the survey, an
acknowledgement sent late — and everything after 7 days would be refused. Such a row goes to
another channel the complainant gave (e-mail, else SMS: ``door.recipient``), from the agency's
account there, and is queued again; with no other channel it fails with its reason (the ticket's
timeline and the assignee are told, as for any failed delivery).

The window is checked when a row is *sent* (``delivery.deliver``), as WhatsApp's is, from the
complainant's identity on that channel (``ContactIdentity.last_inbound_at``).
"""

from __future__ import annotations

import datetime as dt
import logging

from aduan.extensions import db
from aduan.models import ContactIdentity, Message, OutboundMessage, Ticket
from aduan.models.base import utcnow
from aduan.services.outbox import door
from aduan.services.outbox.enqueueing import enqueue_after_commit
from aduan.services.outbox.texts import identity_types
from aduan.services.tickets import workflow

log = logging.getLogger(__name__)

CHANNELS = ("messenger", "instagram")
STANDARD = dt.timedelta(hours=24)
HUMAN_AGENT = dt.timedelta(days=7)
HUMAN_AGENT_TAG = "HUMAN_AGENT"
HUMAN_PURPOSES = frozenset({"reply"})  # written by an officer, not by the system
FALLBACK_CHANNELS = ("email", "sms")
NO_CHANNEL = "outside the Messenger/Instagram window and no other channel to reach them"


def message_tag(row: OutboundMessage, now: dt.datetime | None = None) -> str | None:
    """``HUMAN_AGENT`` for an officer's reply sent 24 hours to 7 days after the person's last
    message; None for a free reply (within 24 hours, or another channel)."""
    if row.channel not in CHANNELS:
        return None
    since = _since_last_message(row, now)
    if since is None or since <= STANDARD:
        return None
    return HUMAN_AGENT_TAG if row.purpose in HUMAN_PURPOSES and since <= HUMAN_AGENT else None


def outside(row: OutboundMessage, now: dt.datetime | None = None) -> bool:
    """True when Meta would refuse ``row`` now: past 24 hours and not a tagged human reply."""
    if row.channel not in CHANNELS:
        return False
    since = _since_last_message(row, now)
    if since is None or since <= STANDARD:
        return False
    return not (row.purpose in HUMAN_PURPOSES and since <= HUMAN_AGENT)


def move_elsewhere(row: OutboundMessage) -> bool:
    """Re-address ``row`` to the complainant's e-mail or phone and queue it again (sent after
    the caller's commit); False when they gave no other channel."""
    ticket = db.session.get(Ticket, row.ticket_id) if row.ticket_id else None
    if ticket is None:
        return False
    for channel in FALLBACK_CHANNELS:
        to = door.recipient(ticket, channel)
        if to is None:
            continue
        before = row.channel
        row.channel, row.to_handle, row.account_key = to.channel, to.handle[:254], to.account_key
        row.subject = row.subject or f"[{ticket.reference}]"
        message = db.session.get(Message, row.message_id) if row.message_id else None
        if message is not None:  # the timeline says where it really went
            message.channel = to.channel
        workflow.record_event(
            ticket,
            "sent_elsewhere",
            data={"outbound_id": row.id, "from": before, "to": to.channel},
        )
        enqueue_after_commit(row.id)
        log.info("outbound moved outbound_id=%s from=%s to=%s", row.id, before, to.channel)
        return True
    return False


def _since_last_message(row: OutboundMessage, now: dt.datetime | None) -> dt.timedelta | None:
    """How long ago the person last wrote to us on ``row``'s channel; None when unknown (a
    row with no ticket answers a message just received)."""
    ticket = db.session.get(Ticket, row.ticket_id) if row.ticket_id else None
    if ticket is None:
        return None
    last = db.session.scalar(
        db.select(db.func.max(ContactIdentity.last_inbound_at)).where(
            ContactIdentity.agency_id == ticket.agency_id,
            ContactIdentity.channel_type.in_(identity_types(row.channel)),
            ContactIdentity.handle == row.to_handle,
        )
    )
    return None if last is None else (now or utcnow()) - last
