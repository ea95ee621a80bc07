"""Delivering OutboundMessages: one send per row, retries with backoff, delivery statuses.

A row is locked while it is sent, so two jobs for one row send once; a row that is not
``queued`` is never sent again. Delivery statuses arrive out of order: a row only moves
forward (queued → sent → failed → delivered → read), never from delivered/read back to sent.
A free-form WhatsApp row outside the 24-hour window is *held* instead of sent or failed
(``aduan.services.outbox.whatsapp_window``).
"""

from __future__ import annotations

import datetime as dt
import logging

from flask import current_app

from aduan.extensions import db
from aduan.models import InboundEvent, OutboundMessage, Ticket
from aduan.models.base import utcnow
from aduan.queues import SEND_OUTBOUND_JOB
from aduan.services.channel_config import lookup as channel_lookup
from aduan.services.outbox import (
    door,
    meta_window,
    officer_notices,
    whatsapp_templates,
    whatsapp_window,
)
from aduan.services.outbox.enqueueing import (  # noqa: F401  (callers read them here)
    enqueue_after_commit,
    enqueue_delivery,
    job_id,
)
from aduan.services.tickets.workflow import record_event
from channels.base import ChannelError, DeliveryStatus, InboundMessage, OutboundRequest
from channels.registry import manifest

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
PARKED_RECHECK = dt.timedelta(hours=1)
BACKOFF_SECONDS = (10, 30, 60, 300, 900)
# A held (or expired) row takes no provider status: any it gets belongs to the refused attempt.
STATE_RANK = {
    "queued": 0, "sent": 1, "failed": 2, "delivered": 3, "read": 4, "held": 9, "expired": 9,
}  # fmt: skip
SEND_JOB = SEND_OUTBOUND_JOB
RESEND_BATCH = 500
PERSONAL_PURPOSE = "reply"  # an officer wrote it; every other purpose is sent by the system


def release_held(message: InboundMessage, event: InboundEvent) -> list[int]:
    """An inbound WhatsApp ``message`` (any, a bot command too) reopened the window of the
    business number it reached: rows held for its sender there are queued again and enqueued
    once the caller commits."""
    ids = whatsapp_window.reopen(message, event)
    for outbound_id in ids:
        enqueue_after_commit(outbound_id)
    return ids


def deliver(outbound_id: int) -> OutboundMessage | None:
    """Send one queued row through its channel adapter.

    Success: state "sent" with the provider id. A retryable ChannelError: attempts + 1,
    ``next_attempt_at`` with backoff, and the error is re-raised for RQ's Retry. Non-retryable
    or the last attempt: state "failed", a ``delivery_failed`` event and the assignee told.
    """
    row = db.session.scalar(
        db.select(OutboundMessage).where(OutboundMessage.id == outbound_id).with_for_update()
    )
    if row is None or row.state != "queued":
        db.session.rollback()
        return row
    if whatsapp_window.must_wait(row) and not whatsapp_templates.use_acknowledgement_template(row):
        return _outside_window(row)
    if meta_window.outside(row):
        return _outside_meta_window(row)
    try:
        result = channel_lookup.adapter_for(row.channel, row.account_key).send(build_request(row))
    except ChannelError as exc:
        return _failed_attempt(row, exc)
    except LookupError as exc:  # no such account (yet): park it until an admin configures one
        return _park(row, str(exc))
    except Exception as exc:  # a bug or a bad setting (a header with a newline): never silent
        return _crashed(outbound_id, exc)
    row.state = "sent"
    row.provider_id = result.provider_id
    row.attempts += 1
    row.sent_at = utcnow()
    row.error = None
    row.next_attempt_at = None
    db.session.commit()
    log.info("outbound sent outbound_id=%s channel=%s", row.id, row.channel)
    return row


def _outside_meta_window(row: OutboundMessage) -> OutboundMessage:
    """Past Messenger's/Instagram's window: on to the complainant's e-mail or SMS, else failed
    with the reason (``meta_window``)."""
    if meta_window.move_elsewhere(row):
        db.session.commit()  # queued again on its new channel once this commits
        return row
    return _failed_attempt(row, ChannelError(meta_window.NO_CHANNEL, retryable=False))


def build_request(row: OutboundMessage) -> OutboundRequest:
    """The adapter's view of a stored row."""
    variables, language = whatsapp_templates.split_variables(row.template_variables)
    return OutboundRequest(
        channel=row.channel,
        to_handle=row.to_handle,
        text=row.body or "",
        subject=row.subject,
        message_id=row.email_message_id,
        in_reply_to=row.in_reply_to,
        references=tuple((row.email_references or "").split()),
        template=row.template,
        template_variables=variables,
        template_language=language,
        status_callback_url=status_callback_url(row),
        buttons=tuple(tuple((str(b[0]), str(b[1])) for b in r) for r in row.buttons or ()),
        automatic=row.purpose != PERSONAL_PURPOSE,
        message_tag=meta_window.message_tag(row),
    )


def status_callback_url(row: OutboundMessage) -> str | None:
    """Where the provider posts delivery statuses: the webhook its manifest names as
    ``status_callback`` (Twilio: ``/webhooks/twilio/status/<account_key>``) under
    PUBLIC_BASE_URL, or ``STATUS_CALLBACK_URL`` (format string: {channel}, {account_key})."""
    try:
        path = manifest(row.channel).status_callback
    except LookupError:
        path = None
    if path is None:
        return None
    template = current_app.config.get("STATUS_CALLBACK_URL") or (
        current_app.config["PUBLIC_BASE_URL"].rstrip("/") + f"/webhooks{path}/{{account_key}}"
    )
    return template.format(channel=row.channel, account_key=row.account_key)


def _crashed(outbound_id: int, exc: Exception) -> OutboundMessage | None:
    """An unexpected exception from a send: recorded like a refused one — on the row, the
    timeline and the assignee's notifications — and not retried (it would fail again)."""
    log.error("outbound send crashed outbound_id=%s error=%s", outbound_id, type(exc).__name__)
    db.session.rollback()  # the error may have spoilt the transaction; lock the row afresh
    row = db.session.scalar(
        db.select(OutboundMessage).where(OutboundMessage.id == outbound_id).with_for_update()
    )
    if row is None or row.state != "queued":
        db.session.rollback()
        return row
    error = ChannelError(f"{type(exc).__name__}: {exc}", retryable=False, code="crash")
    return _failed_attempt(row, error)


def _park(row: OutboundMessage, reason: str) -> OutboundMessage:
    """No account for this channel: keep the message queued (nothing is lost), look again in
    an hour, and say why on the row — not a delivery attempt, so no retry budget is spent.
    A ticket's row is re-addressed to its agency's account as it is now: one configured in
    the meantime sends it at the next look."""
    ticket = db.session.get(Ticket, row.ticket_id) if row.ticket_id else None
    if ticket is not None and row.purpose != "officer_notice":
        row.account_key = door.sending_account(ticket, row.channel)
    row.error = f"waiting for a channel account: {reason}"[:500]
    row.next_attempt_at = utcnow() + PARKED_RECHECK
    db.session.commit()
    log.warning("outbound parked outbound_id=%s channel=%s", row.id, row.channel)
    return row


def _outside_window(row: OutboundMessage) -> OutboundMessage:
    """Free-form WhatsApp with the window closed: held (nothing sent), or failed at once when
    it must not wait (a verification code)."""
    if not whatsapp_window.may_hold(row):
        error = ChannelError("whatsapp: outside the 24-hour window", retryable=False)
        return _failed_attempt(row, error)
    _hold(row)
    db.session.commit()
    return row


def _hold(row: OutboundMessage) -> None:
    whatsapp_window.hold(row)  # its notice, if any, is sent once the caller commits


def _failed_attempt(row: OutboundMessage, exc: ChannelError) -> OutboundMessage:
    row.attempts += 1
    row.error = str(exc)[:500]
    if whatsapp_window.closed_by_provider(row, exc.code) and whatsapp_window.may_hold(row):
        _hold(row)  # our clock said open, the provider's did not
        db.session.commit()
        return row
    if exc.retryable and row.attempts < MAX_ATTEMPTS:
        delay = BACKOFF_SECONDS[min(row.attempts, len(BACKOFF_SECONDS)) - 1]
        row.next_attempt_at = utcnow() + dt.timedelta(seconds=delay)
        db.session.commit()
        log.warning("outbound retry outbound_id=%s attempts=%s", row.id, row.attempts)
        raise exc
    row.state = "failed"
    row.next_attempt_at = None
    mark_failed(row, row.error, code=exc.code)
    db.session.commit()
    return row


def mark_failed(row: OutboundMessage, error: str | None, code: str | None = None) -> None:
    """A ``delivery_failed`` event on the ticket and a word to its assignee; caller commits."""
    ticket = db.session.get(Ticket, row.ticket_id) if row.ticket_id else None
    if ticket is None:
        return
    data = {"outbound_id": row.id, "channel": row.channel, "error": error, "code": code}
    record_event(ticket, "delivery_failed", data=data)
    if row.purpose != "officer_notice":  # a failed notice's notice would fail again, for ever
        _notify_assignee(ticket, data)


def _notify_assignee(ticket: Ticket, data: dict) -> None:
    """Tell the ticket's assignee (in the app and by e-mail) that a message did not arrive."""
    if ticket.assignee_id is None:
        return
    ref, channel = ticket.reference, data["channel"]
    try:
        officer_notices.notify(
            ticket.assignee,
            "delivery_failed",
            title_ms=f"Mesej tidak sampai kepada pengadu: {ref}",
            title_en=f"Message not delivered to the complainant: {ref}",
            body_ms=f"Saluran {channel}: {data['error'] or 'gagal'}",
            body_en=f"Channel {channel}: {data['error'] or 'failed'}",
            ticket=ticket,
            dedupe_key=f"delivery_failed-{data['outbound_id']}",
        )
    except Exception as exc:  # a notification must never lose the failure record
        log.warning("delivery_failed notify error ticket_id=%s error=%s", ticket.id, exc)


def apply_status(channel: str, status: DeliveryStatus) -> bool:
    """Apply one delivery status; False when no row has that provider id (yet)."""
    row = db.session.scalar(
        db.select(OutboundMessage)
        .where(
            OutboundMessage.channel == channel, OutboundMessage.provider_id == status.provider_id
        )
        .with_for_update()
    )
    if row is None:
        return False
    if STATE_RANK.get(status.status, -1) <= STATE_RANK.get(row.state, 0):
        return True  # late or repeated: never move backwards
    at = status.at or utcnow()
    refused = status.status == "failed" and whatsapp_window.closed_by_provider(row, status.error)
    if refused and whatsapp_window.may_hold(row):
        row.last_status_at = at
        _hold(row)
        return True
    row.state = status.status
    row.last_status_at = at
    if status.status in ("delivered", "read") and row.delivered_at is None:
        row.delivered_at = at
    if status.status == "failed":
        row.error = status.error or "failed"
        mark_failed(row, row.error, code=status.error)
    return True


def resend_due(now: dt.datetime | None = None) -> list[int]:
    """Enqueue queued rows whose ``next_attempt_at`` passed (or that never got a job)."""
    now = now or utcnow()
    rows = db.session.execute(
        db.select(OutboundMessage.id, OutboundMessage.purpose)
        .where(
            OutboundMessage.state == "queued",
            (OutboundMessage.next_attempt_at.is_(None)) | (OutboundMessage.next_attempt_at <= now),
        )
        .order_by(OutboundMessage.id)
        .limit(RESEND_BATCH)
    ).all()
    db.session.rollback()
    return [i for i, purpose in rows if enqueue_delivery(i, purpose)]
