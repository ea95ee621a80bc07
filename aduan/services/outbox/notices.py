"""Notices to the complainant about their ticket (interim reply, transfer, recovery apology,
survey): queued through ``door`` in the ticket's language, sent once the caller commits."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from flask import current_app

from aduan.models import OutboundMessage, Ticket
from aduan.services.outbox import door


def contact_for(ticket: Ticket) -> tuple[str, str] | None:
    """``(channel, handle)`` to reach the complainant, or None (anonymous or no handle)."""
    return door.contact(ticket)


def local_date(instant: dt.datetime) -> str:
    """A deadline as the complainant reads it: dd/mm/yyyy in the agency's timezone."""
    return instant.astimezone(ZoneInfo(current_app.config["TIMEZONE"])).strftime("%d/%m/%Y")


def queue_notice(ticket: Ticket, purpose: str, *, ms: str, en: str) -> OutboundMessage | None:
    """Queue ``ms`` or ``en`` (the ticket's language) to the complainant from the agency's
    account; None if unreachable."""
    return door.queue(
        ticket,
        purpose,
        {"ms": ms, "en": en},
        subject=f"[{ticket.reference}]",
        variables={"reference": ticket.reference, "language": ticket.language},
    )
