"""Notices to the complainant about their ticket (interim reply, transfer, recovery apology,
survey): queued through ``door`` in the ticket's language, sent once the caller commits."""

from __future__ import annotations

from aduan.models import OutboundMessage, Ticket
from aduan.services.outbox import door


def contact_for(ticket: Ticket) -> tuple[str, str] | None:
    """``(channel, handle)`` to reach the complainant, or None (anonymous or no handle)."""
    return door.contact(ticket)


def queue_notice(
    ticket: Ticket, purpose: str, *, buttons: list | None = None, **texts: str
) -> OutboundMessage | None:
    """Queue the text in the ticket's language (``ms=``, ``en=``, ``zh=``, ``ta=``; usually
    ``**every_language(…)``) to the complainant from the agency's account (with chat
    ``buttons``, for channels that show them); None if unreachable."""
    return door.queue(
        ticket,
        purpose,
        texts,
        subject=f"[{ticket.reference}]",
        variables={"reference": ticket.reference, "language": ticket.language},
        buttons=buttons,
    )
