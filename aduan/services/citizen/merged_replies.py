"""Status-page replies about a ticket merged into another: each complainant keeps their own.

Merging joins two tickets for the agency's officers, not for their complainants. A reply
written on the merged ticket's status page lands on the surviving ticket (the officers handle
it there) and is attributed to its writer: the message's sender is the writer's handle, and
``merged_reply`` on the surviving ticket names the ticket and complainant it came from. The
``reply_forwarded`` event on the merged ticket lets the writer see the reply on their own
status page; the surviving ticket's status page leaves it out. A status-page verification
follows a reply only to a ticket that reply opened itself (``opened_by``), never to the
ticket of a merge.
"""

from __future__ import annotations

from aduan.extensions import db
from aduan.models import Message, Ticket, TicketEvent
from aduan.services import group_writes
from aduan.services.outbox.notices import contact_for
from aduan.services.tickets import workflow

MERGED_REPLY = "merged_reply"
REPLY_FORWARDED = "reply_forwarded"


def record(origin: Ticket, landed: Ticket, stored: Message) -> None:
    """``stored``, written on ``origin``'s status page, landed on ``landed``: say whose it is."""
    contact = contact_for(origin)
    if contact is not None:
        stored.sender = contact[1][:254]
    workflow.record_event(
        landed,
        MERGED_REPLY,
        actor_kind="complainant",
        data={
            "message_id": group_writes.id_of(stored),
            "from_ticket_id": origin.id,
            "from_reference": origin.reference,
            "complainant_id": origin.complainant_id,
        },
    )
    workflow.record_event(
        origin,
        REPLY_FORWARDED,
        actor_kind="complainant",
        data={"message_id": group_writes.id_of(stored), "to_ticket_id": landed.id},
    )


def foreign_message_ids(ticket: Ticket) -> set[int]:
    """Messages on ``ticket`` written by the complainant of a ticket merged into it."""
    return _message_ids(ticket, MERGED_REPLY)


def forwarded_message_ids(ticket: Ticket) -> set[int]:
    """Messages written on ``ticket``'s status page that landed on the ticket it is merged into."""
    return _message_ids(ticket, REPLY_FORWARDED)


def opened_by(ticket: Ticket, provider_id: str) -> bool:
    """Whether ``ticket`` was opened by the status-page reply ``provider_id`` (its first
    message): only then does the reply's writer own it."""
    first = db.session.scalar(
        db.select(Message.provider_id)
        .where(Message.ticket_id == ticket.id, Message.direction == "in")
        .order_by(Message.id)
        .limit(1)
    )
    return first == provider_id


def same_complainant(one: Ticket, other: Ticket) -> bool:
    """Both tickets are known to be one complainant's (never true of anonymous tickets)."""
    return one.complainant_id is not None and one.complainant_id == other.complainant_id


def _message_ids(ticket: Ticket, kind: str) -> set[int]:
    data = db.session.scalars(
        db.select(TicketEvent.data).where(
            TicketEvent.ticket_id == ticket.id, TicketEvent.kind == kind
        )
    )
    return {d["message_id"] for d in data if d and isinstance(d.get("message_id"), int)}
