"""A new complaint is routed, then given to an on-duty officer of its unit — by intake."""

import datetime as dt

import pytest
import time_machine

from aduan.extensions import db
from aduan.models import Ticket, TicketEvent
from aduan.models.routing import RosterPattern
from aduan.services.intake.pipeline import process_event
from tests.builders import gen_agency, gen_officer, gen_unit
from tests.services import intake_builders
from tests.services.intake_builders import sms_event

accounts = intake_builders.accounts
WEDNESDAY_10AM_MYT = dt.datetime(2026, 3, 4, 2, 0, tzinfo=dt.UTC)


@pytest.fixture
def triage(db):
    agency = gen_agency("JPS")
    unit = gen_unit(agency, state="10")
    agency.triage_unit_id = unit.id
    db.session.commit()
    return unit


def on_duty_every_day(unit, officer):
    for weekday in range(7):
        db.session.add(RosterPattern(unit_id=unit.id, officer_id=officer.id, weekday=weekday))


@time_machine.travel(WEDNESDAY_10AM_MYT, tick=False)
def test_new_complaints_go_to_on_duty_officers_in_turn(triage, accounts):
    first = gen_officer(triage.agency, [triage])
    second = gen_officer(triage.agency, [triage])
    on_duty_every_day(triage, first)
    on_duty_every_day(triage, second)
    db.session.commit()
    for n, phone in enumerate(("+60121111111", "+60122222222", "+60123333333")):
        event = sms_event(f"Aduan nombor {n}", "SM" + str(n) * 32, sender=phone)
        assert process_event(event.id) == "processed"
    tickets = db.session.scalars(db.select(Ticket).order_by(Ticket.id)).all()
    assert [t.assignee_id for t in tickets] == [first.id, second.id, first.id]
    kinds = [e.kind for e in tickets[0].events]
    assert kinds.index("routed") < kinds.index("assigned")


@time_machine.travel(WEDNESDAY_10AM_MYT, tick=False)
def test_nobody_on_duty_leaves_the_ticket_visibly_waiting(triage, accounts):
    head = gen_officer(triage.agency, [triage], roles=("supervisor",))
    triage.head_officer_id = head.id
    db.session.commit()
    process_event(sms_event("Longkang tersumbat", "SM" + "9" * 32).id)
    ticket = db.session.scalar(db.select(Ticket))
    assert ticket.assignee_id is None
    waiting = db.session.scalars(
        db.select(TicketEvent).where(TicketEvent.kind == "awaiting_duty_officer")
    ).all()
    assert len(waiting) == 1
