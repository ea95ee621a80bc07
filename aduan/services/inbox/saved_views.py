"""An officer's saved inbox views: a name and the query string of a queue with its filters,
search and sort. Each officer sees and changes only their own."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode

from flask_babel import lazy_gettext as _l

from aduan.errors import NotFound, ValidationFailed
from aduan.extensions import db
from aduan.models import Officer
from aduan.models.routing import SavedView

# What a view may hold: the inbox's own query arguments, nothing else (no cursor, no etag).
KEPT = ("queue", "q", "scope", "status", "type", "category", "channel", "state", "from", "to",
        "priority", "sort", "dir", "view")  # fmt: skip
MOST_VIEWS = 20


def mine(officer: Officer) -> list[SavedView]:
    """The officer's saved views, by name."""
    query = db.select(SavedView).where(SavedView.officer_id == officer.id)
    return list(db.session.scalars(query.order_by(SavedView.name)))


def save(officer: Officer, name: str, query_string: str) -> SavedView:
    """Save (or replace, by name) a view of the officer's; the caller commits."""
    name = " ".join((name or "").split())[:60]
    if not name:
        raise ValidationFailed(_l("Give the view a name."), errors={"name": ["required"]})
    kept = [(k, v) for k, v in parse_qsl(query_string or "") if k in KEPT and v][:20]
    query = urlencode(kept)[:1000]
    row = db.session.scalar(
        db.select(SavedView).where(SavedView.officer_id == officer.id, SavedView.name == name)
    )
    if row is None:
        if len(mine(officer)) >= MOST_VIEWS:
            raise ValidationFailed(_l("At most 20 saved views: delete one first."))
        row = SavedView(officer_id=officer.id, name=name, query=query)
        db.session.add(row)
    row.query = query
    db.session.flush()
    return row


def url(view: SavedView) -> str:
    """Where a saved view opens: the inbox with its query string."""
    return "/inbox" + (f"?{view.query}" if view.query else "")


def delete(officer: Officer, view_id: int) -> None:
    """Delete one of the officer's own views; another's is simply not found."""
    row = db.session.get(SavedView, view_id)
    if row is None or row.officer_id != officer.id:
        raise NotFound("no such view")
    db.session.delete(row)
