"""Filing one Open311 service request: a ticket through intake on the ``open311`` channel.

The filing is stored as one InboundEvent of channel ``open311`` on the agency's own
secret-free account (``agency-<id>``, ``channel_config.ownership.own_account``) and processed
by the intake pipeline at once (``intake.web_form.file_complaint``, the web form's door):
routing (the map point against the rules' areas too), deadlines, the acknowledgement to the
e-mail or phone given. No ticket logic here.

A retried POST never makes two tickets:

- with an ``Idempotency-Key`` header, as on ``/api/v1`` (``api_tokens.idempotency``): the
  key fixes the event's provider id, and the (token, key) row answers a retry with the
  first ticket;
- without one, an identical request (same token, service, description, point, address,
  e-mail, phone and ``device_id``) within ``SAME_REQUEST_WINDOW`` is the same event: its
  provider id is a digest of those and of the window it falls in.

A filing answers the reference at once; when intake could not open the ticket yet it answers
a token (the event's provider id), which ``by_token`` turns into the reference later.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import select

from aduan.errors import NotFound, PermissionDenied, ValidationFailed
from aduan.extensions import db
from aduan.models import Agency, Category, InboundEvent, Ticket
from aduan.models.api import ApiToken
from aduan.models.base import utcnow
from aduan.schemas.open311 import GeoReportRequestSchema
from aduan.services.api_tokens import idempotency
from aduan.services.channel_config.ownership import STAFF_ENTRY_PREFIX, own_account
from aduan.services.citizen import agency_pages
from aduan.services.intake import web_form
from aduan.services.open311 import catalog

OPEN311 = "open311"
ENDPOINT = "open311.requests"
SAME_REQUEST_WINDOW = dt.timedelta(minutes=10)
NAMESPACE = uuid.UUID("0b8f6d52-3c1e-4a7b-9f0d-31e7a5c4d2b9")


@dataclass(frozen=True)
class Filed:
    reference: str | None
    token: str
    notice: str
    replayed: bool = False  # the answer of an earlier, identical filing


def file_request(
    token: ApiToken | None,
    agency: Agency,
    form: Mapping[str, str],
    idempotency_key: str | None = None,
) -> Filed:
    """File one GeoReport request for ``agency`` by ``token`` (a ``citizen``-scoped token of
    that agency, else ``PermissionDenied``, checked before the form is read)."""
    if token is None or token.agency_id != agency.id or not token.has_scope("citizen"):
        raise PermissionDenied(_("Invalid api_key received: it cannot file requests here."))
    key = idempotency.check_key(idempotency_key)
    again = idempotency.replay(token, key, ENDPOINT)
    if again is not None:
        provider_id = idempotency.provider_id(token, key, ENDPOINT)
        return Filed(again.reference, provider_id, _notice(again, None), replayed=True)
    given = {k: v for k, v in form.items() if isinstance(v, str) and v.strip()}  # "" = not sent
    data = GeoReportRequestSchema().load(given)
    category = catalog.find(agency, data["service_code"])
    if category is None:
        raise ValidationFailed(_("service_code not found."), errors={"service_code": ["unknown"]})
    complaint = _complaint(data, category, _fields(data, category, form))
    if key is not None:
        provider_id = idempotency.provider_id(token, key, ENDPOINT)
    else:
        provider_id = same_request_id(token, data, form.get("device_id"))
    filing = web_form.file_complaint(
        provider_id, complaint, agency, channel=OPEN311, account=own_account(agency.id, OPEN311),
        sender=complaint.contact_handle or _device(form.get("device_id")),
    )  # fmt: skip
    ticket = filing.ticket
    if ticket is not None:
        idempotency.remember(token, key, ENDPOINT, ticket)
    reference = ticket.reference if ticket else None
    return Filed(reference, provider_id, _notice(ticket, filing.pin), replayed=filing.duplicate)


def same_request_id(token: ApiToken, data: dict, device_id: str | None) -> str:
    """The provider id of a filing without an Idempotency-Key: the same for an identical
    request within ``SAME_REQUEST_WINDOW`` of an earlier one that is stored."""
    what = [str(token.id), data["service_code"], data["description"].strip(), repr(data["lat"]),
            repr(data["long"]), data["address_string"].strip(), (data["email"] or "").lower(),
            data["phone"].strip(), _device(device_id) or ""]  # fmt: skip
    now = utcnow()
    window = int(now.timestamp() // SAME_REQUEST_WINDOW.total_seconds())
    earlier, current = (_digest(what, w) for w in (window - 1, window))
    stored = db.session.scalar(select(InboundEvent.received_at).where(
        InboundEvent.channel == OPEN311, InboundEvent.provider_id == earlier))  # fmt: skip
    return earlier if stored is not None and now - stored <= SAME_REQUEST_WINDOW else current


def _digest(what: list[str], window: int) -> str:
    return str(uuid.uuid5(NAMESPACE, "\x1f".join([*what, str(window)])))


def _device(device_id: str | None) -> str | None:
    device = (device_id or "").strip()[:200]
    return f"device:{device}" if device else None


def _fields(data: dict, category: Category, form: Mapping[str, str]) -> dict:
    attributes = {k[len("attribute[") : -1]: v for k, v in form.items()
                  if k.startswith("attribute[") and k.endswith("]")}  # fmt: skip
    fields, errors = catalog.attribute_fields(attributes)
    if errors:
        raise ValidationFailed(next(iter(errors.values()))[0], errors=errors)
    address = data["address_string"].strip()
    if (data["lat"] is None or data["long"] is None) and not address:
        raise ValidationFailed(_("A location is required: lat and long, or address_string."),
                               errors={"address_string": ["required"]})  # fmt: skip
    fields.update(category_id=category.id, latitude=data["lat"], longitude=data["long"])
    if address:
        fields["address"] = address
    return fields


def _complaint(data: dict, category: Category, fields: dict) -> web_form.ComplaintForm:
    text = data["description"].strip() or category.name("ms")
    if fields.get("address"):  # also in the text: the search and keyword rules read it
        text += "\n\n" + _("Address: %(address)s", address=fields["address"])
    if data["media_url"]:
        text += "\n" + _("Photo or file: %(url)s", url=data["media_url"])
    phone = _phone(data["phone"])
    email = (data["email"] or "").strip().lower() or None
    kind, handle = ("email", email) if email else ("phone", phone) if phone else (None, None)
    name = " ".join(p.strip() for p in (data["first_name"], data["last_name"]) if p.strip())
    return web_form.ComplaintForm(
        text=text, language="ms", contact_kind=kind, contact_handle=handle, phone=phone,
        sender_name=name or None, fields=fields,
    )  # fmt: skip


def _phone(raw: str) -> str | None:
    return web_form.filer_phone(raw, _("Enter a Malaysian mobile number, e.g. 012-345 6789."))


def _notice(ticket: Ticket | None, pin: str | None) -> str:
    if ticket is None:
        return _("Received: the reference will be given for this token shortly.")
    notice = _("Received with reference %(reference)s.", reference=ticket.reference)
    if pin:
        notice += " " + _("Keep this PIN to check the status: %(pin)s", pin=pin)
    return notice


def by_token(agency: Agency, token: str) -> dict:
    """``GET tokens/{token}``: the reference of the filing, once opened (None until then);
    ``NotFound`` for a token that is not this jurisdiction's filing."""
    try:
        token = str(uuid.UUID(token))
    except ValueError:
        raise NotFound(_("No such token."))
    # Filings made before Open311 was a channel of its own went in as the agency's web events.
    for channel, account in (
        (OPEN311, f"{STAFF_ENTRY_PREFIX}{agency.id}"),
        (web_form.WEB, agency_pages.web_account(agency)),
    ):
        stored = db.session.scalar(select(InboundEvent.id).where(
            InboundEvent.channel == channel, InboundEvent.account_key == account,
            InboundEvent.provider_id == token))  # fmt: skip
        if stored is not None:
            break
    else:
        raise NotFound(_("No such token."))
    ticket = web_form.ticket_for(token, channel)
    reference = ticket.reference if ticket is not None and ticket.agency_id == agency.id else None
    return {"service_request_id": reference, "token": token}
