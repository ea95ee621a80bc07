"""Opening a ticket: reference, owner unit, deadlines and the first timeline event."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.exc import IntegrityError

from aduan.errors import ValidationFailed
from aduan.extensions import db
from aduan.languages import citizen_language
from aduan.models import Agency, Category, Complainant, Officer, Ticket, Unit
from aduan.models.base import utcnow
from aduan.services.sla.clock import local_zone
from aduan.services.tickets import deadlines, references
from aduan.services.tickets.workflow import record_event
from aduan.vocabulary import (
    Complexity,
    PriorityGroup,
    TicketStatus,
    TicketType,
    channel_values,
)

MAX_REFERENCE_ATTEMPTS = 8


def open_ticket(
    *,
    agency: Agency,
    origin_channel: str,
    description: str,
    subject: str = "",
    type: str = TicketType.COMPLAINT.value,
    category: Category | None = None,
    unit: Unit | None = None,
    complainant: Complainant | None = None,
    received_at: dt.datetime | None = None,
    language: str = "ms",
    state_code: str | None = None,
    district: str | None = None,
    priority_group: str | None = None,
    complexity: str = Complexity.NORMAL.value,
    actor: Officer | None = None,
    defer_insert: bool = False,
    filer_name: str | None = None,
) -> Ticket:
    """Create a ticket with a unique reference and its deadlines; flushes, does not commit.

    ``defer_insert`` (intake): no flush and no savepoint — the caller's next flush inserts the
    ticket, and on the rare reference collision (``is_reference_collision``) the caller rolls
    back and retries its whole transaction. Saves a savepoint round trip pair and a flush.
    ``filer_name``: the name given with this complaint, shown on it whatever the complainant
    record says; ``complainant`` must be of ``agency`` (ValueError otherwise)."""
    _validate(origin_channel, type, complexity, priority_group)
    if complainant is not None and complainant.agency_id != agency.id:
        raise ValueError("a ticket's complainant belongs to the ticket's agency")
    received_at = received_at or utcnow()
    ticket = Ticket(
        agency=agency,
        agency_id=agency.id,
        origin_channel=origin_channel,
        subject=(subject or description[:120]).strip()[:300],
        description=description,
        type=type,
        status=TicketStatus.NEW.value,  # set now: a deferred insert records it before the flush
        category=category,
        unit=unit or _default_unit(agency, category),
        complainant=complainant,
        filer_name=(filer_name or None) and filer_name.strip()[:200] or None,
        received_at=received_at,
        language=citizen_language(language),
        state_code=state_code,
        district=district,
        priority_group=priority_group,
        complexity=complexity,
    )
    deadlines.set_initial(ticket)
    if defer_insert:
        ticket.reference = references.new_reference(_year(received_at), _prefix(agency))
        db.session.add(ticket)
    else:
        _insert_with_unique_reference(ticket, agency, received_at)
    record_event(
        ticket,
        "created",
        actor=actor,
        actor_kind="officer" if actor else "complainant",
        after={"status": ticket.status, "unit_id": ticket.unit.id if ticket.unit else None},
        data={"channel": origin_channel},
        at=received_at,
    )
    return ticket


def _validate(channel: str, type_: str, complexity: str, priority: str | None) -> None:
    errors = {}
    if channel not in channel_values():
        errors["origin_channel"] = [f"unknown channel {channel!r}"]
    if type_ not in TicketType.values():
        errors["type"] = [f"unknown type {type_!r}"]
    if complexity not in Complexity.values():
        errors["complexity"] = [f"unknown complexity {complexity!r}"]
    if priority is not None and priority not in PriorityGroup.values():
        errors["priority_group"] = [f"unknown priority group {priority!r}"]
    if errors:
        raise ValidationFailed("the ticket is not valid", errors=errors)


def _default_unit(agency: Agency, category: Category | None) -> Unit | None:
    unit_id = (category.default_unit_id if category else None) or agency.triage_unit_id
    return db.session.get(Unit, unit_id) if unit_id else None


def _year(received_at: dt.datetime) -> int:
    return received_at.astimezone(local_zone()).year


def _prefix(agency: Agency) -> str:
    return (agency.settings or {}).get("reference_prefix", "ADU")


def is_reference_collision(exc: IntegrityError) -> bool:
    """The unique index on tickets.reference refused a proposed reference."""
    return "reference" in str(exc.orig)


def _insert_with_unique_reference(ticket: Ticket, agency: Agency, received_at: dt.datetime):
    """Propose random references until the unique index accepts one (a savepoint per try)."""
    for _ in range(MAX_REFERENCE_ATTEMPTS):
        ticket.reference = references.new_reference(_year(received_at), _prefix(agency))
        try:
            with db.session.begin_nested():
                db.session.add(ticket)
                db.session.flush()
            return
        except IntegrityError as exc:
            if not is_reference_collision(exc):
                raise
    raise RuntimeError("could not allocate a unique reference number")


def find_by_reference(text: str, agency_id: int | None = None) -> Ticket | None:
    """Look a ticket up by a reference as a person typed it (case, O/0 and I/1 tolerant)."""
    canonical = references.normalise_reference(text)
    if canonical is None:
        return None
    query = db.select(Ticket).where(Ticket.reference == canonical)
    if agency_id is not None:
        query = query.where(Ticket.agency_id == agency_id)
    return db.session.scalar(query)
