"""A queue of the inbox as rows: exactly the tickets the officer's queue shows with its
filters and search (``inbox.queries.walk``, which starts from ``access.visible_tickets``), in
the queue's order, a keyset batch at a time. No complainant contact details are written."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import func, select

from aduan.extensions import db
from aduan.models import Category, Officer, Ticket, Unit
from aduan.models.base import utcnow
from aduan.models.exports import Export
from aduan.services.exports.rows import Rows
from aduan.services.inbox import queries
from aduan.services.sla.clock import local_zone
from aduan.vocabulary import PriorityGroup, TicketStatus, TicketType, channel_term

BATCH = 1000
FILTER_FIELDS = ("status", "type", "category_id", "channel", "state", "q")


def params_of(queue: str, filters: queries.Filters) -> dict[str, Any]:
    """What the export row keeps of a queue and its filters (JSON)."""
    params: dict[str, Any] = {name: getattr(filters, name) for name in FILTER_FIELDS}
    params["received_from"] = filters.received_from and filters.received_from.isoformat()
    params["received_to"] = filters.received_to and filters.received_to.isoformat()
    params["priority"] = filters.priority
    return {"queue": queue, "filters": params}


def filters_of(params: dict[str, Any]) -> queries.Filters:
    """The filters a ``params_of`` dict holds."""
    raw = params.get("filters") or {}
    day = lambda v: dt.date.fromisoformat(v) if v else None  # noqa: E731
    return queries.Filters(
        **{name: raw.get(name) for name in FILTER_FIELDS},
        received_from=day(raw.get("received_from")),
        received_to=day(raw.get("received_to")),
        priority=bool(raw.get("priority")),
    )


def rows(export: Export, officer: Officer) -> Rows:
    """The queue export's content, read as ``officer`` sees it now."""
    queue = export.params.get("queue")
    if queue not in queries.QUEUES:
        queue = queries.DEFAULT_QUEUE
    filters, now = filters_of(export.params), utcnow()
    query = queries.queue_query(officer, queue, filters, now).order_by(None)
    total = db.session.scalar(select(func.count()).select_from(query.subquery())) or 0
    lang = export.params.get("lang") or "ms"
    names = _names(officer.agency_id, lang)
    batches = (
        [_row(t, names, lang) for t in batch]
        for batch in queries.walk(officer, queue, filters, now, BATCH)
    )
    header = [_("Reference"), _("Received"), _("Type"), _("Category"), _("Status"),
              _("Channel"), _("Subject"), _("Unit"), _("Assignee"), _("State code"),
              _("Resolve by"), _("Priority group")]  # fmt: skip
    stem = f"queue-{queue}-{now.astimezone(local_zone()):%Y%m%d-%H%M}"
    return Rows(_("Queue"), stem, header, total, batches)


def _names(agency_id: int, lang: str) -> dict[str, dict[int, str]]:
    """Unit, officer and category names of the agency, read once (not once per ticket)."""
    units = db.session.execute(select(Unit.id, Unit.name).where(Unit.agency_id == agency_id))
    officers = db.session.execute(
        select(Officer.id, Officer.name).where(Officer.agency_id == agency_id)
    )
    categories = db.session.scalars(select(Category).where(Category.agency_id == agency_id))
    return {
        "unit": dict(units.tuples().all()),
        "officer": dict(officers.tuples().all()),
        "category": {c.id: f"{c.code} {c.name(lang)}" for c in categories},
    }


def _label(enum, value: str | None, lang: str) -> str:
    try:
        return enum(value).label(lang) if value else ""
    except ValueError:
        return value or ""


def _local(moment: dt.datetime | None) -> dt.datetime | None:
    return moment.astimezone(local_zone()) if moment else None


def _row(ticket: Ticket, names: dict[str, dict[int, str]], lang: str) -> list[Any]:
    return [
        ticket.reference,
        _local(ticket.received_at),
        _label(TicketType, ticket.type, lang),
        names["category"].get(ticket.category_id, ""),
        _label(TicketStatus, ticket.status, lang),
        _label(channel_term, ticket.origin_channel, lang),
        ticket.subject,
        names["unit"].get(ticket.unit_id, ""),
        names["officer"].get(ticket.assignee_id, ""),
        ticket.state_code or "",
        _local(ticket.resolve_due_at),
        _label(PriorityGroup, ticket.priority_group, lang),
    ]
