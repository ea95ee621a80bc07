"""Referral between agencies (Luar Bidang Kuasa): the ticket moves whole to the receiving
agency and starts there afresh; the referring agency keeps a read-only record; a third agency
sees nothing; the complainant is told from the account they wrote to."""

from __future__ import annotations

import datetime as dt

import pytest

from aduan.errors import NotFound, PermissionDenied, ValidationFailed
from aduan.models import Complainant, OutboundMessage, TicketEvent, TicketReferral, Unit
from aduan.models.admin import AdminAuditLog
from aduan.services import tenancy
from aduan.services.tickets import access, deadlines, referral, workflow
from tests.builders import gen_agency, gen_complainant, gen_officer, gen_ticket, gen_unit

# Thursday 5 March 2026, 10:00 in Malaysia: the next working day is Friday in Selangor but
# Sunday in Kedah (Friday–Saturday weekend).
THURSDAY = dt.datetime(2026, 3, 5, 2, 0, tzinfo=dt.UTC)


def _two_agencies(db):
    a = gen_agency(state="10")
    a.triage_unit_id = gen_unit(a, state="10").id
    b = gen_agency(state="02")
    b.triage_unit_id = gen_unit(b, state="02", name="Triage B").id
    db.session.flush()
    person = gen_complainant(a, phone="+60123456789", name="Siti", language="ms")
    ticket = gen_ticket(a, db.session.get(Unit, a.triage_unit_id), complainant=person)
    supervisor = gen_officer(a, [ticket.unit], roles=("supervisor",))
    workflow.change_status(ticket, "diterima", actor=supervisor)
    db.session.flush()
    return a, b, ticket, supervisor


def _scoped(db, model, agency):
    return list(db.session.scalars(tenancy.scoped(db.select(model), model, agency.id)))


def test_the_ticket_moves_to_the_receiving_triage_with_clocks_from_the_referral(db):
    a, b, ticket, supervisor = _two_agencies(db)
    reference, old_person = ticket.reference, ticket.complainant
    referral.refer_to_agency(ticket, supervisor, b.id, "Jalan negeri", at=THURSDAY)
    db.session.flush()
    assert ticket.reference == reference and ticket.agency_id == b.id
    assert ticket.unit_id == b.triage_unit_id and ticket.assignee_id is None
    assert ticket.status == "baharu" and ticket.acknowledged_at is None
    assert ticket.clock_started_at == THURSDAY and ticket.received_at < THURSDAY
    kedah = deadlines.clock_for(b)
    assert ticket.acknowledge_due_at == kedah.recompute(THURSDAY, 1, "02", 0)
    assert ticket.acknowledge_due_at.astimezone(kedah.hours.tz).date() == dt.date(2026, 3, 8)
    assert ticket.resolve_due_at == kedah.recompute(THURSDAY, 15, "02", 0)
    # the complainant record is copied into B; A keeps its own
    assert ticket.complainant.agency_id == b.id and ticket.complainant.id != old_person.id
    assert ticket.complainant.phone == "+60123456789" and ticket.complainant.name == "Siti"
    assert old_person.agency_id == a.id
    assert [i.handle for i in ticket.complainant.identities] == ["+60123456789"]


def test_the_referring_agency_keeps_a_record_and_each_side_an_audit_entry(db):
    a, b, ticket, supervisor = _two_agencies(db)
    c = gen_agency()
    referral.refer_to_agency(ticket, supervisor, b.id, "Jalan negeri", at=THURSDAY)
    db.session.flush()
    [record] = _scoped(db, TicketReferral, a)
    assert (record.to_agency_id, record.to_name, record.reason) == (b.id, b.name, "Jalan negeri")
    assert record.referred_by_id == supervisor.id and record.referred_at == THURSDAY
    assert _scoped(db, TicketReferral, b) == [] and _scoped(db, TicketReferral, c) == []
    [out] = _scoped(db, AdminAuditLog, a)
    [into] = _scoped(db, AdminAuditLog, b)
    assert (out.action, out.actor_id, out.after["to_agency"]) == ("referred_out", supervisor.id,
                                                                  b.name)  # fmt: skip
    assert (into.action, into.actor_id, into.after["from_agency"]) == ("referred_in", None, a.name)
    assert _scoped(db, AdminAuditLog, c) == []
    kinds = [e.kind for e in _scoped(db, TicketEvent, b) if e.kind.startswith("referred")]
    assert kinds == ["referred_out", "referred_in"]
    assert _scoped(db, TicketEvent, c) == [] and _scoped(db, Complainant, c) == []


def test_the_complainant_is_told_from_the_account_they_wrote_to(db):
    a, b, ticket, supervisor = _two_agencies(db)
    referral.refer_to_agency(ticket, supervisor, b.id, "Jalan negeri", at=THURSDAY)
    db.session.flush()
    [notice] = db.session.scalars(
        db.select(OutboundMessage).where(OutboundMessage.purpose == "referral")
    ).all()
    assert notice.channel == "sms" and notice.to_handle == "+60123456789"
    assert notice.account_key == "default"  # agency A, the default agency, owns it
    assert f"telah dirujuk kepada {b.name}" in notice.body and "Jalan negeri" in notice.body
    assert ticket.reference in notice.body
    assert _scoped(db, OutboundMessage, a) == [notice] and _scoped(db, OutboundMessage, b) == []


def test_an_existing_record_of_the_receiving_agency_is_reused(db):
    a, b, ticket, supervisor = _two_agencies(db)
    known = gen_complainant(b, phone="+60123456789", name="Siti binti Ali")
    referral.refer_to_agency(ticket, supervisor, b.id, "Jalan negeri")
    db.session.flush()
    assert ticket.complainant_id == known.id
    assert (
        db.session.scalar(
            db.select(db.func.count()).select_from(Complainant).where(Complainant.agency_id == b.id)
        )
        == 1
    )


def test_read_only_record_for_the_referrer_nothing_for_a_third_agency(db):
    a, b, ticket, supervisor = _two_agencies(db)
    c = gen_agency()
    case_officer_elsewhere = gen_officer(a, [gen_unit(a)])
    stranger = gen_officer(c, [], roles=("complaint_manager",))
    receiver = gen_officer(b, [db.session.get(Unit, b.triage_unit_id)])
    referral.refer_to_agency(ticket, supervisor, b.id, "Jalan negeri")
    db.session.flush()
    assert access.referral_record_for(supervisor, ticket.reference).ticket_id == ticket.id
    with pytest.raises(NotFound):
        access.get_ticket_for(supervisor, ticket.reference)  # no action reaches it
    assert not access.can_change(supervisor, ticket)
    for outsider in (stranger, case_officer_elsewhere):
        with pytest.raises(NotFound):
            access.referral_record_for(outsider, ticket.reference)
    with pytest.raises(NotFound):
        access.get_ticket_for(stranger, ticket.reference)
    assert access.get_ticket_for(receiver, ticket.reference) is ticket
    with pytest.raises(NotFound):
        access.referral_record_for(receiver, ticket.reference)  # B works it, not as a record


def test_only_supervisors_and_above_refer_an_open_ticket_with_a_reason(db):
    a, b, ticket, supervisor = _two_agencies(db)
    case_officer = gen_officer(a, [ticket.unit])
    with pytest.raises(PermissionDenied):
        referral.refer_to_agency(ticket, case_officer, b.id, "Jalan negeri")
    with pytest.raises(ValidationFailed):
        referral.refer_to_agency(ticket, supervisor, b.id, "  ")
    with pytest.raises(ValidationFailed):
        referral.refer_to_agency(ticket, supervisor, a.id, "Jalan negeri")
    with pytest.raises(ValidationFailed):
        referral.refer_outside(ticket, supervisor, "", None, "Jalan persekutuan")
    assert ticket.agency_id == a.id and _scoped(db, TicketReferral, a) == []


def test_outside_the_deployment_records_where_it_went_and_ends_luar_bidang_kuasa(db):
    a, b, ticket, supervisor = _two_agencies(db)
    ticket.language = "en"
    referral.refer_outside(
        ticket, supervisor, "Jabatan Kerja Raya", "03-2618 8888", "Federal road", at=THURSDAY
    )
    db.session.flush()
    assert ticket.agency_id == a.id and ticket.status == "luar_bidang_kuasa"
    [record] = _scoped(db, TicketReferral, a)
    assert (record.to_agency_id, record.to_name, record.to_contact) == (
        None, "Jabatan Kerja Raya", "03-2618 8888")  # fmt: skip
    [notice] = db.session.scalars(
        db.select(OutboundMessage).where(OutboundMessage.purpose == "referral")
    ).all()
    assert "referred to Jabatan Kerja Raya" in notice.body
    assert "03-2618 8888" in notice.body and "Federal road" in notice.body
    [audit] = _scoped(db, AdminAuditLog, a)
    assert audit.action == "referred_outside" and _scoped(db, AdminAuditLog, b) == []
    with pytest.raises(NotFound):  # no read-only record: the ticket is still A's own
        access.referral_record_for(supervisor, ticket.reference)
