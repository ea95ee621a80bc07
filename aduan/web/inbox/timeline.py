"""What the ticket page shows: the timeline across channels, the complainant's other tickets,
the channels a reply can go out on and the agency's canned responses."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import selectinload

from aduan.extensions import db
from aduan.models import Message, Officer, OutboundMessage, Ticket, TicketEvent
from aduan.models.access import CannedResponse
from aduan.services.outbox import replies
from aduan.services.tickets import access, merging
from channels.registry import channels_where

EVENT_LABELS = {
    "created": _l("Ticket opened"),
    "routed": _l("Routed"),
    "assigned": _l("Assigned"),
    "awaiting_duty_officer": _l("Waiting for a duty officer"),
    "status_changed": _l("Status changed"),
    "transferred": _l("Transferred"),
    "transferred_out": _l("Transferred to another agency"),
    "referred_out": _l("Referred to another agency"),
    "referred_in": _l("Received by referral from another agency"),
    "referred_outside": _l("Referred to an agency outside this system"),
    "classified": _l("Classification changed"),
    "extended": _l("Deadline extended"),
    "escalated": _l("Escalated"),
    "service_recovery": _l("Service recovery"),
    "message_received": _l("Message received"),
    "reply_queued": _l("Reply queued"),
    "acknowledgement_queued": _l("Acknowledgement queued"),
    "acknowledgement_skipped": _l("No acknowledgement sent"),
    "delivery_failed": _l("Delivery failed"),
    "attachment_refused": _l("Attachment refused"),
    "merged_into": _l("Merged into another ticket"),
    "merged_from": _l("A duplicate was merged into this ticket"),
    "unmerged": _l("Unmerged"),
    "unmerged_from": _l("A duplicate was unmerged"),
    "survey_answered": _l("Satisfaction survey answered"),
    "opened_from_rating": _l("Opened from a low service-point rating"),
    "held_outside_window": _l("Held: outside the WhatsApp 24-hour window"),
    "held_released": _l("Held message released: the complainant wrote again"),
    "held_expired": _l("Held message expired: it never reached WhatsApp, use another channel"),
    "third_party_message": _l("Message from someone other than the complainant"),
    "merged_reply": _l("Message from the complainant of a ticket merged into this one"),
    "reply_forwarded": _l("The complainant's message went to the ticket this one is merged into"),
    "follows_up": _l("Follows up a finished ticket"),
    "followed_up_by": _l("Followed up by a new ticket"),
    "transcription_added": _l("Voicemail transcribed"),
    "transcription_failed": _l("Voicemail transcription failed: listen to the recording"),
    "automatic_mail": _l("Automatic mail (auto-reply, bounce, list or our own): noted only"),
    "mail_truncated": _l("E-mail nested too deeply: some parts were not read"),
    "sent_elsewhere": _l("Sent on another channel: past Messenger's or Instagram's window"),
    "sender_clock": _l("The message claims another sending time (not used for deadlines)"),
}


@dataclass
class Item:
    """One line of the timeline: a message (``kind`` in/out/note) or an event."""

    kind: str
    at: Any
    message: Message | None = None
    outbound: OutboundMessage | None = None
    event: TicketEvent | None = None
    from_reference: str | None = None
    author: Officer | None = None

    @property
    def label(self) -> str:
        if self.event is None:
            return ""
        return str(EVENT_LABELS.get(self.event.kind, self.event.kind.replace("_", " ")))


def timeline(
    ticket: Ticket, agency_id: int | None = None, until: Cutoff | None = None
) -> list[Item]:
    """Messages of the ticket and of the tickets merged into it, and its events, in order.

    ``agency_id``, the reader's agency: a referred ticket's internal notes and officers of
    another agency are not shown (``tickets.referral``). ``until``: only what happened up to a
    referral (the referring agency's read-only record)."""
    ids = [ticket.id, *merging.merged_ids(ticket)]
    references = dict(
        db.session.execute(db.select(Ticket.id, Ticket.reference).where(Ticket.id.in_(ids))).all()
    )
    messages = list(
        db.session.scalars(
            db.select(Message)
            .where(Message.ticket_id.in_(ids))
            .options(selectinload(Message.attachments))
        )
    )
    outbound = {
        row.message_id: row
        for row in db.session.scalars(
            db.select(OutboundMessage).where(
                OutboundMessage.message_id.in_([m.id for m in messages] or [0])
            )
        )
    }
    authors = _officers({m.author_id for m in messages} | {e.actor_id for e in ticket.events})
    if agency_id is not None:
        authors = {i: o for i, o in authors.items() if o.agency_id == agency_id}
        messages = [m for m in messages if m.direction != "note" or m.author_id in authors]
    events = list(ticket.events)
    if until is not None:
        messages = [m for m in messages if m.created_at <= until.at]
        events = [e for e in events if e.id <= until.event_id]
    items = [
        Item(
            kind=m.direction,
            at=m.created_at,
            message=m,
            outbound=outbound.get(m.id),
            from_reference=references.get(m.ticket_id) if m.ticket_id != ticket.id else None,
            author=authors.get(m.author_id),
        )
        for m in messages
    ]
    items += [
        Item(kind="event", at=e.created_at, event=e, author=authors.get(e.actor_id)) for e in events
    ]
    return sorted(items, key=lambda item: (item.at, item.kind != "in"))


@dataclass(frozen=True)
class Cutoff:
    """Where a read-only timeline stops: a moment for messages, an event id for events."""

    at: Any
    event_id: int


def _officers(ids: set[int | None]) -> dict[int, Officer]:
    wanted = [i for i in ids if i]
    if not wanted:
        return {}
    return {o.id: o for o in db.session.scalars(db.select(Officer).where(Officer.id.in_(wanted)))}


def other_tickets(officer: Officer, ticket: Ticket, limit: int = 20) -> list[Ticket]:
    """The complainant's other tickets that ``officer`` may see, newest first."""
    if ticket.complainant_id is None:
        return []
    return list(
        db.session.scalars(
            access.visible_tickets(officer)
            .where(Ticket.complainant_id == ticket.complainant_id, Ticket.id != ticket.id)
            .order_by(Ticket.received_at.desc())
            .limit(limit)
        )
    )


def complainant_name(ticket: Ticket) -> str | None:
    """The name the ticket page shows: the one given with this complaint; else the record's
    name, but only for a channel whose provider vouches for the handle — contact details typed
    into a form (web, counter, phone) may be anyone's, so they never reveal a stored name."""
    if ticket.filer_name:
        return ticket.filer_name
    if ticket.complainant is None or ticket.origin_channel in channels_where(contact_details=True):
        return None
    return ticket.complainant.name


def reply_channels(ticket: Ticket) -> list[tuple[str, str]]:
    """(channel, handle) for every channel the complainant can be reached on; own first."""
    found: dict[str, str] = {}
    own = replies.reply_target(ticket)
    if own:
        found[own[0]] = own[1]
    for channel in replies.reply_channels():
        if channel not in found:
            target = replies.reply_target(ticket, channel)
            if target and target[0] == channel:
                found[channel] = target[1]
    return list(found.items())


def canned_responses(agency_id: int) -> list[CannedResponse]:
    """The agency's active canned responses, Bahasa Malaysia first."""
    return list(
        db.session.scalars(
            db.select(CannedResponse)
            .where(CannedResponse.agency_id == agency_id, CannedResponse.active.is_(True))
            .order_by(CannedResponse.language.desc(), CannedResponse.title)
        )
    )
