"""Mail no person wrote (``channels.mail_guard``): auto-replies, bounces, list and bulk mail,
our own mail come back. It never opens, re-opens or resumes a ticket, never makes a
complainant and is never acknowledged (RFC 3834): it is noted on the ticket it refers to —
by the threading headers, the Message-IDs a bounce quotes, or a reference number in the
subject when the sender is that ticket's complainant — or, referring to none, quarantined
with the reason for an admin to look at.

A bounce that names a message we sent also fails that message (as an RFC 3464 report would):
the officer sees it on the ticket and in their notifications.
"""

from __future__ import annotations

import dataclasses
import logging

from aduan.extensions import db
from aduan.models import Agency, Complainant, ContactIdentity, InboundEvent, OutboundMessage, Ticket
from aduan.services.intake import placement
from aduan.services.intake.identities import normalise_handle
from aduan.services.outbox.delivery import apply_status
from aduan.services.tickets import workflow
from channels.base import DeliveryStatus, InboundMessage, ParseError

log = logging.getLogger(__name__)

EXCERPT = 1000  # characters of the mail's text kept on the timeline


def handle(event: InboundEvent | None, message: InboundMessage, agency: Agency) -> bool:
    """True when ``message`` is automatic mail, noted on its ticket (flushes; the caller
    commits); False for a person's message. Raises ParseError (quarantine) when it refers
    to no ticket of ``agency``."""
    flag = message.extra.get("automatic")
    if not flag:
        return False
    kind, reason = flag.get("kind", "auto_reply"), flag.get("reason", "")
    ticket = referred_ticket(message, agency)
    if ticket is None:
        raise ParseError(f"automatic mail ({kind}: {reason}) that refers to no ticket")
    data = {
        "kind": kind,
        "reason": reason,
        "sender": message.sender_handle[:254],
        "subject": (message.hints.subject or "")[:300],
        "excerpt": (message.text or "")[:EXCERPT],
        "provider_id": message.provider_id[:255],
    }
    workflow.record_event(ticket, "automatic_mail", actor_kind="system", data=data)
    if kind == "bounce":
        _fail_bounced(message, ticket, reason)
    log.info("automatic mail noted kind=%s ticket_id=%s", kind, ticket.id)
    return True


def referred_ticket(message: InboundMessage, agency: Agency) -> Ticket | None:
    """The ticket of ``agency`` the automatic ``message`` is about, or None."""
    ticket = placement.by_email_headers(_with_quoted_ids(message), agency)
    if ticket is None:
        complainant = _known_complainant(message, agency)
        if complainant is not None:  # a reference in the subject: from its complainant only
            ticket = placement.by_reference(message, complainant, agency)
    return placement.follow_merges(ticket)


def _with_quoted_ids(message: InboundMessage) -> InboundMessage:
    """Its own Message-ID (our mail come back) and the ids a bounce quotes, as references."""
    extra_ids = [*message.extra.get("quoted_ids", ()), message.hints.message_id]
    references = tuple(i for i in (*message.hints.references, *extra_ids) if i)
    return dataclasses.replace(
        message, hints=dataclasses.replace(message.hints, references=references)
    )


def _known_complainant(message: InboundMessage, agency: Agency) -> Complainant | None:
    """The existing complainant behind the sender's address (none is ever created here)."""
    handle = normalise_handle("email", message.sender_handle)
    return db.session.scalar(
        db.select(Complainant)
        .join(ContactIdentity, ContactIdentity.complainant_id == Complainant.id)
        .where(
            ContactIdentity.agency_id == agency.id,
            ContactIdentity.channel_type == "email",
            ContactIdentity.handle == handle,
        )
    )


def _fail_bounced(message: InboundMessage, ticket: Ticket, reason: str) -> None:
    """Fail the message of ``ticket`` the bounce quotes, as a delivery report would."""
    for quoted in message.extra.get("quoted_ids", ()):
        sent = db.session.scalar(
            db.select(OutboundMessage.provider_id).where(
                OutboundMessage.ticket_id == ticket.id,
                OutboundMessage.channel == "email",
                OutboundMessage.provider_id == quoted,
            )
        )
        if sent is not None:
            error = f"bounced: {reason}; {(message.text or '').strip()[:300]}"
            apply_status("email", DeliveryStatus(provider_id=sent, status="failed", error=error))
            return
