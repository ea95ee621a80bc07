"""Daily handling: who is on duty in a unit on a date, and giving tickets to them fairly.

On duty = the weekly pattern for that weekday, plus ``extra`` days, minus ``leave`` days;
nobody on a rest day or public holiday of the unit's state. Assignment goes to the on-duty
officer with the fewest open tickets; ties go to whoever was given a ticket least recently
(never-assigned first, then by officer id), so the choice is deterministic.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import inspect

from aduan.extensions import db
from aduan.models import Officer, Ticket, Unit
from aduan.models.routing import RosterException, RosterPattern
from aduan.services import group_writes
from aduan.services.intake import reference_cache
from aduan.services.outbox import officer_notices as notifications
from aduan.services.sla.clock import local_moment, local_today
from aduan.services.tickets import deadlines, loads
from aduan.services.tickets.workflow import record_event
from aduan.vocabulary import OPEN_STATUSES

OPEN = [s.value for s in OPEN_STATUSES]


def on_duty(unit: Unit, day: dt.date) -> list[Officer]:
    """Active officers on duty in ``unit`` on ``day``, by id (none on the agency's closed days)."""
    if not deadlines.calendar(unit.state_code, unit.agency_id).is_working_day(day):
        return []
    ids = set(
        db.session.scalars(
            db.select(RosterPattern.officer_id).where(
                RosterPattern.unit_id == unit.id, RosterPattern.weekday == day.weekday()
            )
        )
    )
    for exc in db.session.scalars(
        db.select(RosterException).where(
            RosterException.unit_id == unit.id, RosterException.day == day
        )
    ):
        (ids.add if exc.kind == "extra" else ids.discard)(exc.officer_id)
    if not ids:
        return []
    query = db.select(Officer).where(Officer.id.in_(ids), Officer.active.is_(True))
    return list(db.session.scalars(query.order_by(Officer.id)))


def duty_officer_ids(unit: Unit, day: dt.date) -> list[int]:
    """``on_duty`` as ids, cached per process (an admin's roster edit clears it)."""
    return reference_cache.cached(
        ("on-duty", unit.id, day), lambda: [o.id for o in on_duty(unit, day)]
    )


def pick(officer_ids: list[int]) -> int:
    """The fairest choice among ``officer_ids`` (fewest open, then least recently given one,
    then lowest id): the officers' kept counts (``loads.kept``, read once per transaction),
    plus what this transaction has given them and not yet written."""
    rows = loads.kept(officer_ids)
    pending = loads.pending_deltas()

    def fairness(officer_id: int) -> tuple[int, tuple[int, int], int]:
        count, clock = rows[officer_id]
        return count + pending[officer_id], loads.clock_order(officer_id, clock), officer_id

    return min(rows, key=fairness)


def assign(ticket: Ticket, at: dt.datetime | None = None, actor: Officer | None = None):
    """Give ``ticket`` to an on-duty officer of its unit and return that officer's id; None
    (and the head told) if nobody is on duty. Flushes."""
    unit = ticket.unit or (db.session.get(Unit, ticket.unit_id) if ticket.unit_id else None)
    officer_ids = duty_officer_ids(unit, local_today(at)) if unit is not None else []
    if not officer_ids:
        _await_duty_officer(ticket, unit, at)
        return None
    chosen = pick(officer_ids)
    before = ticket.assignee_id
    _set_assignee(ticket, chosen)
    event = record_event(
        ticket,
        "assigned",
        actor=actor,
        before={"assignee_id": before},
        after={"assignee_id": chosen},
        data={"by": "roster"},
        at=at,
    )
    group_writes.flush()
    loads.note_assignment(chosen, event)  # written at the commit (``loads``)
    return chosen


def _set_assignee(ticket: Ticket, officer_id: int) -> None:
    """By the foreign key, which needs no Officer loaded, unless the relationship is loaded or
    changed in this session (it would win at the flush)."""
    state = inspect(ticket)
    if "assignee" in state.dict or state.attrs.assignee.history.has_changes():
        ticket.assignee = db.session.get(Officer, officer_id)
    else:
        ticket.assignee_id = officer_id


def go_on_leave(officer: Officer, day: dt.date, at: dt.datetime | None = None) -> list[Ticket]:
    """Record leave in each of the officer's units and hand their open tickets to peers."""
    for unit in officer.units:
        exc = db.session.scalar(
            db.select(RosterException).where(
                RosterException.unit_id == unit.id,
                RosterException.officer_id == officer.id,
                RosterException.day == day,
            )
        )
        if exc is None:
            db.session.add(
                RosterException(unit_id=unit.id, officer_id=officer.id, day=day, kind="leave")
            )
        else:
            exc.kind = "leave"
    db.session.flush()
    tickets = list(
        db.session.scalars(
            db.select(Ticket)
            .where(Ticket.assignee_id == officer.id, Ticket.status.in_(OPEN))
            .order_by(Ticket.id)
        )
    )
    when = at or local_moment(day, dt.time(9))
    for ticket in tickets:
        ticket.assignee = None
        assign(ticket, at=when)
    return tickets


def _await_duty_officer(ticket: Ticket, unit: Unit | None, at: dt.datetime | None) -> None:
    ticket.assignee = None
    record_event(
        ticket, "awaiting_duty_officer", data={"unit_id": unit.id if unit else None}, at=at
    )
    head = db.session.get(Officer, unit.head_officer_id) if unit and unit.head_officer_id else None
    if head is None:
        return
    notifications.notify(
        head,
        "awaiting_duty_officer",
        ticket=ticket,
        title_ms=f"Tiada pegawai bertugas untuk {ticket.reference}",
        title_en=f"No duty officer for {ticket.reference}",
        body_ms=f"Tiada pegawai bertugas di {unit.name}; aduan belum diagihkan.",
        body_en=f"Nobody is on duty in {unit.name}; the ticket is unassigned.",
    )
