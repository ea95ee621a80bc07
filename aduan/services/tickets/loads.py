"""Each officer's open-ticket count and fairness clock, kept on the officer row.

Choosing a duty officer used to count each candidate's open tickets on every assignment, a
cost that grew with the tickets (17 ms at 10,000). The count is now kept on
``Officer.open_ticket_count``:

- After every flush, the tickets inserted, changed or deleted in it are compared before and
  after (status open or not, assignee): +1 for an officer who gained an open ticket, -1 for one
  who lost it. Deltas gather in the session and are written just before the commit, in the
  same transaction as the tickets, one ``UPDATE … SET open_ticket_count = open_ticket_count
  + n`` per officer, in officer-id order. Written late, not at the flush: the row lock of that
  UPDATE is held to the end of the transaction, and parallel intake workers giving tickets to
  the same duty officer would otherwise queue behind each other for a whole complaint.
- The officer's fairness clock (the event id of their latest roster assignment) rides in the
  same UPDATE.
- The candidates' rows are read once per transaction (``kept``): a drain's group of
  complaints, or a bulk reassignment, chooses among the same duty officers many times, and
  what the transaction gave them since is in its own deltas.
- A rollback drops what was gathered. A write behind the ORM's back (raw SQL, a bulk UPDATE)
  is not seen: ``reconcile`` counts every officer's open tickets again, run by a periodic job.

Counts are for choosing fairly, not for display or audit; between two reconciles they may be
off by writes the ORM never saw, never by the intake's own writes.
"""

from __future__ import annotations

import logging
from collections import Counter
from itertools import chain

from sqlalchemy import event, func, inspect, update
from sqlalchemy.orm import Session

from aduan.extensions import db
from aduan.models import Officer, Ticket, TicketEvent
from aduan.services import pending_rows
from aduan.vocabulary import OPEN_STATUSES

log = logging.getLogger(__name__)

OPEN = frozenset(s.value for s in OPEN_STATUSES)
pending_rows.track(Ticket)
_DELTAS = "aduan_open_count_deltas"
_CLOCKS = "aduan_assignment_clocks"
_READ = "aduan_officer_rows_read"


def pending_deltas() -> Counter:
    """Open tickets given to (+) or taken from (-) each officer in this transaction and not
    yet written to their row: gathered at the flushes, plus the tickets not flushed yet (a
    drain's group writes its tickets together: ``group_writes``)."""
    session = db.session()
    deltas = Counter(session.info.get(_DELTAS, {}))
    deltas.update(_changes(pending_rows.pending(session, (Ticket,)), session.dirty, ()))
    return deltas


def clock_order(officer_id: int, kept_clock: int | None) -> tuple[int, int]:
    """Orders officers by when they were last given a ticket by the roster: by their kept
    clock, and after all of those, by the order of this transaction's own assignments."""
    noted = db.session.info.get(_CLOCKS, {}).get(officer_id)
    return (1, noted[0]) if noted is not None else (0, kept_clock or 0)


def kept(officer_ids: list[int]) -> dict[int, tuple[int, int | None]]:
    """Each officer's kept open count and fairness clock as their row held them when this
    transaction first asked: one primary-key read per officer and transaction. Add
    ``pending_delta`` and ``pending_clock`` for what the transaction has done since."""
    read = db.session.info.setdefault(_READ, {})
    missing = [officer_id for officer_id in officer_ids if officer_id not in read]
    if missing:
        query = db.select(
            Officer.id, Officer.open_ticket_count, Officer.last_assigned_event_id
        ).where(Officer.id.in_(missing))
        with db.session.no_autoflush:  # a pending ticket changes no officer's row
            read.update((row[0], (row[1], row[2])) for row in db.session.execute(query))
    return {officer_id: read[officer_id] for officer_id in officer_ids if officer_id in read}


def note_assignment(officer_id: int, event: TicketEvent) -> None:
    """Move ``officer_id``'s fairness clock to ``event`` (its id, once inserted) at the
    commit."""
    clocks = db.session.info.setdefault(_CLOCKS, {})
    clocks[officer_id] = (max((seq for seq, _ in clocks.values()), default=0) + 1, event)


def reconcile(agency_id: int | None = None) -> int:
    """Count every officer's open tickets again (of ``agency_id``, else of every agency) and
    correct the stored counts; returns how many officers were corrected. Commits.

    The officers' rows are locked first, then counted in a later statement (a fresh snapshot):
    an intake transaction that already wrote its delta has committed by then and is counted;
    one that has not waits for the lock and adds its delta to the corrected count."""
    agencies = [agency_id] if agency_id is not None else _agencies_with_officers()
    corrected = 0
    for one in agencies:
        corrected += _reconcile_agency(one)
        db.session.commit()
    if corrected:
        log.info("officer open counts corrected officers=%d", corrected)
    return corrected


def _agencies_with_officers() -> list[int]:
    return list(db.session.scalars(db.select(Officer.agency_id).distinct()))


def _reconcile_agency(agency_id: int) -> int:
    db.session.execute(
        db.select(Officer.id)
        .where(Officer.agency_id == agency_id)
        .order_by(Officer.id)
        .with_for_update()
    ).all()
    counted = (
        db.select(func.count())
        .where(Ticket.assignee_id == Officer.id, Ticket.status.in_(sorted(OPEN)))
        .scalar_subquery()
    )
    result = db.session.execute(
        update(Officer)
        .where(Officer.agency_id == agency_id, Officer.open_ticket_count != counted)
        .values(open_ticket_count=counted)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount or 0


def _before_and_after(state) -> tuple[int | None, int | None]:
    """The officer holding ``ticket`` open before and after this flush (None: nobody)."""

    def values(name: str):
        history = state.attrs[name].history
        now = history.added[0] if history.added else state.dict.get(name)
        if history.deleted:
            return history.deleted[0], now
        return (None if history.added and not history.unchanged else now), now

    status_before, status_after = values("status")
    assignee_before, assignee_after = values("assignee_id")
    holder_before = assignee_before if status_before in OPEN else None
    holder_after = assignee_after if status_after in OPEN else None
    return holder_before, holder_after


@event.listens_for(Session, "after_flush")
def _count_changes(session, _context) -> None:
    deltas = _changes(session.new, session.dirty, session.deleted)
    if deltas:
        gathered = session.info.setdefault(_DELTAS, {})
        for officer_id, n in deltas.items():
            gathered[officer_id] = gathered.get(officer_id, 0) + n


def _changes(new, dirty, deleted) -> Counter:
    """The open-ticket deltas of new, changed and deleted tickets (of any rows given)."""
    deltas: Counter = Counter()
    for ticket, kind in chain(
        ((t, "new") for t in new),
        ((t, "dirty") for t in dirty),
        ((t, "deleted") for t in deleted),
    ):
        if not isinstance(ticket, Ticket):
            continue
        before, after = _holders(ticket, kind)
        if before == after:
            continue
        if before is not None:
            deltas[before] -= 1
        if after is not None:
            deltas[after] += 1
    return deltas


def _holders(ticket: Ticket, kind: str) -> tuple[int | None, int | None]:
    state = inspect(ticket)
    before, after = _before_and_after(state)
    if kind == "new":
        return None, after
    if kind == "deleted":
        return before, None
    return before, after


@event.listens_for(Session, "before_commit")
def _write_officer_rows(session) -> None:
    if session.in_nested_transaction():
        return  # a savepoint released: the transaction's own commit comes later
    if session.new or session.dirty or session.deleted:
        session.flush()  # its deltas are gathered by _count_changes
    deltas = {k: v for k, v in session.info.pop(_DELTAS, {}).items() if v and k is not None}
    clocks = session.info.pop(_CLOCKS, {})
    for officer_id in sorted(set(deltas) | set(clocks)):  # one lock order for every writer
        values = {}
        if officer_id in deltas:
            values["open_ticket_count"] = Officer.open_ticket_count + deltas[officer_id]
        if officer_id in clocks:
            values["last_assigned_event_id"] = clocks[officer_id][1].id  # flushed above
        session.execute(
            update(Officer)
            .where(Officer.id == officer_id)
            .values(**values)
            .execution_options(synchronize_session=False)
        )


@event.listens_for(Session, "after_soft_rollback")
def _forget(session, previous) -> None:
    if previous.parent is None:  # the whole transaction, not a savepoint, was rolled back
        session.info.pop(_DELTAS, None)
        session.info.pop(_CLOCKS, None)


@event.listens_for(Session, "after_transaction_end")
def _forget_read(session, transaction) -> None:
    if transaction.parent is None:  # committed, rolled back or closed: read the rows again
        session.info.pop(_READ, None)


def _load_old_values(target, value, oldvalue, initiator):  # noqa: ARG001
    return value


# The value a ticket's status or assignee had before a change is loaded when it changes, even
# if it was never read (an expired ticket given a new status): the delta needs it.
for _attribute in (Ticket.status, Ticket.assignee_id):
    event.listen(_attribute, "set", _load_old_values, active_history=True, retval=True)
