"""Each officer's open-ticket count is kept on their row with the tickets' own transaction
(``aduan.services.tickets.loads``) and reconciled by a periodic job."""

import datetime as dt

from aduan.extensions import db
from aduan.models import Officer, Ticket
from aduan.services.tickets import loads, roster, workflow
from tests.builders import gen_ticket
from tests.builders_routing import gen_org

AT_MONDAY = dt.datetime(2026, 3, 2, 1, 30, tzinfo=dt.UTC)  # 09:30 MYT


def stored_counts(*officers: Officer) -> list[int]:
    ids = [o.id for o in officers]
    rows = dict(db.session.execute(db.select(Officer.id, Officer.open_ticket_count)).all())
    return [rows[i] for i in ids]


def counted(officer: Officer) -> int:
    return db.session.scalar(
        db.select(db.func.count()).where(
            Ticket.assignee_id == officer.id, Ticket.status.in_(sorted(loads.OPEN))
        )
    )


def test_assignments_status_changes_and_transfers_move_the_counts_at_commit(db):
    agency, unit, *_, (a, b) = gen_org(officers=2)
    db.session.commit()
    tickets = [gen_ticket(agency, unit) for _ in range(3)]
    for ticket in tickets:
        roster.assign(ticket, at=AT_MONDAY)
    assert stored_counts(a, b) == [0, 0]  # written at the commit, not before
    db.session.commit()
    assert stored_counts(a, b) == [2, 1]

    first = db.session.get(Ticket, tickets[0].id)
    first.assignee_id = b.id  # a → b
    db.session.commit()
    assert stored_counts(a, b) == [1, 2]

    db.session.expire_all()  # the status was never read in this transaction: still counted
    workflow.change_status(db.session.get(Ticket, tickets[1].id), "dalam_tindakan", actor=a)
    db.session.commit()
    assert stored_counts(a, b) == [1, 2]
    db.session.expire_all()
    closing = db.session.get(Ticket, tickets[1].id)
    closing.status = "ditutup"
    db.session.commit()
    assert stored_counts(a, b) == [1, 1] == [counted(a), counted(b)]


def test_a_rollback_writes_nothing(db):
    agency, unit, *_, (a, _b) = gen_org(officers=2)
    db.session.commit()
    roster.assign(gen_ticket(agency, unit), at=AT_MONDAY)
    assert loads.pending_deltas()[a.id] == 1
    db.session.rollback()
    assert loads.pending_deltas()[a.id] == 0
    db.session.commit()
    assert stored_counts(a) == [0]


def test_the_pick_counts_what_this_transaction_gave_already(db):
    agency, unit, *_, (a, b) = gen_org(officers=2)
    a.open_ticket_count, b.open_ticket_count = 5, 6
    db.session.commit()
    picked = [roster.assign(gen_ticket(agency, unit), at=AT_MONDAY) for _ in range(3)]
    # a: 5 → 6 ties with b, whose clock is older (never given one); then a has fewer again
    assert picked == [a.id, b.id, a.id]
    db.session.commit()
    assert stored_counts(a, b) == [7, 7]


def test_reconcile_corrects_counts_written_behind_the_orms_back(db):
    agency, unit, *_, (a, b) = gen_org(officers=2)
    db.session.commit()
    for _ in range(3):
        roster.assign(gen_ticket(agency, unit), at=AT_MONDAY)
    db.session.commit()
    db.session.execute(
        db.text("UPDATE tickets SET status = 'selesai' WHERE assignee_id = :a"), {"a": a.id}
    )
    db.session.execute(
        db.text("UPDATE officers SET open_ticket_count = 40 WHERE id = :b"), {"b": b.id}
    )
    db.session.commit()
    assert loads.reconcile() == 2
    assert stored_counts(a, b) == [0, 1] == [counted(a), counted(b)]
    assert loads.reconcile(agency.id) == 0  # nothing left to correct
