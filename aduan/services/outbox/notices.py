"""Notices to the complainant about their ticket (status changes, interim reply, transfer,
referral, recovery apology, survey): queued through ``door`` in the ticket's language, from
the ticket's agency's account, sent once the caller commits.

Every notice is also a message on the ticket's timeline (direction ``out``, linked to its
OutboundMessage), so officers see exactly what went out and whether it arrived. An agency may
switch single notices off: its setting ``citizen_notices_off`` lists the purposes it does not
send (``waiting``, ``resumed``, ``closed``…, see ``status_notices.PURPOSES``).
"""

from __future__ import annotations

from aduan.extensions import db
from aduan.models import Message, OutboundMessage, Ticket
from aduan.services.outbox import door

OFF_SETTING = "citizen_notices_off"


def contact_for(ticket: Ticket) -> tuple[str, str] | None:
    """``(channel, handle)`` to reach the complainant, or None (anonymous or no handle)."""
    return door.contact(ticket)


def switched_off(ticket: Ticket, purpose: str) -> bool:
    """True when the ticket's agency has switched the notice ``purpose`` off."""
    off = (ticket.agency.settings or {}).get(OFF_SETTING) or ()
    if isinstance(off, str):
        off = [part.strip() for part in off.split(",")]
    return purpose in off


def queue_notice(
    ticket: Ticket, purpose: str, *, buttons: list | None = None, **texts: str
) -> OutboundMessage | None:
    """Queue the text in the ticket's language (``ms=``, ``en=``, ``zh=``, ``ta=``; usually
    ``**every_language(…)``) to the complainant from the agency's account (with chat
    ``buttons``, for channels that show them) and put it on the ticket's timeline; None if
    unreachable or the agency switched ``purpose`` off."""
    if switched_off(ticket, purpose):
        return None
    row = door.queue(
        ticket,
        purpose,
        texts,
        subject=f"[{ticket.reference}]",
        variables={"reference": ticket.reference, "language": ticket.language},
        buttons=buttons,
    )
    on_timeline(ticket, row)
    return row


def on_timeline(ticket: Ticket, row: OutboundMessage | None) -> None:
    """Put the queued ``row`` on the ticket's timeline as an outgoing message (linked, so
    the ticket page shows its delivery state); nothing for None."""
    if row is None:
        return
    message = Message(
        ticket_id=ticket.id,
        direction="out",
        channel=row.channel,
        subject=row.subject,
        body=row.body,
    )
    db.session.add(message)
    db.session.flush()
    row.message_id = message.id
