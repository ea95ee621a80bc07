import datetime as dt
from collections import Counter

from aduan.models import Ticket, TicketEvent
from aduan.models.routing import Notification, RosterException
from aduan.services.tickets import roster
from tests.builders import gen_officer, gen_ticket
from tests.builders_routing import WEEKDAYS, gen_org, put_on_roster

MONDAY = dt.date(2026, 3, 2)
AT_MONDAY = dt.datetime(2026, 3, 2, 1, 30, tzinfo=dt.UTC)  # 09:30 MYT


def test_weekly_pattern_extra_days_and_leave(db):
    agency, unit, head, *_, (a, b) = gen_org(officers=2)
    c = gen_officer(agency, [unit])
    put_on_roster(unit, c, WEEKDAYS)
    assert roster.on_duty(unit, MONDAY) == [a, b, c]
    db.session.add(RosterException(unit_id=unit.id, officer_id=a.id, day=MONDAY, kind="leave"))
    db.session.add(RosterException(unit_id=unit.id, officer_id=head.id, day=MONDAY, kind="extra"))
    assert [o.id for o in roster.on_duty(unit, MONDAY)] == sorted([b.id, c.id, head.id])


def test_nobody_is_on_duty_on_a_rest_day_or_state_holiday(db):
    _, selangor, *_ = gen_org(state="10")
    _, kedah, *_ = gen_org(state="02")
    saturday, friday = dt.date(2026, 3, 7), dt.date(2026, 3, 6)
    assert roster.on_duty(selangor, saturday) == []
    assert roster.on_duty(kedah, friday) == []  # Kedah rests Friday-Saturday
    assert roster.on_duty(kedah, dt.date(2026, 3, 8))  # ...and works on Sunday
    assert roster.on_duty(selangor, dt.date(2026, 3, 23)) == []  # Hari Raya (observed), Selangor


def test_assign_prefers_the_least_loaded_on_duty_officer(db):
    agency, unit, *_, (a, b) = gen_org(officers=2)
    for _ in range(2):
        gen_ticket(agency, unit).assignee = a
    ticket = gen_ticket(agency, unit)
    assert roster.assign(ticket, at=AT_MONDAY) == b.id
    event = db.session.scalars(db.select(TicketEvent).where(TicketEvent.kind == "assigned")).one()
    assert event.after == {"assignee_id": b.id}


def test_fairness_over_1000_assignments(db):
    agency, unit, *_, staff = gen_org(officers=7)
    tickets = [gen_ticket(agency, unit) for _ in range(1000)]
    for ticket in tickets:
        roster.assign(ticket, at=AT_MONDAY)
    loads = Counter(t.assignee_id for t in tickets)
    assert set(loads) == {o.id for o in staff}
    assert max(loads.values()) - min(loads.values()) <= 1


def test_ties_go_round_robin_even_when_work_is_closed(db):
    agency, unit, *_, (a, b, c) = gen_org(officers=3)
    order = []
    for _ in range(6):
        ticket = gen_ticket(agency, unit)
        order.append(roster.assign(ticket, at=AT_MONDAY))
        ticket.status = "ditutup"  # every officer's load stays at zero
        db.session.flush()
    assert order == [a.id, b.id, c.id, a.id, b.id, c.id]


def test_leave_hands_open_tickets_to_on_duty_peers(db):
    agency, unit, *_, (a, b, c) = gen_org(officers=3)
    mine = [gen_ticket(agency, unit) for _ in range(4)]
    for ticket in mine:
        ticket.assignee = a
    closed = gen_ticket(agency, unit, description="selesai")
    closed.assignee, closed.status = a, "ditutup"
    db.session.flush()
    moved = roster.go_on_leave(a, MONDAY)
    assert {t.id for t in moved} == {t.id for t in mine}
    assert Counter(t.assignee_id for t in mine) == {b.id: 2, c.id: 2}
    assert closed.assignee_id == a.id
    assert a not in roster.on_duty(unit, MONDAY)


def test_no_one_on_duty_tells_the_unit_head_and_leaves_the_ticket_unassigned(db):
    agency, unit, head, *_ = gen_org(officers=0)
    ticket = gen_ticket(agency, unit)
    assert roster.assign(ticket, at=AT_MONDAY) is None
    assert ticket.assignee_id is None
    kinds = [e.kind for e in db.session.get(Ticket, ticket.id).events]
    assert "awaiting_duty_officer" in kinds
    note = db.session.scalars(db.select(Notification)).one()
    assert note.officer_id == head.id and note.kind == "awaiting_duty_officer"


def test_leave_with_nobody_else_on_duty_leaves_tickets_awaiting(db):
    agency, unit, head, *_, (a,) = gen_org(officers=1)
    ticket = gen_ticket(agency, unit)
    ticket.assignee = a
    roster.go_on_leave(a, MONDAY)
    assert ticket.assignee_id is None
    assert db.session.scalar(db.select(db.func.count()).select_from(Notification)) == 1


def test_the_fairness_clock_is_written_at_commit_and_forgotten_on_rollback(db):
    agency, unit, *_, (a, b) = gen_org(officers=2)
    db.session.commit()
    first = gen_ticket(agency, unit)
    assert roster.assign(first, at=AT_MONDAY) == a.id
    second = gen_ticket(agency, unit)
    first.status = second.status = "ditutup"  # equal loads: the clock decides
    assert roster.assign(second, at=AT_MONDAY) == b.id  # a's pending clock counts already
    db.session.commit()
    db.session.expire_all()
    assert 0 < a.last_assigned_event_id < b.last_assigned_event_id
    third = gen_ticket(agency, unit)
    third.status = "ditutup"
    assert roster.assign(third, at=AT_MONDAY) == a.id
    db.session.rollback()
    db.session.expire_all()
    assert a.last_assigned_event_id < b.last_assigned_event_id  # unchanged
