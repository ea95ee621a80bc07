"""The WhatsApp 24-hour customer-service window, for everything we send on WhatsApp.

A free-form WhatsApp message reaches the complainant only within 24 hours of their last
message; outside it only an approved template may go out (Twilio error 63016, Meta 131047).
The window is checked when a row is *sent* (``outbound.deliver``), not when it is queued: a
reply queued inside the window may go out after it closed (retries, a parked channel). A
provider that still answers 63016/131047 — at once or later in a status callback — gets the
same treatment.

Outside the window a free-form row is **held**: state ``held``, its text kept, nothing sent.
Instead one notice template tells the complainant there is a new message on their ticket:
the agency setting ``whatsapp_notice_template`` (Twilio ContentSid) or
``whatsapp_cloud_notice_template`` (Meta template name), variables ``{{1}}`` the reference and
``{{2}}`` the status-page link, where the full text is shown. One notice per ticket until the
complainant writes again (decided one worker at a time). Without a configured template the row
is held all the same and the assignee is told, so they can answer on another channel.

WhatsApp keeps the window per business number: a message to agency B's number opens none for
agency A's. Every inbound WhatsApp message — a bot command (SEMAK, HELP, a guided-filing step)
too, though it stores no ticket message — records the window of the number it reached
(``WhatsAppWindow``) and queues again every row held for the complainant on that number
(``reopen``), under intake's per-complainant lock; ``must_wait`` looks at a closed window again
under that lock, so a reply is never held just as the complainant's message releases.

A held row does not wait for ever: after the agency's ``whatsapp_held_expiry_days`` (default
3) it is marked ``expired`` (``expire_held``, a periodic job): the timeline says the text never
reached WhatsApp and the assignee is told to use another channel. Its text stays on the ticket
and the status page; a later message from the complainant no longer sends it.

The acknowledgement has its own template (``replies.queue_acknowledgement``); a verification
code is never held (it expires within minutes).

The templates themselves (which setting, which language, which variables) are
``whatsapp_templates``'s.
"""

from __future__ import annotations

import datetime as dt
import logging

from sqlalchemy.dialects import postgresql, sqlite

from aduan.extensions import db
from aduan.models import ContactIdentity, InboundEvent, OutboundMessage, Ticket, TicketEvent
from aduan.models.base import utcnow
from aduan.models.messages import WhatsAppWindow
from aduan.services.intake.identities import normalise_handle, serialise_complainant
from aduan.services.outbox import door, whatsapp_assignee
from aduan.services.outbox.texts import identity_types, sender_identity_type
from aduan.services.outbox.whatsapp_templates import (
    NOTICE_SETTING,
    TEMPLATE_LANGUAGE,
    notice_variables,
    pick_template,
    split_variables,
)
from aduan.services.tickets import workflow
from channels.base import InboundMessage
from channels.registry import channels_where

log = logging.getLogger(__name__)

WINDOW = dt.timedelta(hours=24)
# What the providers answer to a free-form message outside the window (Twilio, Meta).
WINDOW_CLOSED_CODES = frozenset({"63016", "131047"})
NEVER_HELD = frozenset({"verification"})


def window_channels() -> tuple[str, ...]:
    """The channels that take free-form text only inside the 24-hour window (manifest
    ``session_window``); each needs its agency template settings (``whatsapp_templates``)."""
    return channels_where(session_window=True)


NOTICE = "window_notice"
HELD_ERROR = "held: outside the WhatsApp 24-hour window"
EXPIRED_ERROR = "expired: the complainant did not write again on WhatsApp"
HELD_EXPIRY_SETTING = "whatsapp_held_expiry_days"
DEFAULT_HELD_EXPIRY_DAYS = 3
EXPIRE_BATCH = 200


def window_open(
    channel: str, account_key: str, handle: str, now: dt.datetime | None = None
) -> bool:
    """True when the complainant wrote to the business number ``account_key`` on ``channel``
    within the last 24 hours (always True off WhatsApp: no window there).

    WhatsApp keeps the window per business number, so it is decided by the WhatsAppWindow row
    of that number, written for every inbound WhatsApp message (``reopen``), bot commands
    included. Not by ContactIdentity.last_inbound_at: the phone identity is shared with SMS,
    voice and every agency's number."""
    if channel not in window_channels():
        return True
    last = _last_inbound(channel, account_key, handle)
    return last is not None and (now or utcnow()) - last < WINDOW


def _last_inbound(channel: str, account_key: str, handle: str) -> dt.datetime | None:
    return db.session.scalar(
        db.select(WhatsAppWindow.last_inbound_at).where(
            WhatsAppWindow.channel == channel,
            WhatsAppWindow.account_key == account_key,
            WhatsAppWindow.handle == handle,
        )
    )


def must_wait(row: OutboundMessage) -> bool:
    """True when ``row`` is free-form WhatsApp and the complainant's window is closed.

    A closed window is looked at again under the complainant's intake lock: a message from
    them being stored at this moment finishes first (and reopens the window), or finds this
    row held once it looks for held rows — never neither."""
    if row.channel not in window_channels() or row.template:
        return False
    if window_open(row.channel, row.account_key, row.to_handle):
        return False
    _serialise_with_intake(row.channel, row.to_handle)
    return not window_open(row.channel, row.account_key, row.to_handle)


def _serialise_with_intake(channel: str, handle: str) -> None:
    # One complainant per agency holds the number: take each lock, always in the same order.
    complainant_ids = db.session.scalars(
        db.select(ContactIdentity.complainant_id)
        .where(
            ContactIdentity.channel_type.in_(identity_types(channel)),
            ContactIdentity.handle == handle,
        )
        .order_by(ContactIdentity.complainant_id)
    )
    for complainant_id in complainant_ids.all():
        serialise_complainant(complainant_id)


def closed_by_provider(row: OutboundMessage, code: str | None) -> bool:
    """True when the provider refused a free-form WhatsApp row because the window is closed."""
    return (
        row.channel in window_channels() and not row.template and str(code) in WINDOW_CLOSED_CODES
    )


def may_hold(row: OutboundMessage) -> bool:
    return row.purpose not in NEVER_HELD


def hold(row: OutboundMessage) -> OutboundMessage | None:
    """Hold ``row`` until the complainant writes again or it expires; queue the notice
    template (through ``door``: sent once the caller commits; returned) unless one is
    already waiting."""
    row.state = "held"
    row.error = HELD_ERROR
    ticket = db.session.get(Ticket, row.ticket_id) if row.ticket_id else None
    days = held_expiry_days(ticket)
    # On a held row next_attempt_at is when it expires (``expire_held``).
    row.next_attempt_at = utcnow() + dt.timedelta(days=days)
    if ticket is None:
        return None
    template = pick_template(ticket.agency.settings, NOTICE_SETTING[row.channel], ticket.language)
    if template:
        _serialise_notices(row)  # two rows held at once: the second sees the first's notice
    notice = _pending_notice(row) if template else None
    created = notice is None and template is not None
    if created:
        notice = _new_notice(row, ticket, *template)
    data = {"outbound_id": row.id, "channel": row.channel, "notice_id": notice and notice.id}
    data.update(expires_at=row.next_attempt_at.isoformat(), days=days)
    if notice is not None:
        variables, language = split_variables(notice.template_variables)
        data.update(template=notice.template, variables=variables, template_language=language)
    workflow.record_event(ticket, "held_outside_window", data=data)
    if not template:
        whatsapp_assignee.tell_held(ticket, row, days)
    log.info("outbound held outbound_id=%s channel=%s notice=%s", row.id, row.channel, created)
    return notice if created else None


def reopen(message: InboundMessage, event: InboundEvent) -> list[int]:
    """The complainant wrote on WhatsApp — any message, a bot command too: record it as the
    window of the business number it reached (``event.account_key``), and queue again every
    row held for them there (flushed; the ids are enqueued after the caller's commit).

    Called under intake's per-complainant lock, which ``must_wait`` takes as well."""
    if message.channel not in window_channels() or not (message.sender_handle or "").strip():
        return []
    kind = sender_identity_type(message.channel, message.extra)
    handle = normalise_handle(kind, message.sender_handle)[:254]
    # Twilio gives no timestamp (parse time): the webhook's arrival is closer to the truth.
    at = min(message.received_at, event.received_at or message.received_at)
    _record_inbound(message.channel, event.account_key, handle, at)
    return release_held(message.channel, event.account_key, handle)


def _record_inbound(channel: str, account_key: str, handle: str, at: dt.datetime) -> None:
    dialect = db.session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = insert(WhatsAppWindow).values(
        channel=channel, account_key=account_key, handle=handle, last_inbound_at=at
    )
    later = db.case(
        (statement.excluded.last_inbound_at > WhatsAppWindow.last_inbound_at,
         statement.excluded.last_inbound_at),
        else_=WhatsAppWindow.last_inbound_at,
    )  # fmt: skip
    db.session.execute(
        statement.on_conflict_do_update(
            index_elements=["channel", "account_key", "handle"],
            set_={"last_inbound_at": later},
        )
    )


def release_held(channel: str, account_key: str, handle: str) -> list[int]:
    """Queue again every row held for ``handle`` on that business number and not yet past its
    expiry (flushed); their ids."""
    rows = db.session.scalars(
        db.select(OutboundMessage)
        .where(
            OutboundMessage.state == "held",
            OutboundMessage.channel == channel,
            OutboundMessage.account_key == account_key,
            OutboundMessage.to_handle == handle,
            _not_expired(utcnow()),
        )
        .order_by(OutboundMessage.id)
        .with_for_update()
    ).all()
    for row in rows:
        row.state, row.error, row.next_attempt_at = "queued", None, None
        row.provider_id = None  # of the refused attempt: its late statuses must not match
        ticket = db.session.get(Ticket, row.ticket_id) if row.ticket_id else None
        if ticket is not None:
            workflow.record_event(
                ticket, "held_released", data={"outbound_id": row.id, "channel": row.channel}
            )
    db.session.flush()
    return [row.id for row in rows]


def held_expiry_days(ticket: Ticket | None) -> int:
    """How many days a held row waits for the complainant: the agency's setting, else 3."""
    settings = (ticket.agency.settings or {}) if ticket is not None else {}
    try:
        days = int(settings.get(HELD_EXPIRY_SETTING) or DEFAULT_HELD_EXPIRY_DAYS)
    except (TypeError, ValueError):
        days = DEFAULT_HELD_EXPIRY_DAYS
    return max(days, 1)


def expire_held(now: dt.datetime | None = None, batch: int = EXPIRE_BATCH) -> int:
    """Mark every held row whose expiry passed ``expired``, with a ``held_expired`` event and a
    word to the assignee; commits per batch and returns how many expired.

    Safe twice or at once: rows are taken with SKIP LOCKED and an expired row is never chosen
    again; ``release_held`` locks the same rows, so a row is either released or expired. Rows
    held before expiries were recorded are given one first: when they were queued plus their
    agency's days."""
    now = now or utcnow()
    while _date_undated_holds(batch) == batch:
        pass
    total = 0
    while True:
        rows = db.session.scalars(
            db.select(OutboundMessage)
            .where(OutboundMessage.state == "held", OutboundMessage.next_attempt_at <= now)
            .order_by(OutboundMessage.id)
            .limit(batch)
            .with_for_update(skip_locked=True)
        ).all()
        for row in rows:
            _expire(row)
        db.session.commit()
        total += len(rows)
        if len(rows) < batch:
            return total


def _not_expired(now: dt.datetime):
    """A held row still waiting: its expiry not reached (swept or not yet)."""
    return OutboundMessage.next_attempt_at.is_(None) | (OutboundMessage.next_attempt_at > now)


def _date_undated_holds(batch: int) -> int:
    rows = db.session.scalars(
        db.select(OutboundMessage)
        .where(OutboundMessage.state == "held", OutboundMessage.next_attempt_at.is_(None))
        .order_by(OutboundMessage.id)
        .limit(batch)
        .with_for_update(skip_locked=True)
    ).all()
    for row in rows:
        ticket = db.session.get(Ticket, row.ticket_id) if row.ticket_id else None
        row.next_attempt_at = row.created_at + dt.timedelta(days=held_expiry_days(ticket))
    db.session.commit()
    return len(rows)


def _expire(row: OutboundMessage) -> None:
    row.state, row.error, row.next_attempt_at = "expired", EXPIRED_ERROR, None
    ticket = db.session.get(Ticket, row.ticket_id) if row.ticket_id else None
    log.info("held outbound expired outbound_id=%s channel=%s", row.id, row.channel)
    if ticket is None:
        return
    data = {"outbound_id": row.id, "channel": row.channel, "days": _days_held(ticket, row)}
    workflow.record_event(ticket, "held_expired", data=data)
    whatsapp_assignee.tell_expired(ticket, row, data["days"])


def _days_held(ticket: Ticket, row: OutboundMessage) -> int:
    """The days this hold was given (kept on its event): the agency's setting may have
    changed since."""
    for event in db.session.scalars(
        db.select(TicketEvent)
        .where(TicketEvent.ticket_id == ticket.id, TicketEvent.kind == "held_outside_window")
        .order_by(TicketEvent.id.desc())
    ):
        if (event.data or {}).get("outbound_id") == row.id:
            return int((event.data or {}).get("days") or held_expiry_days(ticket))
    return held_expiry_days(ticket)


def _pending_notice(row: OutboundMessage) -> OutboundMessage | None:
    """A notice for this ticket and handle, from this business number, not yet answered by a
    message from the complainant to that number."""
    last_in = _last_inbound(row.channel, row.account_key, row.to_handle)
    query = db.select(OutboundMessage).where(
        OutboundMessage.purpose == NOTICE,
        OutboundMessage.ticket_id == row.ticket_id,
        OutboundMessage.channel == row.channel,
        OutboundMessage.account_key == row.account_key,
        OutboundMessage.to_handle == row.to_handle,
        OutboundMessage.state != "failed",
    )
    if last_in is not None:
        query = query.where(OutboundMessage.created_at > last_in)
    return db.session.scalar(query.order_by(OutboundMessage.id.desc()).limit(1))


def _serialise_notices(row: OutboundMessage) -> None:
    """One ticket's notice is decided by one worker at a time (until its commit): a
    transaction-scoped advisory lock on (ticket, channel and handle), so the ticket row itself
    is neither locked nor changed."""
    if db.session.get_bind().dialect.name == "postgresql":
        key = db.func.hashtext(f"{row.channel}:{row.account_key}:{row.to_handle}")
        db.session.execute(db.select(db.func.pg_advisory_xact_lock(row.ticket_id, key)))


def _new_notice(
    row: OutboundMessage, ticket: Ticket, template: str, language: str
) -> OutboundMessage:
    """The notice template, to the held row's number from the held row's business number."""
    to = door.Recipient(row.channel, row.to_handle, row.account_key)
    variables = {**notice_variables(ticket), TEMPLATE_LANGUAGE: language}
    return door.queue(ticket, NOTICE, "", to=to, template=template, variables=variables)
