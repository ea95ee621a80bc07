"""Filing from the web form and replying from the status page, through the intake pipeline.

The view hands over validated values; this stores the uploads content-addressed, stores one
InboundEvent (channel ``web``, provider id = the form's one-time UUID, so a double submit is
one complaint) on the web account of the agency whose form it was
(``agency_pages.web_account``: the national form's is ``default``, the default agency's) and
processes it at once with ``intake.process_event`` — the same code path as every other
channel. When processing fails, the event stays stored and the requeue sweep retries it; the
complainant is told the complaint was received. Open311 filings (``open311.service_requests``)
come through the same door on their own channel and account.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from aduan.errors import ValidationFailed
from aduan.extensions import db
from aduan.models import Agency, Message, Ticket
from aduan.models.base import utcnow
from aduan.redis_conn import get_redis
from aduan.services.citizen import agency_pages, merged_replies
from aduan.services.citizen import status as status_lookup
from aduan.services.intake import pipeline as intake
from aduan.services.intake.attachments import save_bytes
from aduan.services.intake.handover import enqueue_ingest
from aduan.services.intake.inbound import store_event
from channels.base import RawEvent
from channels.phones import normalise_phone

log = logging.getLogger(__name__)

WEB = "web"


@dataclass(frozen=True)
class Upload:
    filename: str
    content_type: str
    data: bytes


@dataclass
class Filing:
    """What the confirmation page shows."""

    ticket: Ticket | None
    duplicate: bool = False
    pin: str | None = None  # anonymous filings only: shown once


@dataclass
class ComplaintForm:
    text: str
    language: str
    contact_kind: str | None = None  # "email" | "phone"
    contact_handle: str | None = None
    phone: str | None = None
    sender_name: str | None = None
    fields: dict[str, Any] = field(default_factory=dict)
    uploads: list[Upload] = field(default_factory=list)


def file_complaint(
    provider_id: str,
    form: ComplaintForm,
    agency: Agency | None = None,
    *,
    channel: str = WEB,
    account: str | None = None,
    sender: str | None = None,
) -> Filing:
    """Store and process one filing made on ``agency``'s form (None: the national form, whose
    complaints the default agency receives); idempotent by ``provider_id``.

    Another form-filing channel (``open311``) names itself, the agency's ``account`` it is
    stored on, and the ``sender`` whose filings are processed in order (the contact given)."""
    payload = {
        "text": form.text,
        "received_at": utcnow().isoformat(),
        "contact_kind": form.contact_kind,
        "contact_handle": form.contact_handle,
        "phone": form.phone if form.phone != form.contact_handle else None,
        "sender_name": form.sender_name,
        "language": form.language,
        "fields": form.fields,
        "attachments": [store_upload(u) for u in form.uploads],
    }
    account = account or agency_pages.web_account(agency)
    event = RawEvent(channel, "message", provider_id, payload, sender=sender)
    event_id = store_event(event, account)
    db.session.commit()
    if event_id is None:
        return Filing(ticket_for(provider_id, channel), duplicate=True)
    _process(event_id)
    ticket = ticket_for(provider_id, channel)
    if ticket is None:
        return Filing(None)
    hint = status_lookup.contact_hint(form.contact_kind, form.contact_handle)
    phone_hint = status_lookup.contact_hint("phone", form.phone)
    hint, phone_hint = (hint, phone_hint) if hint else (phone_hint, None)
    pin = None if hint else status_lookup.new_status_pin()
    status_lookup.set_contact_check(ticket, hint or pin, phone_hint)
    db.session.commit()
    return Filing(ticket, pin=pin)


def post_reply(ticket: Ticket, provider_id: str, text: str, language: str) -> Ticket | None:
    """A verified complainant's message from the status page about ``ticket``; returns the
    ticket it landed on (None while it waits for a retry). That is ``ticket`` while it takes
    messages, the ticket it was merged into (the reply attributed to its writer, who gains no
    access to that ticket), else a new ticket following it up (``threading.continuation``),
    which the same status-page answer unlocks."""
    payload = {
        "text": text,
        "received_at": utcnow().isoformat(),
        "language": language,
        "fields": {"ticket_id": ticket.id},
    }
    # On the ticket's agency's account: intake continues the ticket only within its agency.
    account = agency_pages.web_account(ticket.agency)
    event_id = store_event(RawEvent(WEB, "message", provider_id, payload), account)
    db.session.commit()
    if event_id is not None:
        _process(event_id)
    landed = ticket_for(provider_id)
    if (
        landed is not None
        and landed.id != ticket.id
        and merged_replies.opened_by(landed, provider_id)
    ):
        status_lookup.share_contact_check(ticket, landed)
        db.session.commit()
    return landed


def filer_phone(raw: str | None, message: str) -> str | None:
    """A form's phone field as an E.164 Malaysian number, None when left empty;
    ``ValidationFailed`` on the ``phone`` field with ``message`` when it is not one."""
    if not raw or not raw.strip():
        return None
    try:
        number = normalise_phone(raw)
    except Exception:
        number = ""
    if not number.startswith("+"):
        raise ValidationFailed(message, errors={"phone": [message]})
    return number


def ticket_for(provider_id: str, channel: str = WEB) -> Ticket | None:
    """The ticket that the web (or ``channel``) event ``provider_id`` created or continued."""
    return db.session.scalar(
        db.select(Ticket)
        .join(Message, Message.ticket_id == Ticket.id)
        .where(Message.channel == channel, Message.provider_id == provider_id)
    )


def count_honeypot(app) -> None:
    """A bot filled the hidden field: count it (no personal data, nothing stored)."""
    log.info("web form honeypot tripped")
    try:
        get_redis(app).incr("aduan:web:honeypot")
    except Exception as exc:  # a counter must not break the answer
        log.warning("honeypot counter unavailable error=%s", type(exc).__name__)


def _process(event_id: int) -> None:
    try:
        intake.process_event(event_id)
    except Exception as exc:  # stored: the requeue sweep will retry it
        db.session.rollback()
        log.error("form event not processed event_id=%s error=%s", event_id, type(exc).__name__)
        enqueue_ingest(event_id)


def store_upload(upload: Upload) -> dict[str, str]:
    """Put a checked upload in the attachment store; its entry in an event's payload."""
    return {
        "sha256": save_bytes(upload.data),
        "filename": upload.filename,
        "content_type": upload.content_type,
    }
