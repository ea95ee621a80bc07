"""How a queue is sorted and how its pages continue (keyset cursors), for every sortable column.

A cursor holds the sort key and the last row's ``(value, id)``; the next page starts strictly
after it, so page N costs the same as page 1 and no row is skipped or repeated. Empty values
(a ticket without a deadline) always come last, whichever way the column is sorted.
"""

from __future__ import annotations

import base64
import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, and_, or_

from aduan.models import Ticket

# Sort key → (column, holds a moment). "due" is the queues' own order (ix_tickets_*_due).
COLUMNS = {
    "due": (Ticket.resolve_due_at, True),
    "received": (Ticket.received_at, True),
    "updated": (Ticket.updated_at, True),
    "reference": (Ticket.reference, False),
}
SORT_KEYS = tuple(COLUMNS)


@dataclass(frozen=True)
class Order:
    """One sortable column and its direction."""

    key: str = "due"
    descending: bool = False

    @property
    def column(self):
        return COLUMNS[self.key][0]

    @property
    def direction(self) -> str:
        return "desc" if self.descending else "asc"


def order_for(queue: str, sort: str | None = None, direction: str | None = None) -> Order:
    """The order an officer asked for, or the queue's own: "recently closed" lists the latest
    closed first, every other queue the nearest deadline first."""
    if sort in COLUMNS:
        return Order(sort, direction == "desc")
    if queue == "recently_closed":
        return Order("updated", True)
    return Order("due", False)


def order_by(order: Order) -> list:
    """ORDER BY clauses: the column (empty values last), then the id the same way."""
    if order.descending:
        return [order.column.desc().nulls_last(), Ticket.id.desc()]
    return [order.column.asc().nulls_last(), Ticket.id.asc()]


def after(order: Order, value: Any, ticket_id: int) -> ColumnElement[bool]:
    """Rows strictly after ``(value, ticket_id)`` in ``order``."""
    column = order.column
    beyond_id = Ticket.id < ticket_id if order.descending else Ticket.id > ticket_id
    if value is None:
        return and_(column.is_(None), beyond_id)
    beyond = column < value if order.descending else column > value
    return or_(beyond, and_(column == value, beyond_id), column.is_(None))


def encode_cursor(ticket: Ticket, order: Order) -> str:
    """The cursor that continues after ``ticket`` in ``order``."""
    value = getattr(ticket, order.column.key)
    text = "-" if value is None else (value.isoformat() if COLUMNS[order.key][1] else value)
    raw = f"{order.key}|{text}|{ticket.id}"
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str | None, order: Order) -> tuple[Any, int] | None:
    """The ``(value, id)`` in ``cursor``; None when missing, malformed or made for another
    order (a cursor kept from before the officer re-sorted starts again at the top)."""
    if not cursor:
        return None
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        key, text, id_text = raw.split("|")
        if key != order.key:
            return None
        value: Any = None if text == "-" else text
        if value is not None and COLUMNS[key][1]:
            value = dt.datetime.fromisoformat(text)
            if value.tzinfo is None:
                return None
        ticket_id = int(id_text)
        if not 0 < ticket_id < 2**63:  # beyond a bigint: PostgreSQL would refuse it
            return None
        return value, ticket_id
    except (ValueError, UnicodeDecodeError):
        return None
