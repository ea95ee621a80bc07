"""Messages to the complainant queued as OutboundMessage rows (sending is the outbound job's)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from flask import current_app

from aduan.extensions import db
from aduan.models import Complainant, OutboundMessage, Ticket
from aduan.services.outbox.texts import identity_type, reply_channel


def contact_for(ticket: Ticket) -> tuple[str, str] | None:
    """``(channel, handle)`` to reach the complainant, or None (anonymous or no handle).

    The ticket's channel answers when its manifest says officers can reply on it (voice: on
    SMS); web, counter and telephone tickets, which have none, are answered by e-mail, else
    SMS."""
    complainant = ticket.complainant or (
        db.session.get(Complainant, ticket.complainant_id) if ticket.complainant_id else None
    )
    if complainant is None:
        return None
    handles = {i.channel_type: i.handle for i in complainant.identities}
    if complainant.email:
        handles.setdefault("email", complainant.email)
    if complainant.phone:
        handles.setdefault("phone", complainant.phone)
    channel = reply_channel(ticket.origin_channel)
    if channel and identity_type(channel) in handles:
        return channel, handles[identity_type(channel)]
    if "email" in handles:
        return "email", handles["email"]
    if "phone" in handles:
        return "sms", handles["phone"]
    return None


def local_date(instant: dt.datetime) -> str:
    """A deadline as the complainant reads it: dd/mm/yyyy in the agency's timezone."""
    return instant.astimezone(ZoneInfo(current_app.config["TIMEZONE"])).strftime("%d/%m/%Y")


def queue_notice(ticket: Ticket, purpose: str, *, ms: str, en: str) -> OutboundMessage | None:
    """Queue ``ms`` or ``en`` (the ticket's language) to the complainant; None if unreachable."""
    contact = contact_for(ticket)
    if contact is None:
        return None
    channel, handle = contact
    english = ticket.language == "en"
    message = OutboundMessage(
        ticket_id=ticket.id,
        purpose=purpose,
        channel=channel,
        to_handle=handle,
        subject=f"[{ticket.reference}]",
        body=en if english else ms,
        template_variables={"reference": ticket.reference, "language": ticket.language},
    )
    db.session.add(message)
    return message
