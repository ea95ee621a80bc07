"""Messages to the complainant queued as OutboundMessage rows (sending is the outbound job's)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from flask import current_app

from aduan.extensions import db
from aduan.models import Complainant, OutboundMessage, Ticket

# Which identity type answers on which channel; web and counter tickets have no channel of
# their own, so they are answered by e-mail, else SMS.
_IDENTITY_FOR_CHANNEL = {
    "sms": "phone",
    "whatsapp": "phone",
    "whatsapp_cloud": "phone",
    "voice": "phone",
    "phone": "phone",
    "email": "email",
    "telegram": "telegram",
    "messenger": "messenger",
    "instagram": "instagram",
    "x": "x",
}


def contact_for(ticket: Ticket) -> tuple[str, str] | None:
    """``(channel, handle)`` to reach the complainant, or None (anonymous or no handle)."""
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
    wanted = _IDENTITY_FOR_CHANNEL.get(ticket.origin_channel)
    if wanted and wanted in handles:
        return ticket.origin_channel, handles[wanted]
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
