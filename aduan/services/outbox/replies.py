"""What we say to complainants: the acknowledgement (akuan terima) and officers' replies.

Both go out on the ticket's own channel as an OutboundMessage sent by an RQ job. Rows are
committed before the job is enqueued, so a reply is never lost: when Redis refuses the enqueue
the row stays queued and the periodic resend picks it up.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import logging
from urllib.parse import urlsplit

from flask import current_app

from aduan.extensions import db
from aduan.models import ContactIdentity, InboundEvent, Message, Officer, OutboundMessage, Ticket
from aduan.models.base import utcnow
from aduan.services.outbox import whatsapp_window
from aduan.services.outbox.delivery import enqueue_delivery
from aduan.services.outbox.texts import (  # noqa: F401  (callers read them here)
    format_local,
    identity_type,
    phone_channels,
    reply_channel,
    reply_channels,
    status_link,
)
from aduan.services.outbox.whatsapp_window import acknowledgement_template
from aduan.services.tickets import workflow

log = logging.getLogger(__name__)

TEMPLATE_SETTING = whatsapp_window.ACK_SETTING
ACK_TEXT = {
    "ms": (
        "Aduan anda telah diterima. No. Rujukan: {reference}. "
        "Akuan terima dijangka selewat-lewatnya {acknowledge_by} dan penyelesaian dijangka "
        "selewat-lewatnya {resolve_by}. Semak status: {link}"
    ),
    "en": (
        "Your complaint has been received. Reference No.: {reference}. "
        "Expect our acknowledgement by {acknowledge_by} and a resolution by {resolve_by}. "
        "Check the status: {link}"
    ),
}
ACK_SUBJECT = {"ms": "Aduan anda telah diterima", "en": "Your complaint has been received"}


def acknowledgement_text(ticket: Ticket) -> str:
    """The acknowledgement in the ticket's language, with reference, dates and status link."""
    language = "en" if ticket.language == "en" else "ms"
    return ACK_TEXT[language].format(
        reference=ticket.reference,
        acknowledge_by=format_local(ticket.acknowledge_due_at, language),
        resolve_by=format_local(ticket.resolve_due_at, language),
        link=status_link(ticket),
    )


def queue_acknowledgement(
    ticket: Ticket, *, auto_submitted: bool = False, account_key: str | None = None
) -> OutboundMessage | None:
    """Queue the acknowledgement on the ticket's channel; flushes, the caller commits and then
    calls ``enqueue_delivery``. None when no acknowledgement may or can be sent."""
    if auto_submitted:
        return _skip(ticket, "auto-submitted or bulk mail")
    target = reply_target(ticket)
    if target is None:
        return _skip(ticket, "no channel to reply on")
    channel, handle = target
    row = _new_outbound(ticket, channel, handle, acknowledgement_text(ticket), "acknowledgement")
    row.account_key = account_key or _account_key(ticket, channel)
    if channel in whatsapp_window.window_channels() and not whatsapp_window_open(
        channel, handle, row.account_key
    ):
        template = acknowledgement_template(ticket, channel)
        if template is None:
            return _skip(ticket, "outside the 24-hour window and no template configured")
        row.template, row.template_variables = template
    _record_out_message(ticket, row, author=None)
    workflow.record_event(
        ticket, "acknowledgement_queued", data={"channel": channel, "template": row.template}
    )
    return row


def queue_reply(
    ticket: Ticket, officer: Officer, text: str, channel: str | None = None
) -> OutboundMessage:
    """An officer's reply: Message + OutboundMessage committed, then the send job enqueued."""
    target = reply_target(ticket, channel)
    if target is None:
        raise LookupError(f"ticket {ticket.reference} has no channel to reply on")
    channel, handle = target
    row = _new_outbound(ticket, channel, handle, text, "reply")
    row.account_key = _account_key(ticket, channel)
    _record_out_message(ticket, row, author=officer)
    now = utcnow()
    ticket.last_officer_action_at = now
    if ticket.first_responded_at is None:
        ticket.first_responded_at = now
    workflow.record_event(ticket, "reply_queued", actor=officer, data={"channel": channel})
    workflow.commit()
    enqueue_delivery(row.id)
    return row


def reply_target(ticket: Ticket, channel: str | None = None) -> tuple[str, str] | None:
    """(channel, handle) to reach the complainant on ``channel`` (default: the ticket's own);
    a channel that carries no replies of its own is answered by e-mail, else SMS."""
    wanted = channel or ticket.origin_channel
    if ticket.complainant_id is None:
        return None
    channel = reply_channel(wanted)
    if channel is None:
        return _reach(ticket, "email") or _reach(ticket, "sms")
    return _reach(ticket, channel)


def _reach(ticket: Ticket, channel: str) -> tuple[str, str] | None:
    """(channel, the complainant's latest handle of the channel's identity kind), or None."""
    kind = identity_type(channel)
    handle = db.session.scalar(
        db.select(ContactIdentity.handle)
        .where(
            ContactIdentity.complainant_id == ticket.complainant_id,
            ContactIdentity.channel_type == kind,
        )
        .order_by(ContactIdentity.last_inbound_at.desc().nulls_last(), ContactIdentity.id.desc())
        .limit(1)
    )
    return (channel, handle) if handle else None


def whatsapp_window_open(
    channel: str, handle: str, account_key: str = "default", now: dt.datetime | None = None
) -> bool:
    """True when the complainant wrote to that business number on ``channel`` within the last
    24 hours."""
    return whatsapp_window.window_open(channel, account_key, handle, now)


def _new_outbound(
    ticket: Ticket, channel: str, handle: str, text: str, purpose: str
) -> OutboundMessage:
    row = OutboundMessage(
        ticket_id=ticket.id,
        purpose=purpose,
        channel=channel,
        to_handle=handle,
        body=text,
        template_variables={},
        state="queued",
        attempts=0,
    )
    if channel == "email":
        _add_email_headers(ticket, row, purpose)
    return row


def _add_email_headers(ticket: Ticket, row: OutboundMessage, purpose: str) -> None:
    """Our own Message-ID, and In-Reply-To/References to the complainant's last message."""
    row.email_message_id = email.utils.make_msgid(domain=_mail_domain())
    ids = [
        i
        for i in db.session.scalars(
            db.select(Message.email_message_id)
            .where(Message.ticket_id == ticket.id, Message.email_message_id.is_not(None))
            .order_by(Message.id)
        )
    ]
    last_in = db.session.scalar(
        db.select(Message)
        .where(Message.ticket_id == ticket.id, Message.direction == "in")
        .order_by(Message.id.desc())
        .limit(1)
    )
    if last_in is not None and last_in.email_message_id:
        row.in_reply_to = last_in.email_message_id
    row.email_references = " ".join(dict.fromkeys(ids[-10:])) or None
    language = "en" if ticket.language == "en" else "ms"
    base = (last_in.subject if last_in is not None and last_in.subject else ticket.subject) or ""
    if purpose == "acknowledgement":
        base = ACK_SUBJECT[language]
    elif base and not base.lower().startswith("re:"):
        base = f"Re: {base}"
    subject = base if ticket.reference in base else f"[{ticket.reference}] {base}".strip()
    row.subject = subject[:300]


def _mail_domain() -> str:
    _, address = email.utils.parseaddr(str(current_app.config.get("MAIL_FROM") or ""))
    domain = address.rpartition("@")[2]
    return domain or urlsplit(current_app.config["PUBLIC_BASE_URL"]).hostname or "localhost"


def _record_out_message(ticket: Ticket, row: OutboundMessage, author: Officer | None) -> None:
    message = Message(
        ticket_id=ticket.id,
        direction="out",
        channel=row.channel,
        author_id=author.id if author else None,
        subject=row.subject,
        body=row.body,
        email_message_id=row.email_message_id,
    )
    db.session.add(message)
    db.session.flush()
    row.message_id = message.id
    db.session.add(row)
    db.session.flush()


def _account_key(ticket: Ticket, channel: str) -> str:
    """The account the complainant last wrote to on ``channel`` (replies come from it)."""
    key = db.session.scalar(
        db.select(InboundEvent.account_key)
        .join(Message, Message.inbound_event_id == InboundEvent.id)
        .where(Message.ticket_id == ticket.id, Message.channel == channel)
        .order_by(Message.id.desc())
        .limit(1)
    )
    return key or "default"


def _skip(ticket: Ticket, reason: str) -> None:
    workflow.record_event(ticket, "acknowledgement_skipped", data={"reason": reason})
    return None
