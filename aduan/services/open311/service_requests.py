"""Open311 service requests of one jurisdiction (an agency), read in the citizen's view of
a ticket (``TicketSchema(view="citizen")``, the category and the agency's name): no
description, location, contact or officer ever leaves through GeoReport reads. Filing one is
``open311.filing``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import select

from aduan.errors import NotFound, ValidationFailed
from aduan.extensions import db
from aduan.models import Agency, Ticket
from aduan.models.base import utcnow
from aduan.schemas.tickets import TicketSchema
from aduan.services.citizen import agency_pages
from aduan.vocabulary import OPEN_STATUSES, TicketStatus

OPEN = frozenset(s.value for s in OPEN_STATUSES)
WINDOW = dt.timedelta(days=90)  # GeoReport's default and widest date range
MAX_RESULTS = 1000
MAX_IDS = 100


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
