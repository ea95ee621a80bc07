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
from flask_babel import lazy_gettext as _l

from aduan.extensions import db
from aduan.languages import citizen_language, render
from aduan.models import Message, Officer, OutboundMessage, Ticket
from aduan.models.base import utcnow
from aduan.services import group_writes
from aduan.services.outbox import door, whatsapp_window
from aduan.services.outbox.texts import (  # noqa: F401  (callers read them here)
    format_local,
    identity_type,
    phone_channels,
    reply_channel,
    reply_channels,
    status_link,
)
from aduan.services.outbox.whatsapp_templates import ACK_SETTING, acknowledgement_template
from aduan.services.tickets import workflow

log = logging.getLogger(__name__)

TEMPLATE_SETTING = ACK_SETTING
ACK_TEXT = _l(
    "Your complaint has been received. Reference No.: %(reference)s.%(unit)s "
    "Expect our acknowledgement by %(acknowledge_by)s and a resolution by %(resolve_by)s. "
    "Check the status: %(link)s"
)
ACK_UNIT = _l("Handled by: %(unit)s.")
ACK_SUBJECT = _l("Your complaint has been received")


def acknowledgement_text(ticket: Ticket) -> str:
    """The acknowledgement in the ticket's language, with reference, the unit handling it,
    dates and status link."""
    language = citizen_language(ticket.language)
    unit = f" {render(ACK_UNIT, language, unit=ticket.unit.name)}" if ticket.unit else ""
    return render(
        ACK_TEXT,
        language,
        reference=ticket.reference,
        unit=unit,
        acknowledge_by=format_local(ticket.acknowledge_due_at, language),
        resolve_by=format_local(ticket.resolve_due_at, language),
        link=status_link(ticket),
    )


def queue_acknowledgement(
    ticket: Ticket, *, auto_submitted: bool = False, only_message: door.OnlyMessage | None = None
) -> OutboundMessage | None:
    """Queue the acknowledgement on the ticket's channel from the agency's account (through
    ``door``: sent once the caller commits). None when no acknowledgement may or can be sent.
    ``only_message``: the one message the ticket holds (intake)."""
    if auto_submitted:
        return _skip(ticket, "auto-submitted or bulk mail")
    to = door.recipient(ticket, only_message=only_message)
    if to is None:
        return _skip(ticket, "no channel to reply on")
    template = variables = None
    if to.channel in whatsapp_window.window_channels() and not whatsapp_window_open(*to):
        chosen = acknowledgement_template(ticket, to.channel)
        if chosen is None:
            return _skip(ticket, "outside the 24-hour window and no template configured")
        template, variables = chosen
    text = acknowledgement_text(ticket)

    def prepare(row: OutboundMessage) -> None:  # the message and the event in the row's flush
        _record_out_message(ticket, row, author=None)
        workflow.record_event(
            ticket, "acknowledgement_queued", data={"channel": to.channel, "template": template}
        )

    return door.queue(
        ticket, "acknowledgement", text, to=to, template=template, variables=variables,
        prepare=prepare,
    )  # fmt: skip


def queue_reply(
    ticket: Ticket, officer: Officer, text: str, channel: str | None = None
) -> OutboundMessage:
    """An officer's reply: Message + OutboundMessage committed, then the send job enqueued."""
    row = door.queue(
        ticket, "reply", text, channel=channel,
        prepare=lambda row: _record_out_message(ticket, row, author=officer),
    )  # fmt: skip
    if row is None:
        raise LookupError(f"ticket {ticket.reference} has no channel to reply on")
    now = utcnow()
    ticket.last_officer_action_at = now
    if ticket.first_responded_at is None:
        ticket.first_responded_at = now
    workflow.record_event(ticket, "reply_queued", actor=officer, data={"channel": row.channel})
    workflow.commit()  # the send job is enqueued once this commits
    log.info("reply queued outbound_id=%s channel=%s", row.id, row.channel)  # loads it again
    return row


def reply_target(ticket: Ticket, channel: str | None = None) -> tuple[str, str] | None:
    """(channel, handle) to reach the complainant on ``channel`` (default: the ticket's own)."""
    return door.contact(ticket, channel)


def whatsapp_window_open(
    channel: str, handle: str, account_key: str = "default", now: dt.datetime | None = None
) -> bool:
    """True when the complainant wrote to that business number on ``channel`` within the last
    24 hours."""
    return whatsapp_window.window_open(channel, account_key, handle, now)


def _add_email_headers(ticket: Ticket, row: OutboundMessage, purpose: str) -> None:
    """Our own Message-ID, and In-Reply-To/References to the complainant's last message."""
    row.email_message_id = email.utils.make_msgid(domain=_mail_domain())
    group_writes.settle(ticket)  # its id is compared below
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
    language = citizen_language(ticket.language)
    base = (last_in.subject if last_in is not None and last_in.subject else ticket.subject) or ""
    if purpose == "acknowledgement":
        base = render(ACK_SUBJECT, language)
    elif base and not base.lower().startswith("re:"):
        base = f"Re: {base}"
    subject = base if ticket.reference in base else f"[{ticket.reference}] {base}".strip()
    row.subject = " ".join(subject.split())[:300]  # one line, whatever was stored before


def _mail_domain() -> str:
    _, address = email.utils.parseaddr(str(current_app.config.get("MAIL_FROM") or ""))
    domain = address.rpartition("@")[2]
    return domain or urlsplit(current_app.config["PUBLIC_BASE_URL"]).hostname or "localhost"


def _record_out_message(ticket: Ticket, row: OutboundMessage, author: Officer | None) -> None:
    """The message on the ticket's timeline (e-mail: with our Message-ID and threading),
    linked to ``row`` before its insert (``door.queue``'s ``prepare``): both go in one flush."""
    if row.channel == "email":
        _add_email_headers(ticket, row, row.purpose)
    message = Message(
        ticket=ticket,  # maybe inserted by the same flush (``group_writes``)
        direction="out",
        channel=row.channel,
        author_id=author.id if isinstance(author, Officer) else None,  # not an API token
        subject=row.subject,
        body=row.body,
        email_message_id=row.email_message_id,
    )
    row.message = message  # inserted first, then the row with its message_id


def _skip(ticket: Ticket, reason: str) -> None:
    workflow.record_event(ticket, "acknowledgement_skipped", data={"reason": reason})
    return None
