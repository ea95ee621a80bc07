"""When Aduan received a message: our clock, not the sender's.

A ticket's received time sets its reference year and every deadline, so it must not be what
a sender wrote: an e-mail's ``Date:`` (a machine with a wrong clock, or a spammer) once made a
2001 ticket escalated at once and a 2035 one that never breached. The time is the stored
``InboundEvent``'s ``received_at``; a provider's own timestamp (Telegram, Meta: the manifest's
``trusted_clock``) is kept only when it is close to ours. What the message claimed stays on
the timeline (``sender_clock``) when it differs.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

from aduan.models import InboundEvent, Message, Ticket
from aduan.models.base import utcnow
from aduan.services import group_writes
from aduan.services.tickets import workflow
from channels.base import InboundMessage
from channels.registry import manifest

# A trusted provider's time this close to our receipt is the better one (it is when the
# citizen pressed send); further apart, one of the clocks is wrong and ours is what we know.
TOLERANCE = dt.timedelta(minutes=5)
CLAIMED_KEY = "claimed_received_at"


def stamped(event: InboundEvent | None, message: InboundMessage) -> InboundMessage:
    """``message`` with ``received_at`` of our receipt (see the module docstring); the time it
    claimed is kept in ``extra["claimed_received_at"]`` when it was not taken."""
    ours = (event.received_at if event is not None else None) or utcnow()
    claimed = message.received_at
    if claimed is not None and _trusted(message.channel) and abs(claimed - ours) <= TOLERANCE:
        return message
    extra = dict(message.extra)
    if claimed is not None:
        extra.setdefault(CLAIMED_KEY, claimed.isoformat())
    return dataclasses.replace(message, received_at=ours, extra=extra)


def note_claimed_time(ticket: Ticket, stored: Message, message: InboundMessage) -> None:
    """A ``sender_clock`` event on the timeline when the message claimed another time than
    ours by more than ``TOLERANCE`` (kept as information, never used for the clocks)."""
    claimed = message.extra.get(CLAIMED_KEY)
    if not claimed:
        return
    try:
        when = dt.datetime.fromisoformat(claimed)
    except (TypeError, ValueError):
        return
    if abs(when - message.received_at) <= TOLERANCE:
        return
    data = {
        "message_id": group_writes.id_of(stored),
        "claimed": claimed,
        "received": message.received_at.isoformat(),
    }
    workflow.record_event(ticket, "sender_clock", data=data)


def _trusted(channel: str) -> bool:
    try:
        return manifest(channel).trusted_clock
    except LookupError:
        return False
