"""What the intake pipeline needs to know about the web form (channel ``web``) and the other
channels whose events are our own forms (manifest ``contact_details``: counter and telephone
entry, Open311 filings).

A form carries more than a message: type, category, location, map point, address and
priority group travel in ``InboundMessage.extra`` and become ticket fields when the ticket is
opened (before routing and the acknowledgement, so the routing rules see the map point and
the deadlines are those of the right category and unit).
A web event may also continue one ticket by id: only our own status page produces such
events, after the complainant verified, so the id is trusted (the adapter never verifies an
outside request).
"""

from __future__ import annotations

from typing import Any

from aduan.extensions import db
from aduan.models import Agency, Category, Complainant, ContactIdentity, Message, Ticket
from aduan.models.org import STATE_CODES
from aduan.services import group_writes
from aduan.services.citizen import merged_replies
from aduan.services.intake import placement as threading
from aduan.services.intake.identities import normalise_handle
from aduan.vocabulary import PriorityGroup, TicketType
from channels.base import InboundMessage
from channels.registry import channels_where

WEB = "web"
MAX_ADDRESS = 500


def form_channels() -> tuple[str, ...]:
    """Channels whose messages come from one of our own forms, with ticket fields beside the
    text: those whose senders are known by the contact details they typed (the manifest's
    ``contact_details``: web, counter, telephone, Open311)."""
    return channels_where(contact_details=True)


def identity_kind(message: InboundMessage) -> str | None:
    """``email`` or ``phone`` for a web form or counter/telephone entry that gave contact
    details, else None (other channels identify by their own handle)."""
    if message.channel not in channels_where(contact_details=True):
        return None
    kind = message.extra.get("identity_type")
    return kind if kind in ("email", "phone") else None


def add_form_phone(
    complainant: Complainant | None, message: InboundMessage, agency_id: int
) -> ContactIdentity | None:
    """A form that gave an e-mail *and* a phone keeps both: the phone becomes one more way
    to reach the complainant (SMS), unless that number is already someone's in the agency.
    Typed details prove nothing, so an existing record's phone is never changed."""
    if complainant is None or message.channel not in channels_where(contact_details=True):
        return None
    handle = normalise_handle("phone", message.extra.get("phone"))
    if not handle or message.extra.get("identity_type") == "phone":
        return None
    if complainant in db.session.new and complainant.phone is None:
        complainant.phone = handle  # a record made by this very filing
    taken = db.session.scalar(
        db.select(ContactIdentity.id).where(
            ContactIdentity.agency_id == agency_id,
            ContactIdentity.channel_type == "phone",
            ContactIdentity.handle == handle,
        )
    )
    if taken is not None:
        return None
    identity = ContactIdentity(
        complainant=complainant,
        agency_id=agency_id,
        channel_type="phone",
        handle=handle[:254],
        last_inbound_at=None,
    )
    db.session.add(identity)
    group_writes.forget("identity", (agency_id, "phone", identity.handle))  # not absent now
    return identity


def placement(message: InboundMessage, agency: Agency) -> threading.Placement:
    """A form filing opens a ticket; a status-page reply continues its ticket as a message on
    any channel would (``threading.continuation``): a finished one is re-opened within the
    objection window, else — or when closed — the reply opens a new ticket linked to it."""
    return threading.continuation(message, continued_ticket(message, agency))


def continued_ticket(message: InboundMessage, agency: Agency) -> Ticket | None:
    """The ticket a status-page reply continues; None for a new complaint from the form."""
    return _replied_to(message, agency.id)


def ticket_fields(message: InboundMessage, agency: Agency) -> dict[str, Any]:
    """Keyword arguments for ``open_ticket`` from the form's fields (unknown values dropped):
    the web form's, a counter or telephone entry's (the officer's form), an Open311 filing's."""
    if message.channel not in form_channels():
        return {}
    extra = message.extra
    fields: dict[str, Any] = {}
    if extra.get("type") in TicketType.values():
        fields["type"] = extra["type"]
    category = _category(extra.get("category_id"), agency)
    if category is not None:
        fields["category"] = category
    if extra.get("state_code") in STATE_CODES:
        fields["state_code"] = extra["state_code"]
    if isinstance(extra.get("district"), str) and extra["district"].strip():
        fields["district"] = extra["district"].strip()[:100]
    if extra.get("priority_group") in PriorityGroup.values():
        fields["priority_group"] = extra["priority_group"]
    return fields


def after_open(ticket: Ticket, message: InboundMessage) -> None:
    """A form's optional map point (validated ranges only) and address, before routing reads
    them; a status-page reply that opens a new ticket is the verified complainant's (the
    reply itself names nobody), so it is acknowledged to them."""
    if message.channel not in form_channels():
        return
    lat, lon = message.extra.get("latitude"), message.extra.get("longitude")
    if _number(lat, 90) and _number(lon, 180):
        ticket.latitude, ticket.longitude = float(lat), float(lon)
    address = message.extra.get("address")
    if isinstance(address, str) and address.strip():
        ticket.address = address.strip()[:MAX_ADDRESS]
    if message.channel != WEB:
        return
    followed = _replied_to(message, ticket.agency_id)
    if followed is not None and ticket.complainant is None:
        ticket.complainant = followed.complainant


def after_store(ticket: Ticket, stored: Message, message: InboundMessage, created: bool) -> None:
    """A status-page reply that landed on the ticket its own was merged into is attributed
    to its writer (``merged_replies``)."""
    if message.channel != WEB or created:
        return
    origin = _replied_to(message, ticket.agency_id)
    if origin is not None and origin.id != ticket.id:
        merged_replies.record(origin, ticket, stored)


def _replied_to(message: InboundMessage, agency_id: int) -> Ticket | None:
    ticket_id = message.extra.get("ticket_id")
    ticket = db.session.get(Ticket, ticket_id) if isinstance(ticket_id, int) else None
    return ticket if ticket is not None and ticket.agency_id == agency_id else None


def _category(category_id: Any, agency: Agency) -> Category | None:
    if not isinstance(category_id, int):
        return None
    category = db.session.get(Category, category_id)
    if category is None or category.agency_id != agency.id or not category.active:
        return None
    return category


def _number(value: Any, bound: float) -> bool:
    return isinstance(value, int | float) and -bound <= value <= bound
