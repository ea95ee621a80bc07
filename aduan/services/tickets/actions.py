"""Officer actions on one ticket that are neither status, routing nor merging: a note, an
assignment, a transfer by unit id, the classification. One write path for the ticket page
and ``/api/v1``.

The actor is an officer or an API token (an integration principal); the caller has loaded
the ticket through ``access`` and commits (``workflow.commit``).
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from aduan.errors import ValidationFailed
from aduan.extensions import db
from aduan.models import Category, Message, Officer, Ticket, Unit, officer_units
from aduan.models.api import ApiToken
from aduan.models.base import utcnow
from aduan.services.tickets import deadlines, routing, workflow
from aduan.vocabulary import Complexity, TicketType

Actor = Officer | ApiToken


def add_note(ticket: Ticket, actor: Actor, text: str) -> Message:
    """An internal note (never shown to the complainant). A token's note is also an event,
    so the timeline says which integration wrote it."""
    text = (text or "").strip()
    if not text:
        raise ValidationFailed(_l("Write a note first."), errors={"body": ["required"]})
    officer = actor if isinstance(actor, Officer) else None
    note = Message(
        ticket_id=ticket.id, direction="note", channel="internal",
        author_id=officer.id if officer else None, body=text,
    )  # fmt: skip
    db.session.add(note)
    ticket.last_officer_action_at = utcnow()
    if officer is None:
        workflow.record_event(ticket, "note_added", actor=actor)
    return note


def assignable(ticket: Ticket) -> list[Officer]:
    """Active officers of the ticket's unit."""
    if ticket.unit_id is None:
        return []
    return list(
        db.session.scalars(
            db.select(Officer)
            .join(officer_units, officer_units.c.officer_id == Officer.id)
            .where(
                officer_units.c.unit_id == ticket.unit_id,
                Officer.agency_id == ticket.agency_id,
                Officer.active.is_(True),
            )
            .order_by(Officer.name)
        )
    )


def assign(ticket: Ticket, actor: Actor, officer_id: int | str | None) -> bool:
    """Give the ticket to an officer of its unit; empty ``officer_id``: unassign it. False
    (and no event in the timeline) when it already is that officer's."""
    chosen = str(officer_id or "")
    candidates = {str(o.id): o for o in assignable(ticket)}
    if chosen and chosen not in candidates:
        raise ValidationFailed(
            _l("Choose an officer of the ticket's unit."), errors={"officer_id": ["not allowed"]}
        )
    if str(ticket.assignee_id or "") == chosen:
        return False
    before = {"assignee_id": ticket.assignee_id}
    ticket.assignee = candidates.get(chosen)
    ticket.last_officer_action_at = utcnow()
    workflow.record_event(
        ticket, "assigned", actor=actor, before=before,
        after={"assignee_id": ticket.assignee.id if ticket.assignee else None},
    )  # fmt: skip
    return True


def transfer(ticket: Ticket, actor: Actor, unit_id: int | str | None, note: str | None) -> Unit:
    """Move the ticket to a unit of its own agency (``routing.transfer`` does the rest)."""
    unit_key = str(unit_id or "")
    unit = db.session.get(Unit, int(unit_key)) if unit_key.isdigit() else None
    if unit is None or unit.agency_id != ticket.agency_id:
        raise ValidationFailed(_l("Choose a unit."), errors={"unit_id": ["unknown unit"]})
    routing.transfer(ticket, unit, actor, (note or "").strip() or None)
    return unit


def classify(ticket: Ticket, actor: Actor, new_type: str | None, category_id: int | str | None,
             complexity: str | None) -> bool:  # fmt: skip
    """Set the type, category (empty: none) and complexity; a new complexity recomputes the
    deadlines. Returns whether anything changed (a ``classified`` event when it did)."""
    before = {"type": ticket.type, "category_id": ticket.category_id,
              "complexity": ticket.complexity}  # fmt: skip
    new_type = new_type or ticket.type
    complexity = complexity or ticket.complexity
    if new_type not in TicketType.values() or complexity not in Complexity.values():
        raise ValidationFailed(_l("Choose a type and a complexity from the lists."),
                               errors={"type": ["unknown"], "complexity": ["unknown"]})  # fmt: skip
    key = str(category_id or "")
    category = db.session.get(Category, int(key)) if key.isdigit() else None
    if (key and category is None) or (category and category.agency_id != ticket.agency_id):
        raise ValidationFailed(_l("Choose a category from the list."),
                               errors={"category_id": ["unknown"]})  # fmt: skip
    ticket.type, ticket.category = new_type, category
    if complexity != ticket.complexity:
        ticket.complexity = complexity
        deadlines.recompute(ticket)
    after = {"type": ticket.type, "category_id": category.id if category else None,
             "complexity": ticket.complexity}  # fmt: skip
    if after == before:
        return False
    ticket.last_officer_action_at = utcnow()
    workflow.record_event(ticket, "classified", actor=actor, before=before, after=after)
    return True
