import datetime as dt
import itertools

import pytest
from sqlalchemy.orm import Session

from aduan.errors import IllegalTransition, StaleTicket, ValidationFailed
from aduan.models import Ticket, TicketEvent
from aduan.models.tickets import AppendOnlyError
from aduan.services.tickets import workflow
from aduan.vocabulary import TicketStatus as S
from tests.builders import gen_agency, gen_officer, gen_ticket, gen_unit

ALL_PAIRS = list(itertools.product(list(S), list(S)))
LEGAL = [(a, b) for a, b in ALL_PAIRS if b in workflow.TRANSITIONS[a]]
ILLEGAL = [(a, b) for a, b in ALL_PAIRS if b not in workflow.TRANSITIONS[a]]
AT = dt.datetime(2026, 3, 4, 3, 0, tzinfo=dt.UTC)


def ticket_in(status: S):
    ticket = gen_ticket()
    ticket.status = status.value  # arrange only: tests put a ticket in the starting status
    return ticket


@pytest.mark.parametrize(("start", "target"), LEGAL, ids=lambda s: s.value)
def test_legal_transition_changes_status_and_leaves_an_event(db, start, target):
    ticket = ticket_in(start)
    officer = gen_officer(ticket.agency, [ticket.unit])
    workflow.change_status(ticket, target, actor=officer, reason="sebab", at=AT)
    db.session.commit()
    event = db.session.scalars(
        db.select(TicketEvent).where(TicketEvent.kind == "status_changed")
    ).one()
    assert ticket.status == target.value
    assert (event.before, event.after) == ({"status": start.value}, {"status": target.value})
    assert event.actor_id == officer.id
    assert ticket.last_officer_action_at == AT


@pytest.mark.parametrize(("start", "target"), ILLEGAL, ids=lambda s: s.value)
def test_illegal_transition_is_refused_and_changes_nothing(db, start, target):
    ticket = ticket_in(start)
    with pytest.raises(IllegalTransition) as err:
        workflow.change_status(ticket, target, reason="sebab")
    assert start.label_en in err.value.message and target.label_en in err.value.message
    assert ticket.status == start.value
    assert (
        db.session.scalar(
            db.select(db.func.count())
            .select_from(TicketEvent)
            .where(TicketEvent.kind == "status_changed")
        )
        == 0
    )


def test_unknown_status_is_a_validation_error(db):
    with pytest.raises(ValidationFailed):
        workflow.change_status(gen_ticket(), "lost")


@pytest.mark.parametrize("target", sorted(workflow.REASON_REQUIRED - {S.REOPENED}))
def test_some_statuses_need_a_reason(db, target):
    ticket = ticket_in(S.ACKNOWLEDGED if target is not S.EXTENDED else S.IN_PROGRESS)
    with pytest.raises(ValidationFailed):
        workflow.change_status(ticket, target, reason="  ")


def test_timestamps_follow_the_lifecycle(db):
    ticket = gen_ticket()
    steps = [S.ACKNOWLEDGED, S.IN_PROGRESS, S.RESOLVED, S.CLOSED]
    for hours, status in enumerate(steps, start=1):
        workflow.change_status(ticket, status, at=AT + dt.timedelta(hours=hours))
    assert ticket.acknowledged_at == AT + dt.timedelta(hours=1)
    assert ticket.resolved_at == AT + dt.timedelta(hours=3)
    assert ticket.closed_at == AT + dt.timedelta(hours=4)
    workflow.change_status(ticket, S.REOPENED, reason="Masalah berulang", at=AT)
    assert ticket.resolved_at is None and ticket.closed_at is None


def test_waiting_on_complainant_pauses_and_resumes_the_clock(db):
    # Received Mon 2 Mar 2026 09:00 MYT in Selangor; resolve in 15 working days.
    ticket = gen_ticket()
    before = ticket.resolve_due_at
    workflow.change_status(ticket, S.IN_PROGRESS, at=AT)
    workflow.change_status(ticket, S.WAITING_COMPLAINANT, at=AT)
    assert ticket.sla_paused_at == AT
    workflow.change_status(ticket, S.IN_PROGRESS, at=AT + dt.timedelta(days=7))  # Wed → Wed
    assert ticket.sla_paused_at is None
    assert ticket.sla_paused_seconds == 5 * 9 * 3600  # five office days of 08:00–17:00
    assert ticket.resolve_due_at > before


def test_concurrent_saves_one_wins_the_other_gets_a_conflict(app, db):
    ticket = gen_ticket()
    db.session.commit()
    with Session(db.engine) as first, Session(db.engine) as second:
        mine = first.get(Ticket, ticket.id)
        theirs = second.get(Ticket, ticket.id)
        mine.subject = "Officer A's subject"
        first.commit()
        theirs.subject = "Officer B's subject"
        with pytest.raises(Exception) as err:
            second.commit()
        assert "StaleDataError" in type(err.value).__name__
    db.session.expire_all()
    assert db.session.get(Ticket, ticket.id).subject == "Officer A's subject"


def test_workflow_commit_turns_a_lost_race_into_a_conflict_error(app, db):
    ticket = gen_ticket()
    db.session.commit()
    with Session(db.engine) as other:
        other.get(Ticket, ticket.id).subject = "saved elsewhere first"
        other.commit()
    workflow.change_status(ticket, S.ACKNOWLEDGED)
    with pytest.raises(StaleTicket):
        workflow.commit()
    db.session.expire_all()
    assert db.session.get(Ticket, ticket.id).status == S.NEW.value


def test_a_stale_form_version_is_refused(db):
    ticket = gen_ticket()
    db.session.commit()
    with pytest.raises(StaleTicket):
        workflow.change_status(ticket, S.ACKNOWLEDGED, expected_version=ticket.version - 1)
    assert ticket.status == S.NEW.value


def test_ticket_events_are_append_only(db):
    ticket = gen_ticket()
    db.session.commit()
    event = ticket.events[0]
    event.kind = "tampered"
    with pytest.raises(AppendOnlyError):
        db.session.flush()
    db.session.rollback()
    with pytest.raises(Exception, match="append-only"):
        db.session.execute(db.text("UPDATE ticket_events SET kind = 'x'"))
    db.session.rollback()
    with pytest.raises(Exception, match="append-only"):
        db.session.execute(db.text("DELETE FROM ticket_events"))
    db.session.rollback()


def test_allowed_next_is_what_the_menu_offers(db):
    assert workflow.allowed_next("selesai") == [S.CLOSED, S.REOPENED]
    assert S.NEW not in workflow.allowed_next("baharu")


def test_unit_in_other_state_is_used_for_deadlines(db):
    agency = gen_agency()
    kedah = gen_unit(agency, state="02")
    selangor = gen_unit(agency, state="10")
    # Received Thu 5 Mar 2026 09:00 MYT: day 1 is Sun 8 Mar in Kedah, Fri 6 Mar in Selangor.
    at = dt.datetime(2026, 3, 5, 1, 0, tzinfo=dt.UTC)
    in_kedah = gen_ticket(agency, kedah, received_at=at)
    in_selangor = gen_ticket(agency, selangor, received_at=at)
    assert in_kedah.acknowledge_due_at.date() == dt.date(2026, 3, 8)
    assert in_selangor.acknowledge_due_at.date() == dt.date(2026, 3, 6)


def test_reopening_and_resuming_put_the_ticket_back_under_the_sla_sweep(db):
    ticket = ticket_in(S.CLOSED)
    ticket.sla_next_check_at = None
    workflow.change_status(ticket, S.REOPENED, reason="Masalah berulang", at=AT)
    assert ticket.sla_next_check_at == AT
    workflow.change_status(ticket, S.WAITING_COMPLAINANT, at=AT)
    ticket.sla_next_check_at = None
    later = AT + dt.timedelta(days=2)
    workflow.change_status(ticket, S.IN_PROGRESS, at=later)
    assert ticket.sla_next_check_at == later
