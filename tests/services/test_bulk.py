"""Bulk actions: all or nothing, with a report naming each ticket's outcome."""

from aduan.extensions import db
from aduan.models import Message, Ticket, TicketEvent
from aduan.services.inbox import bulk
from aduan.vocabulary import TicketStatus as S
from tests.builders import gen_agency, gen_officer, gen_ticket, gen_unit


def _world():
    agency = gen_agency()
    unit = gen_unit(agency)
    manager = gen_officer(agency, units=[unit], roles=("complaint_manager",))
    tickets = [gen_ticket(agency, unit) for _ in range(3)]
    db.session.commit()
    return agency, unit, manager, tickets


def _statuses(tickets):
    return [db.session.get(Ticket, t.id).status for t in tickets]


def test_status_change_to_all(app_ctx):
    _agency, _unit, manager, tickets = _world()
    report = bulk.apply(manager, "status", [t.reference for t in tickets], status="diterima")
    assert report.applied and set(report.results.values()) == {"ok"}
    db.session.expire_all()
    assert _statuses(tickets) == ["diterima"] * 3


def test_one_illegal_transition_changes_nothing(app_ctx):
    _agency, _unit, manager, tickets = _world()
    tickets[1].status = S.CLOSED.value  # Ditutup → Diterima is not allowed
    db.session.commit()
    report = bulk.apply(manager, "status", [t.reference for t in tickets], status="diterima")
    assert not report.applied
    assert list(report.refused) == [tickets[1].reference]
    why = report.refused[tickets[1].reference]  # outside a request: in English
    assert why == "Cannot move a ticket from Closed to Acknowledged."
    db.session.expire_all()
    assert _statuses(tickets) == ["baharu", "ditutup", "baharu"]
    assert db.session.scalar(db.select(db.func.count()).select_from(TicketEvent).where(
        TicketEvent.kind == "status_changed")) == 0  # fmt: skip


def test_out_of_scope_ticket_refuses_the_batch(app_ctx):
    agency, unit, _manager, tickets = _world()
    other_unit = gen_unit(agency)
    officer = gen_officer(agency, units=[unit])
    outside = gen_ticket(agency, other_unit)
    db.session.commit()
    refs = [tickets[0].reference, outside.reference]
    report = bulk.apply(officer, "note", refs, note="Semak tapak esok.")
    assert not report.applied
    assert report.refused == {outside.reference: "No such ticket, or not yours to change."}
    assert db.session.scalar(db.select(db.func.count()).select_from(Message)) == 0


def test_stale_version_refuses_the_batch(app_ctx):
    _agency, _unit, manager, tickets = _world()
    refs = [t.reference for t in tickets]
    versions = {refs[0]: tickets[0].version, refs[2]: tickets[2].version - 1 + 5}
    report = bulk.apply(manager, "status", refs, status="diterima", versions=versions)
    assert not report.applied and list(report.refused) == [refs[2]]
    db.session.expire_all()
    assert _statuses(tickets) == ["baharu"] * 3


def test_assign_and_note(app_ctx):
    agency, unit, manager, tickets = _world()
    officer = gen_officer(agency, units=[unit])
    db.session.commit()
    refs = [t.reference for t in tickets]
    assert bulk.apply(manager, "assign", refs, assignee_id=officer.id).applied
    assert bulk.apply(manager, "note", refs, note="Dalam semakan").applied
    db.session.expire_all()
    assert {db.session.get(Ticket, t.id).assignee_id for t in tickets} == {officer.id}
    notes = db.session.scalars(db.select(Message).where(Message.direction == "note")).all()
    assert len(notes) == 3 and {n.author_id for n in notes} == {manager.id}


def test_assignee_outside_the_unit_is_refused(app_ctx):
    agency, _unit, manager, tickets = _world()
    stranger = gen_officer(agency, units=[gen_unit(agency)])
    db.session.commit()
    report = bulk.apply(manager, "assign", [tickets[0].reference], assignee_id=stranger.id)
    assert not report.applied and tickets[0].reference in report.refused
