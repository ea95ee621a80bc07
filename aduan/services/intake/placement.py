"""Which ticket an inbound message belongs to, and what it does to that ticket.

E-mail: In-Reply-To/References against the Message-IDs we stored (theirs and ours), then a
reference number in the subject or text. Chat: a reference number in the text, else the
complainant's latest open ticket on that channel active within the agency's thread window.
A reference number is honoured only when the sender is that ticket's complainant (another
helpdesk leaked tickets to strangers who quoted a number). ``BARU``/``NEW`` as the first word
always opens a new ticket. A status-page reply names its ticket (``continuation``) and is then
treated as a chat or e-mail message to that ticket.

After the match (``place``), what the message does (``after_store``):

- From the complainant on an open ticket: recorded; a ticket waiting on them resumes.
- Header-threaded but from someone else (a person in copy, another address): recorded on the
  ticket as a third party's message; the status never changes and it is not the complainant
  speaking. Header threading follows our own Message-IDs, so it finds the ticket, not the
  person.
- On a finished ticket (Selesai, Luar Bidang Kuasa, Tiada Tindakan Lanjut) within the
  complainant's objection window (``survey.WINDOW``, 7 days after the resolution): recorded
  on the ticket; re-opened (Dibuka Semula) only when the complainant says so — the message
  starts with ``BANTAH``/``OBJECT`` (as the resolution notice tells them), or the status
  page's objection form — never on a thank-you or any other later message. Closed (Ditutup) or past
  that window: a new ticket, linked to the old one both ways; an officer may still re-open
  the old one by hand.
- Voicemail: the recording callback and its transcription callback are two halves of one
  message. Whichever arrives first is stored (with the recording); the second is folded into
  it (``absorbed``): the transcription text fills the voicemail, a failed transcription is
  noted on the timeline.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from sqlalchemy import or_

from aduan.extensions import db
from aduan.models import Agency, Complainant, Message, OutboundMessage, Ticket
from aduan.models.base import utcnow
from aduan.services import group_writes
from aduan.services.citizen.survey import WINDOW as OBJECTION_WINDOW
from aduan.services.tickets import references, workflow
from aduan.vocabulary import OPEN_STATUSES, TicketStatus
from channels.base import InboundMessage

DEFAULT_WINDOW_DAYS = 7
_NEW_KEYWORD = re.compile(r"^\s*(baru|new)(?![\w-])", re.IGNORECASE)
_OBJECTION_KEYWORD = re.compile(r"^\W*(bantah|bantahan|object|objection)(?![\w-])", re.I)
MAX_MERGE_HOPS = 5
REOPENABLE = frozenset(
    {
        TicketStatus.RESOLVED.value,
        TicketStatus.OUT_OF_JURISDICTION.value,
        TicketStatus.NO_FURTHER_ACTION.value,
    }
)
_OPEN = frozenset(s.value for s in OPEN_STATUSES)
REOPEN_REASON = "Bantahan pengadu / The complainant objected"


@dataclass
class Placement:
    """Where a message goes: ``ticket`` (None: a new one), and how it relates to it."""

    message: InboundMessage
    ticket: Ticket | None = None
    third_party: bool = False  # threaded by e-mail headers, not from the ticket's complainant
    follows: Ticket | None = None  # the finished ticket a new ticket follows up
    absorbed: bool = False  # folded into a stored message (voicemail halves): store nothing


def wants_new_ticket(text: str) -> bool:
    """``BARU``/``NEW`` as the first word of the text."""
    return bool(_NEW_KEYWORD.match(text or ""))


def place(
    message: InboundMessage, complainant: Complainant, agency: Agency, *, known: bool = True
) -> Placement:
    """Where ``message`` goes. Folds the second half of a voicemail into the first (a write:
    the caller commits) and then reports it ``absorbed``. ``known=False``: the complainant was
    created for this very message (and may have been flushed since)."""
    half = voicemail_half(message)
    if half is not None:
        return _absorb_voicemail(message, half)
    if wants_new_ticket(message.text) or message.extra.get("new_ticket"):
        return Placement(message)
    # A complainant created for this very message has no tickets (nothing to look up; and
    # before a flush, comparing with their id would compare with NULL: every anonymous ticket).
    known = known and complainant.id is not None
    if message.channel == "email":
        ticket = _follow_merges(by_email_headers(message, agency))
        if ticket is not None and (not known or ticket.complainant_id != complainant.id):
            return Placement(message, ticket, third_party=True)
        if ticket is None and known:
            ticket = _follow_merges(by_reference(message, complainant, agency))
    elif known:
        ticket = _follow_merges(
            by_reference(message, complainant, agency)
            or latest_open(complainant, message.channel, window_days(agency), agency)
        )
    else:
        ticket = None
    return _unless_finished(message, ticket)


def after_store(placement: Placement, ticket: Ticket, stored: Message, created: bool) -> None:
    """What the stored message does to its ticket (see the module docstring); flushes."""
    message = placement.message
    if message.extra.get("transcription_status") == "failed":  # a new or an open ticket alike
        data = {"message_id": group_writes.id_of(stored)}
        workflow.record_event(ticket, "transcription_failed", data=data)
    if created:
        if placement.follows is not None:
            link_follow_up(placement.follows, ticket)
        return
    data = {"message_id": group_writes.id_of(stored), "channel": stored.channel}
    if placement.third_party:
        workflow.record_event(ticket, "third_party_message", actor_kind="third_party", data=data)
        return
    workflow.record_event(ticket, "message_received", actor_kind="complainant", data=data)
    if ticket.status == TicketStatus.WAITING_COMPLAINANT.value:
        workflow.change_status(ticket, TicketStatus.IN_PROGRESS.value, actor_kind="complainant")
    elif may_reopen(ticket) and objects(message.text):  # else the message is only recorded
        reason = f"{REOPEN_REASON}: {message.text.strip()}"[:2000]
        workflow.change_status(
            ticket, TicketStatus.REOPENED.value, actor_kind="complainant", reason=reason
        )


def objects(text: str | None) -> bool:
    """True when a message objects to the resolution in so many words: it starts with
    ``BANTAH`` or ``OBJECT`` (any case; ``Bantahan:``, ``objection``)."""
    return bool(_OBJECTION_KEYWORD.match(text or ""))


def may_reopen(ticket: Ticket, now: dt.datetime | None = None) -> bool:
    """True for a finished, not yet closed ticket within the complainant's objection window."""
    return (
        ticket.status in REOPENABLE
        and ticket.resolved_at is not None
        and (now or utcnow()) < ticket.resolved_at + OBJECTION_WINDOW
    )


def voicemail_half(message: InboundMessage) -> Message | None:
    """For a voicemail or its transcription, the other half when it is already stored."""
    if message.channel != "voice":
        return None
    recording = message.extra.get("transcription_of")
    other = recording if recording else f"{message.provider_id}:transcription"
    return db.session.scalar(
        db.select(Message).where(Message.channel == "voice", Message.provider_id == other)
    )


def by_email_headers(message: InboundMessage, agency: Agency | None = None) -> Ticket | None:
    """In-Reply-To first, then References newest first, against stored Message-IDs — of
    ``agency``'s tickets only when given: one e-mail thread copied to two agencies' mailboxes
    continues each agency's own ticket."""
    hints = message.hints
    ids = [i for i in (hints.in_reply_to, *reversed(hints.references)) if i]
    for message_id in dict.fromkeys(ids):
        ticket_id = db.session.scalar(
            _of_agency(db.select(Message.ticket_id), Message.ticket_id, agency)
            .where(Message.email_message_id == message_id)
            .limit(1)
        ) or db.session.scalar(
            _of_agency(db.select(OutboundMessage.ticket_id), OutboundMessage.ticket_id, agency)
            .where(OutboundMessage.email_message_id == message_id)
            .limit(1)
        )
        if ticket_id:
            return db.session.get(Ticket, ticket_id)
    return None


def _of_agency(query, ticket_id_column, agency: Agency | None):
    if agency is None:
        return query
    return query.join(Ticket, Ticket.id == ticket_id_column).where(Ticket.agency_id == agency.id)


def by_reference(
    message: InboundMessage, complainant: Complainant, agency: Agency
) -> Ticket | None:
    """A reference number in the subject or text, from that ticket's own complainant only,
    of ``agency``'s tickets only: a number quoted to another agency continues nothing here."""
    prefix = (agency.settings or {}).get("reference_prefix", "ADU")
    text = f"{message.hints.subject or ''}\n{message.text or ''}"
    for reference in references.find_references(text, prefix):
        ticket = db.session.scalar(
            db.select(Ticket).where(Ticket.reference == reference, Ticket.agency_id == agency.id)
        )
        if ticket is not None and ticket.complainant_id == complainant.id:
            return ticket
    return None


def latest_open(complainant: Complainant, channel: str, days: int, agency: Agency) -> Ticket | None:
    """The complainant's newest open ticket of ``agency`` from ``channel`` with activity in the
    last ``days``: one phone writing to two agencies' numbers has a conversation with each."""
    cutoff = utcnow() - dt.timedelta(days=days)
    recent_message = (
        db.select(Message.id)
        .where(Message.ticket_id == Ticket.id, Message.created_at >= cutoff)
        .exists()
    )
    return db.session.scalar(
        db.select(Ticket)
        .where(
            Ticket.complainant_id == complainant.id,
            Ticket.agency_id == agency.id,
            Ticket.origin_channel == channel,
            Ticket.status.in_([s.value for s in OPEN_STATUSES]),
            Ticket.merged_into_id.is_(None),
            or_(Ticket.updated_at >= cutoff, recent_message),
        )
        .order_by(Ticket.id.desc())
        .limit(1)
    )


def window_days(agency: Agency) -> int:
    """The agency's ``thread_window_days`` setting (default 7)."""
    try:
        return int((agency.settings or {}).get("thread_window_days", DEFAULT_WINDOW_DAYS))
    except (TypeError, ValueError):
        return DEFAULT_WINDOW_DAYS


def follow_merges(ticket: Ticket | None) -> Ticket | None:
    """The ticket ``ticket`` was merged into (over up to ``MAX_MERGE_HOPS``), or itself."""
    return _follow_merges(ticket)


def _follow_merges(ticket: Ticket | None) -> Ticket | None:
    for _ in range(MAX_MERGE_HOPS):
        if ticket is None or ticket.merged_into_id is None:
            return ticket
        ticket = db.session.get(Ticket, ticket.merged_into_id)
    return ticket


def continuation(message: InboundMessage, ticket: Ticket | None) -> Placement:
    """``message`` continuing ``ticket`` (chosen by the caller: a status-page reply) under the
    rule of every channel: merges followed, a finished ticket only within its window."""
    return _unless_finished(message, _follow_merges(ticket))


def takes_messages(ticket: Ticket) -> bool:
    """Whether a message to ``ticket`` (merges followed) lands on it rather than opening a
    new, linked ticket."""
    target = _follow_merges(ticket)
    return target.status in _OPEN or may_reopen(target)


def _unless_finished(message: InboundMessage, ticket: Ticket | None) -> Placement:
    """A finished ticket takes the message only while it may be re-opened; after that the
    message opens a new ticket that follows it up."""
    if ticket is None or ticket.status in _OPEN or may_reopen(ticket):
        return Placement(message, ticket)
    return Placement(message, follows=ticket)


def link_follow_up(old: Ticket, new: Ticket) -> None:
    """Both timelines say which ticket follows up which."""
    workflow.record_event(new, "follows_up", data={"reference": old.reference, "ticket_id": old.id})
    data = {"reference": new.reference, "ticket_id": group_writes.id_of(new)}
    workflow.record_event(old, "followed_up_by", data=data)


def _absorb_voicemail(message: InboundMessage, half: Message) -> Placement:
    """Fold a voicemail's second half into the stored first: the transcription's text into
    an empty voicemail (and an empty ticket description), or a note that it failed."""
    ticket = db.session.get(Ticket, half.ticket_id)
    status = message.extra.get("transcription_status")
    if status == "failed":
        workflow.record_event(ticket, "transcription_failed", data={"message_id": half.id})
    elif status is not None and message.text:
        half.body = f"{half.body}\n\n{message.text}" if half.body else message.text
        if not ticket.description:
            ticket.description = message.text
            ticket.subject = ticket.subject or message.text[:120].strip()
        workflow.record_event(ticket, "transcription_added", data={"message_id": half.id})
    return Placement(message, ticket, absorbed=True)
