"""Counter and telephone entry: an officer records a complaint on the citizen's behalf.

It goes through the same intake pipeline as every channel: the form becomes a stored
InboundEvent (``channels.staff_entry`` parses it), processed synchronously by
``intake.process_event``. The form's hidden ``entry_id`` (a UUID) is the provider id, so a
double submit stores one event and opens one ticket. Each agency has its own ``counter`` and
``phone`` channel account (no secrets), which is how intake knows the owning agency.

Like the web form, an entry may set the type, the agency's category, the state and district,
a priority group and attachments (already checked by the view, put in the store here); the
citizen's status-page answer is the last four digits of the phone or e-mail given, or a PIN
(``EntryResult.pin``) shown once on the receipt slip for an anonymous entry.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from flask_babel import lazy_gettext as _l

from aduan.extensions import db
from aduan.languages import CITIZEN_LANGUAGES
from aduan.models import Agency, Category, InboundEvent, Message, Officer, Ticket
from aduan.models.api import ApiToken
from aduan.models.base import utcnow
from aduan.models.org import STATE_CODES
from aduan.services.admin import common as f
from aduan.services.channel_config.ownership import own_account
from aduan.services.citizen import status as status_lookup
from aduan.services.intake import pipeline as intake
from aduan.services.intake.inbound import store_event
from aduan.services.intake.web_form import Upload, store_upload
from aduan.services.tickets import workflow
from aduan.vocabulary import PriorityGroup, TicketType
from channels.base import RawEvent
from channels.phones import normalise_phone

CHANNELS = ("counter", "phone")
BAD_PHONE = _l("Enter a phone number, e.g. 012-345 6789.")
BAD_EMAIL = _l("Enter a valid e-mail address.")
BAD_CATEGORY = _l("Choose one of the agency's categories.")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


@dataclass
class EntryResult:
    ticket: Ticket | None
    created: bool  # False: this entry id was submitted before
    pin: str | None = None  # anonymous entries only: shown once, on the receipt slip


def new_entry_id() -> str:
    return str(uuid.uuid4())


def record(
    officer: Officer | ApiToken, form: Mapping, uploads: Sequence[Upload] = ()
) -> EntryResult:
    """Validate, store and process one staff entry; the ticket it opened (or continued).
    ``officer`` may be an API token: an integration records entries for its agency too.
    ``uploads`` are files the view has checked (count, size, real type)."""
    payload = _clean(officer, form)
    payload["attachments"] = [store_upload(u) for u in uploads]
    account_key = ensure_account(officer.agency_id, payload["channel"])
    event = RawEvent(payload["channel"], "message", payload["entry_id"], payload)
    event_id = store_event(event, account_key)
    db.session.commit()
    if event_id is None:  # a double submit: the first one already made the ticket
        return EntryResult(_ticket_of(payload["channel"], payload["entry_id"]), created=False)
    intake.process_event(event_id)
    ticket = _ticket_of(payload["channel"], payload["entry_id"])
    if ticket is None:
        return EntryResult(None, created=True)
    workflow.record_event(
        ticket, "entered_by_officer", actor=officer,
        data={"channel": payload["channel"], "inbound_event_id": event_id},
    )  # fmt: skip
    hint = status_lookup.contact_hint("phone", payload["phone"])
    hint = hint or status_lookup.contact_hint("email", payload["email"])
    pin = None if hint else status_lookup.new_status_pin()
    status_lookup.set_contact_check(ticket, hint or pin)
    db.session.commit()
    return EntryResult(ticket, created=True, pin=pin)


def ensure_account(agency_id: int, channel: str) -> str:
    """The agency's (secret-free) account for staff entry on ``channel``; its account key."""
    return own_account(agency_id, channel)


def _clean(officer: Officer, form: Mapping) -> dict[str, Any]:
    errors: f.Errors = {}
    channel = f.choice(form, "channel", errors, CHANNELS)
    text = f.text(form, "description", errors, max_len=10_000)
    subject = f.text(form, "subject", errors, max_len=300, required=False)
    name = f.text(form, "name", errors, max_len=200, required=False)
    phone = _phone(form, errors)
    email = f.text(form, "email", errors, max_len=254, required=False).lower()
    if email and not _EMAIL.match(email):
        f.add(errors, "email", BAD_EMAIL)
    language = f.choice(form, "language", errors, CITIZEN_LANGUAGES, required=False)
    fields = _ticket_fields(officer.agency_id, form, errors)
    entry_id = str(form.get("entry_id") or "")
    if not _is_uuid(entry_id):
        f.add(errors, "entry_id", f.REQUIRED)
    f.fail_if(errors)
    agency = db.session.get(Agency, officer.agency_id)
    return {
        "entry_id": entry_id, "channel": channel, "text": text, "subject": subject,
        "name": name, "phone": phone, "email": email, "language": language,
        "received_at": utcnow().isoformat(), "agency": agency.code,
        "officer_id": officer.id if isinstance(officer, Officer) else None, "fields": fields,
    }  # fmt: skip


def _ticket_fields(agency_id: int, form: Mapping, errors: f.Errors) -> dict[str, Any]:
    """Type, category (the agency's own, active), state, district and priority group."""
    fields: dict[str, Any] = {
        "type": f.choice(form, "type", errors, TicketType.values(), required=False) or None,
        "state_code": f.choice(form, "state_code", errors, STATE_CODES, required=False) or None,
        "district": f.text(form, "district", errors, max_len=100, required=False) or None,
        "priority_group": f.choice(
            form, "priority_group", errors, PriorityGroup.values(), required=False
        ) or None,
    }  # fmt: skip
    raw = str(form.get("category_id") or "").strip()
    if raw:
        category = _category(agency_id, raw)
        if category is None:
            f.add(errors, "category_id", BAD_CATEGORY)
        fields["category_id"] = category.id if category is not None else None
    return {key: value for key, value in fields.items() if value is not None}


def _category(agency_id: int, raw: str) -> Category | None:
    if not raw.isdigit() or len(raw) > 12:
        return None
    category = db.session.get(Category, int(raw))
    if category is None or category.agency_id != agency_id or not category.active:
        return None
    return category


def categories(agency_id: int) -> list[Category]:
    """The agency's active categories, the entry form's choices."""
    return list(
        db.session.scalars(
            db.select(Category)
            .where(Category.agency_id == agency_id, Category.active.is_(True))
            .order_by(Category.code)
        )
    )


def _phone(form: Mapping, errors: f.Errors) -> str:
    raw = f.text(form, "phone", errors, max_len=30, required=False)
    if not raw:
        return ""
    number = normalise_phone(raw)
    if not re.fullmatch(r"\+\d{8,15}", number):
        f.add(errors, "phone", BAD_PHONE)
    return number


def _is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


def _ticket_of(channel: str, entry_id: str) -> Ticket | None:
    """The ticket holding the message stored for this entry (None if intake refused it)."""
    return db.session.scalar(
        db.select(Ticket)
        .join(Message, Message.ticket_id == Ticket.id)
        .join(InboundEvent, InboundEvent.id == Message.inbound_event_id)
        .where(InboundEvent.channel == channel, InboundEvent.provider_id == entry_id)
    )


def refused_reason(channel: str, entry_id: str) -> str | None:
    """Why intake quarantined this entry, if it did."""
    event = db.session.scalar(
        db.select(InboundEvent).where(
            InboundEvent.channel == channel, InboundEvent.provider_id == entry_id
        )
    )
    return event.error if event is not None else None
