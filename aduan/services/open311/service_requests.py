"""Open311 service requests of one jurisdiction (an agency): filed through the web form's
intake door (``intake.web_form.file_complaint``: one stored event, the pipeline's routing,
deadlines and acknowledgement — no ticket logic of its own), and read in the citizen's view
of a ticket (``TicketSchema(view="citizen")``, the category and the agency's name): no
description, location, contact or officer ever leaves through GeoReport reads.

A filing answers the reference at once; when intake could not open the ticket yet it answers
a token (the filing's provider id), which ``by_token`` turns into the reference later.
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
from aduan.models import Agency, InboundEvent, Ticket
from aduan.models.api import ApiToken
from aduan.models.base import utcnow
from aduan.schemas.open311 import GeoReportRequestSchema
from aduan.schemas.tickets import TicketSchema
from aduan.services.citizen import agency_pages
from aduan.services.intake import web_form
from aduan.services.open311 import catalog
from aduan.vocabulary import OPEN_STATUSES, TicketStatus
from channels.phones import normalise_phone

OPEN = frozenset(s.value for s in OPEN_STATUSES)
WINDOW = dt.timedelta(days=90)  # GeoReport's default and widest date range
MAX_RESULTS = 1000
MAX_IDS = 100


@dataclass(frozen=True)
class Filed:
    reference: str | None
    token: str
    notice: str


def file_request(token: ApiToken | None, agency: Agency, form: Mapping[str, str]) -> Filed:
    """File one GeoReport request for ``agency`` by ``token`` (a ``citizen``-scoped token of
    that agency, else ``PermissionDenied``, checked before the form is read)."""
    if token is None or token.agency_id != agency.id or not token.has_scope("citizen"):
        raise PermissionDenied(_("Invalid api_key received: it cannot file requests here."))
    given = {k: v for k, v in form.items() if isinstance(v, str) and v.strip()}  # "" = not sent
    data = GeoReportRequestSchema().load(given)
    category = catalog.find(agency, data["service_code"])
    if category is None:
        raise ValidationFailed(_("service_code not found."), errors={"service_code": ["unknown"]})
    attributes = {k[len("attribute[") : -1]: v for k, v in form.items()
                  if k.startswith("attribute[") and k.endswith("]")}  # fmt: skip
    fields, errors = catalog.attribute_fields(attributes)
    if errors:
        raise ValidationFailed(next(iter(errors.values()))[0], errors=errors)
    fields.update(category_id=category.id, latitude=data["lat"], longitude=data["long"])
    if (data["lat"] is None or data["long"] is None) and not data["address_string"].strip():
        raise ValidationFailed(_("A location is required: lat and long, or address_string."),
                               errors={"address_string": ["required"]})  # fmt: skip
    provider_id = str(uuid.uuid4())
    filing = web_form.file_complaint(provider_id, _complaint(data, category, fields), agency)
    ticket = filing.ticket
    return Filed(ticket.reference if ticket else None, provider_id, _notice(ticket, filing.pin))


def _complaint(data: dict, category, fields: dict) -> web_form.ComplaintForm:
    text = data["description"].strip() or category.name("ms")
    if data["address_string"].strip():
        text += "\n\n" + _("Address: %(address)s", address=data["address_string"].strip())
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
    if not raw.strip():
        return None
    try:
        number = normalise_phone(raw)
    except Exception:
        number = ""
    if not number.startswith("+"):
        message = _("Enter a Malaysian mobile number, e.g. 012-345 6789.")
        raise ValidationFailed(message, errors={"phone": [message]})
    return number


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
    account = agency_pages.web_account(agency)
    stored = db.session.scalar(select(InboundEvent.id).where(
        InboundEvent.channel == web_form.WEB, InboundEvent.account_key == account,
        InboundEvent.provider_id == token))  # fmt: skip
    if stored is None:
        raise NotFound(_("No such token."))
    ticket = web_form.ticket_for(token)
    reference = ticket.reference if ticket is not None and ticket.agency_id == agency.id else None
    return {"service_request_id": reference, "token": token}


def one(agency: Agency, reference: str, locale: str) -> dict:
    """``GET requests/{id}``: one of the agency's tickets; another agency's is ``NotFound``
    exactly as a reference that does not exist."""
    ticket = db.session.scalar(
        select(Ticket).where(Ticket.agency_id == agency.id, Ticket.reference == reference[:40])
    )
    if ticket is None:
        raise NotFound(_("No service request with this id."))
    return public_view(ticket, locale)


@dataclass(frozen=True)
class Query:
    references: list[str]
    service_codes: list[str]
    statuses: list[str]
    start: dt.datetime | None
    end: dt.datetime | None


def parse_query(args: Mapping[str, str]) -> Query:
    """GeoReport's ``GET requests`` filters; a malformed one is ``ValidationFailed``."""
    statuses = _listed(args.get("status"))
    if set(statuses) - {"open", "closed"}:
        raise ValidationFailed(_("status is open or closed."), errors={"status": ["open, closed"]})
    start, end = _date(args, "start_date"), _date(args, "end_date")
    if start and end and (end < start or end - start > WINDOW):
        raise ValidationFailed(_("The dates may span at most 90 days."),
                               errors={"end_date": ["range"]})  # fmt: skip
    references = _listed(args.get("service_request_id"))[:MAX_IDS]
    return Query(references, _listed(args.get("service_code")), statuses, start, end)


def search(agency: Agency, query: Query, locale: str) -> list[dict]:
    """``GET requests``: the agency's tickets by id (the other filters then ignored, as the
    standard says), else by service, status and received time (90 days at most, the last
    90 by default), newest first, at most 1000."""
    rows = select(Ticket).where(Ticket.agency_id == agency.id)
    if query.references:
        rows = rows.where(Ticket.reference.in_(query.references))
    else:
        rows = _filtered(rows, agency, query)
    found = db.session.scalars(rows.order_by(Ticket.received_at.desc()).limit(MAX_RESULTS))
    return [public_view(t, locale) for t in found]


def _filtered(rows, agency: Agency, query: Query):
    end = query.end or ((query.start + WINDOW) if query.start else utcnow())
    start = query.start or end - WINDOW
    rows = rows.where(Ticket.received_at >= start, Ticket.received_at <= end)
    if query.service_codes:
        codes = [c.id for c in agency_pages.categories(agency) if c.code in query.service_codes]
        rows = rows.where(Ticket.category_id.in_(codes))
    if query.statuses == ["open"]:
        rows = rows.where(Ticket.status.in_(OPEN))
    elif query.statuses == ["closed"]:
        rows = rows.where(Ticket.status.not_in(OPEN))
    return rows


def public_view(ticket: Ticket, locale: str) -> dict:
    """A ticket as GeoReport shows it, from the citizen's view of the ticket schema."""
    seen = TicketSchema(view="citizen").dump(ticket)
    category = ticket.category
    dates = [d for d in (ticket.received_at, ticket.acknowledged_at, ticket.resolved_at,
                         ticket.closed_at) if d is not None]  # fmt: skip
    return {
        "service_request_id": seen["reference"],
        "status": "open" if seen["status"] in OPEN else "closed",
        "status_notes": TicketStatus(seen["status"]).label(locale),
        "service_name": category.name(locale) if category else "",
        "service_code": category.code if category else "",
        "agency_responsible": ticket.agency.name,
        "service_notice": "",
        "requested_datetime": seen["received_at"],
        "updated_datetime": max(dates).isoformat(),
        "expected_datetime": seen["resolve_due_at"],
    }


def _listed(raw: str | None) -> list[str]:
    return [part.strip() for part in (raw or "").split(",") if part.strip()][:MAX_RESULTS]


def _date(args: Mapping[str, str], name: str) -> dt.datetime | None:
    raw = (args.get(name) or "").strip()
    if not raw:
        return None
    try:
        value = dt.datetime.fromisoformat(raw)
    except ValueError:
        value = None
    if value is None or value.tzinfo is None:
        message = _("Use a W3C date and time with its offset, e.g. 2026-01-01T00:00:00Z.")
        raise ValidationFailed(message, errors={name: [message]})
    return value.astimezone(dt.UTC)
