"""Processing one stored InboundEvent: parse, identify, thread, store, acknowledge.

Idempotent and safe to run twice or concurrently: the event row is locked (``FOR UPDATE``)
and skipped once processed; a message already stored under (channel, provider_id) is not
stored again; messages from one complainant are processed one at a time (an advisory lock),
so two messages arriving together cannot open two tickets. Acknowledgements are committed
with the event and enqueued after the commit (``outbox.door``).
"""

from __future__ import annotations

import datetime as dt
import logging

from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
from sqlalchemy.exc import DBAPIError, IntegrityError, InterfaceError, OperationalError

from aduan.extensions import db
from aduan.models import (
    Complainant,
    ContactIdentity,
    InboundEvent,
    Message,
    OutboundMessage,
    Ticket,
)
from aduan.models.base import utcnow
from aduan.services import group_writes
from aduan.services.channel_config import lookup as channel_lookup
from aduan.services.citizen import conversations
from aduan.services.intake import automatic_mail, language_detection, received_time
from aduan.services.intake import placement as threading
from aduan.services.intake import web_channel as web_intake
from aduan.services.intake.attachments import store_attachments
from aduan.services.intake.identities import (  # noqa: F401  (callers read them here)
    normalise_handle,
    serialise_complainant,
)
from aduan.services.outbox.delivery import apply_status, release_held
from aduan.services.outbox.door import OnlyMessage
from aduan.services.outbox.replies import queue_acknowledgement
from aduan.services.outbox.texts import sender_identity_type
from aduan.services.tickets import roster, routing, workflow
from aduan.services.tickets.opening import open_ticket
from channels.base import ChannelAdapter, InboundMessage, ParseError, RawEvent
from channels.registry import channels_where

log = logging.getLogger(__name__)

# A status for a message we have not recorded as sent yet is retried for this long.
UNKNOWN_STATUS_GRACE = dt.timedelta(minutes=15)
# Tries of one event's transaction when it loses a uniqueness race (no savepoints on the way).
RACE_TRIES = 3
# An earlier message of the same sender that failed this often no longer holds later ones.
ORDER_WAIT_ATTEMPTS = 3


class UnknownOutbound(LookupError):
    """A delivery status arrived before the send was recorded; retried later."""


def process_event(
    event_id: int, *, skip_locked: bool = False, count_unreachable: bool = True
) -> str:
    """Process one InboundEvent; returns "processed", "skipped", "quarantined", "deferred" or
    "missing".

    One sender's messages are processed in arrival order: an event whose sender has an earlier
    event still pending is "deferred" (left pending, no attempt counted) until that one is
    done — unless the earlier one already failed ``ORDER_WAIT_ATTEMPTS`` times: a broken
    message holds the sender's later ones up for minutes, not for ever.

    ParseError quarantines the event with its reason; any other error is counted on the event
    and re-raised. A unique violation (a reference already taken, an identity created by
    another worker at the same moment) retries the whole transaction up to RACE_TRIES times.
    ``skip_locked`` (the drain): an event another worker holds is "skipped".
    ``count_unreachable=False`` (the drain's first tries): an error that says PostgreSQL or
    Redis could not be reached (``unreachable``) is re-raised without counting an attempt —
    the event is not at fault, and the drain tries it again in a few seconds.
    """
    for attempt in range(1, RACE_TRIES + 1):
        event = _lock_event(event_id, skip_locked)
        if event is None:
            return "skipped" if skip_locked else "missing"
        if event.processed_at is not None or event.quarantined_at is not None:
            db.session.rollback()
            return "skipped"
        if _earlier_from_same_sender(event):
            db.session.rollback()
            return "deferred"
        try:
            apply_event(event)  # what it queues is enqueued by the outbox once this commits
            db.session.commit()
            break
        except IntegrityError as exc:
            db.session.rollback()
            if attempt < RACE_TRIES:
                log.info("ingest lost a race, retrying event_id=%s", event_id)
                continue
            _finish_failed(event_id, f"IntegrityError: {exc.orig}"[:1000], quarantine=False)
            raise
        except ParseError as exc:
            db.session.rollback()
            _finish_failed(event_id, str(exc), quarantine=True)
            log.warning("inbound event quarantined event_id=%s reason=%s", event_id, exc)
            return "quarantined"
        except Exception as exc:
            db.session.rollback()
            if not count_unreachable and unreachable(exc):
                raise
            _finish_failed(event_id, f"{type(exc).__name__}: {exc}"[:1000], quarantine=False)
            raise
    return "processed"


_UNREACHABLE = (OperationalError, InterfaceError, RedisConnectionError, RedisTimeoutError)


def unreachable(exc: BaseException) -> bool:
    """True for an error that says PostgreSQL or Redis could not be reached (a connection
    refused, lost or timed out), not that the event itself is bad."""
    if isinstance(exc, DBAPIError) and exc.connection_invalidated:
        return True
    return isinstance(
        exc, (OperationalError, InterfaceError, RedisConnectionError, RedisTimeoutError)
    )


def apply_event(event: InboundEvent, *, mark: bool = True) -> None:
    """Process a locked, pending ``event`` and mark it processed; does not commit
    (``process_event`` commits it alone, ``intake.batch`` with the others of its group).
    ``mark=False`` leaves the mark to the caller: a group marks its processed events
    together, in one ``UPDATE`` at its end."""
    _process(event)
    if mark:
        mark_processed(event)


def mark_processed(event: InboundEvent) -> None:
    """Mark ``event`` processed, in the transaction that holds its work."""
    event.processed_at = utcnow()
    event.attempts = (event.attempts or 0) + 1
    event.error = None


def _earlier_from_same_sender(event: InboundEvent) -> bool:
    if event.sender_key is None:
        return False
    return db.session.scalar(
        db.select(earlier_pending(InboundEvent, event.sender_key, event.id).exists())
    )


def earlier_pending(earlier, sender_key, event_id):
    """The events of ``earlier`` (the model or an alias) from ``sender_key`` before
    ``event_id`` that still hold that sender's later ones: pending, failed fewer than
    ``ORDER_WAIT_ATTEMPTS`` times. The key and id are values or columns (``intake.batch``)."""
    return db.select(earlier.id).where(
        earlier.sender_key == sender_key,
        earlier.id < event_id,
        earlier.processed_at.is_(None),
        earlier.quarantined_at.is_(None),
        earlier.attempts < ORDER_WAIT_ATTEMPTS,
    )


def _lock_event(event_id: int, skip_locked: bool = False) -> InboundEvent | None:
    return db.session.scalar(
        db.select(InboundEvent)
        .where(InboundEvent.id == event_id)
        .with_for_update(skip_locked=skip_locked)
    )


def _finish_failed(event_id: int, reason: str, *, quarantine: bool) -> None:
    event = _lock_event(event_id)
    if event is None:
        return
    event.attempts = (event.attempts or 0) + 1
    event.error = reason
    if quarantine:
        event.quarantined_at = utcnow()
    db.session.commit()


def _process(event: InboundEvent) -> None:
    adapter = channel_lookup.adapter_for(event.channel, event.account_key)
    if event.kind == "status":
        _apply_statuses(event, adapter, raw_event(event))
        return
    for message in parsed(event, adapter):
        ingest_message(event, message, adapter)


def raw_event(event: InboundEvent) -> RawEvent:
    return RawEvent(event.channel, event.kind, event.provider_id, dict(event.payload or {}))


def parsed(event: InboundEvent, adapter: ChannelAdapter) -> list[InboundMessage]:
    """The messages of a stored message event (``ParseError`` when it is malformed); parsed
    once when its group read them ahead (``intake.lookahead``)."""
    known, messages = group_writes.answer("parsed", event.id)
    return messages if known else list(adapter.parse(raw_event(event)))


def _apply_statuses(event: InboundEvent, adapter: ChannelAdapter, raw: RawEvent) -> None:
    for status in adapter.parse_status(raw):
        if apply_status(event.channel, status):
            continue
        if utcnow() - event.received_at < UNKNOWN_STATUS_GRACE:
            raise UnknownOutbound(f"no outbound message {status.provider_id} yet")
        log.info("status for unknown outbound channel=%s event_id=%s", event.channel, event.id)


def ingest_message(
    event: InboundEvent, message: InboundMessage, adapter: ChannelAdapter | None = None
) -> OutboundMessage | None:
    """Store one InboundMessage on its ticket (new or threaded); returns the queued
    acknowledgement, if any. Flushes (``group_writes.flush``); the caller commits."""
    message = received_time.stamped(event, message)  # our clock, never the sender's Date:
    agency = channel_lookup.agency_for(event.channel, event.account_key)
    if automatic_mail.handle(event, message, agency):
        return None  # an auto-reply, bounce, list mail or our own: noted on its ticket only
    complainant = identify(message, agency.id)
    known = complainant is not None and complainant.id is not None  # not created just now
    web_intake.add_form_phone(complainant, message, agency.id)  # e-mail and phone both given
    if known:
        # A complainant new in this transaction needs no lock: a concurrent message from the
        # same handle waits on our identity row's unique index until we commit.
        serialise_complainant(complainant.id)
    if _already_stored(message):
        return None
    release_held(message, event)  # any WhatsApp message, a bot command too, reopens the window
    if complainant is not None and _intercepted(message, complainant, event):
        return None  # a bot command or guided-conversation step: no ticket message
    if message.channel == web_intake.WEB:
        placement = web_intake.placement(message, agency)
    elif complainant is not None:
        placement = threading.place(message, complainant, agency, known=known)
    else:
        placement = threading.Placement(message)
    if placement.absorbed:
        return None  # folded into a message already stored (a voicemail's transcription)
    ticket = placement.ticket
    created = ticket is None
    if created:
        ticket = open_ticket(
            agency=agency,
            origin_channel=message.channel,
            description=message.text or "",
            subject=message.hints.subject or "",
            complainant=complainant,
            received_at=message.received_at,
            language=guess_language(message, complainant),
            **message.extra.get("ticket_fields", {}),  # collected by a bot conversation
            **web_intake.ticket_fields(message, agency),  # the web form's fields
            defer_insert=True,  # inserted with its unit and assignee by _route's flush
            filer_name=message.sender_name,
        )
        web_intake.after_open(ticket, message)
        _route(ticket)
    stored = _store_message(ticket, event, message)
    received_time.note_claimed_time(ticket, stored, message)
    if message.extra.get("truncated"):
        message_id = group_writes.id_of(stored)
        workflow.record_event(ticket, "mail_truncated", data={"message_id": message_id})
    threading.after_store(placement, ticket, stored, created)
    web_intake.after_store(ticket, stored, message, created)
    store_attachments(ticket, stored, message.attachments, adapter)
    if not created:
        return None
    kind = sender_identity_type(message.channel, message.extra)  # as ``stored.sender``'s
    return queue_acknowledgement(
        ticket,
        auto_submitted=message.auto_submitted,
        only_message=OnlyMessage(stored.channel, event.account_key, (kind, stored.sender)),
    )


def identify(message: InboundMessage, agency_id: int) -> Complainant | None:
    """The complainant behind the sender's handle in the receiving agency, created with its
    identity when new: the same phone writing to two agencies is two complainants.

    Contact details typed into a form (web, counter, phone) prove nothing, so they never
    change the stored record (its name, its identities' display names): the name this filer
    gave travels with the ticket instead (``Ticket.filer_name``).
    A new identity is added without a savepoint: if another worker creates the same one at
    the same moment, the unique index refuses ours and ``process_event`` retries."""
    kind, handle = identity_key(message)
    if not handle:
        return None
    identity = find_identity(agency_id, kind, handle)
    if identity is None:
        return _new_identity(agency_id, kind, handle, message).complainant
    if identity.last_inbound_at is None or identity.last_inbound_at < message.received_at:
        identity.last_inbound_at = message.received_at
    typed = message.channel in channels_where(contact_details=True)  # anyone may type them
    if message.sender_name and not identity.display_name and not typed:
        identity.display_name = message.sender_name[:200]
    return identity.complainant


def identity_key(message: InboundMessage) -> tuple[str, str]:
    """(identity kind, normalised handle) of the sender of ``message`` ("" when none)."""
    kind = web_intake.identity_kind(message) or sender_identity_type(message.channel, message.extra)
    return kind, normalise_handle(kind, message.sender_handle)


def find_identity(agency_id: int, kind: str, handle: str) -> ContactIdentity | None:
    known, identity = group_writes.answer("identity", (agency_id, kind, handle))
    if known:
        return identity
    return db.session.scalar(
        db.select(ContactIdentity).where(
            ContactIdentity.agency_id == agency_id,
            ContactIdentity.channel_type == kind,
            ContactIdentity.handle == handle,
        )
    )


def _new_identity(
    agency_id: int, kind: str, handle: str, message: InboundMessage
) -> ContactIdentity:
    complainant = Complainant(
        agency_id=agency_id,
        name=(message.sender_name or None) and message.sender_name[:200],
        phone=handle if kind == "phone" and handle.startswith("+") else None,
        email=handle if kind == "email" else None,
        language=message.language or "ms",
    )
    identity = ContactIdentity(
        complainant=complainant,
        agency_id=agency_id,
        channel_type=kind,
        handle=handle[:254],
        display_name=(message.sender_name or None) and message.sender_name[:200],
        last_inbound_at=message.received_at,
    )
    db.session.add_all([complainant, identity])
    return identity


def _already_stored(message: InboundMessage) -> bool:
    known, stored = group_writes.answer("stored", (message.channel, message.provider_id))
    if known:
        return stored
    return (
        db.session.scalar(
            db.select(Message.id).where(
                Message.channel == message.channel, Message.provider_id == message.provider_id
            )
        )
        is not None
    )


def _store_message(ticket: Ticket, event: InboundEvent, message: InboundMessage) -> Message:
    stored = Message(
        ticket=ticket,  # maybe inserted by the same flush (``group_writes``)
        direction="in",
        channel=message.channel,
        provider_id=message.provider_id,
        sender=normalise_handle(
            sender_identity_type(message.channel, message.extra), message.sender_handle
        )[:254],
        subject=(message.hints.subject or None) and message.hints.subject[:300],
        body=message.text or "",
        email_message_id=message.hints.message_id,
        inbound_event_id=event.id,
    )
    db.session.add(stored)
    group_writes.flush()
    return stored


def _intercepted(message: InboundMessage, complainant: Complainant, event: InboundEvent) -> bool:
    """A bot command or guided-conversation step (``aduan.services.citizen.conversations``) is
    consumed there, no ticket message; it files new tickets through ``ingest_message``."""
    return conversations.intercept(message, complainant, event=event, file=ingest_message)


def _route(ticket: Ticket) -> None:
    """The agency's routing rules, then the unit's duty officer — before the acknowledgement,
    so its dates are those of the unit that owns the ticket. One flush inserts the ticket
    with its unit and assignee and its first timeline events."""
    routing.route(ticket, flush=False)
    if ticket.assignee_id is None:
        roster.assign(ticket)
    group_writes.flush()


def guess_language(message: InboundMessage, complainant: Complainant | None) -> str:
    """The channel's hint, else the language the text is written in, else the complainant's
    (``language_detection``)."""
    known = complainant.language if complainant is not None else None
    return language_detection.choose(message.language, message.text, known)
