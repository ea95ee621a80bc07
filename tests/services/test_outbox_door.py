"""The outbox's one door: every kind of message to a complainant leaves from the account of the
ticket's agency, and is enqueued once its transaction commits (never when it rolls back)."""

from __future__ import annotations

import datetime as dt

import pytest

from aduan.extensions import db
from aduan.models import ContactIdentity, OutboundMessage, Ticket
from aduan.queues import OUTBOUND, get_queue
from aduan.services.channel_config.accounts import clear_account_cache, save_account
from aduan.services.citizen import status as status_lookup
from aduan.services.citizen import survey
from aduan.services.intake.pipeline import process_event
from aduan.services.outbox import delivery as outbound
from aduan.services.outbox import notices, replies
from aduan.services.sla import sweeps
from aduan.services.tickets import extending, routing, workflow
from tests.builders import gen_agency, gen_complainant, gen_officer, gen_ticket, gen_unit
from tests.channels.builders import TWILIO_ACCOUNT
from tests.fakes.twilio import fake_twilio
from tests.sent_sql import recorded, starting
from tests.services.intake_builders import sms_event

PHONE = "+60123456789"
DBKL_SMS = {
    "account_sid": "AC" + "d" * 32,
    "auth_token": "dbkl-token",
    "sms_number": "+60322220000",
}


@pytest.fixture
def twilio():
    with fake_twilio() as server:
        yield server


@pytest.fixture
def dbkl(agency, twilio):
    """A second agency with its own SMS account ``dbkl`` (JKR, created first, is the default
    agency and owns the environment's ``default`` account)."""
    dbkl = gen_agency("DBKL")
    dbkl.triage_unit_id = gen_unit(dbkl).id
    save_account(dbkl, "sms", {**DBKL_SMS, "api_base_url": twilio.url}, key="dbkl")
    db.session.commit()
    clear_account_cache()
    return dbkl


def written_to_dbkl(text: str, sid: str) -> Ticket:
    event = sms_event(text, sid, sender=PHONE)
    event.account_key = "dbkl"  # the complainant wrote to DBKL's number
    db.session.commit()
    process_event(event.id)
    return db.session.scalar(db.select(Ticket).order_by(Ticket.id.desc()).limit(1))


def to_complainant() -> list[OutboundMessage]:
    query = db.select(OutboundMessage).where(OutboundMessage.to_handle == PHONE)
    return db.session.scalars(query.order_by(OutboundMessage.id)).all()


def test_every_kind_of_message_leaves_from_the_account_the_complainant_wrote_to(
    agency, dbkl, twilio
):
    ticket = written_to_dbkl("Sampah tidak dikutip di Jalan Ampang.", "SM" + "a" * 32)
    assert ticket.agency_id == dbkl.id
    officer = gen_officer(dbkl)
    replies.queue_reply(ticket, officer, "Kami sedang menyiasat.")
    routing.transfer(ticket, gen_unit(dbkl), officer, note="Unit kebersihan.")
    workflow.change_status(ticket, "dalam_tindakan", actor=officer)
    workflow.commit()
    later = ticket.resolve_due_at + dt.timedelta(days=10)
    extending.extend(ticket, officer, "Menunggu kontraktor", later)
    workflow.commit()
    sweeps.sweep_sla(later + dt.timedelta(days=3))  # the new date missed too: an apology
    workflow.change_status(ticket, "selesai", actor=officer)
    workflow.commit()
    assert survey.request_surveys() == 1
    status_lookup.request_code(ticket.reference)

    rows = to_complainant()
    kinds = {"acknowledgement", "reply", "transfer", "interim", "recovery", "survey"}
    assert {row.purpose for row in rows} == kinds | {"verification"}
    assert [(r.purpose, r.channel, r.account_key) for r in rows if r.account_key != "dbkl"] == []

    for row in rows:
        assert outbound.deliver(row.id).state == "sent"
    assert len(twilio.requests) == len(rows)
    for received in twilio.requests:  # on DBKL's credentials, from DBKL's number
        assert received.path.startswith(f"/2010-04-01/Accounts/{DBKL_SMS['account_sid']}/")
        assert received.auth == (DBKL_SMS["account_sid"], DBKL_SMS["auth_token"])
        assert (received.form["From"], received.form["To"]) == (DBKL_SMS["sms_number"], PHONE)
    bodies = [r.form["Body"] for r in twilio.requests]
    assert any("Menunggu kontraktor" in body for body in bodies)  # the interim reply
    assert any("memohon maaf" in body for body in bodies)  # the service-recovery apology


def test_the_complainant_is_answered_from_the_agency_the_ticket_belongs_to(agency, dbkl):
    ticket = written_to_dbkl("Longkang tersumbat.", "SM" + "b" * 32)
    # The same person at JKR: complainants are per agency, so JKR has its own record of them.
    jkr_ticket = gen_ticket(
        agency, complainant=gen_complainant(agency, phone=PHONE), origin_channel="sms"
    )
    for each in (ticket, jkr_ticket):
        notices.queue_notice(each, "interim", ms="Dalam tindakan.", en="In progress.")
    db.session.commit()
    by_ticket = {r.ticket_id: r.account_key for r in to_complainant() if r.purpose == "interim"}
    # JKR (the default agency) wrote nothing to DBKL's number: its notice leaves from its own.
    assert by_ticket == {ticket.id: "dbkl", jkr_ticket.id: "default"}


def test_an_agency_without_an_account_waits_for_its_own_rather_than_another_agencys(agency, twilio):
    penang = gen_agency("MBPP")
    ticket = gen_ticket(
        penang, complainant=gen_complainant(penang, phone=PHONE), origin_channel="sms"
    )
    db.session.commit()
    row = notices.queue_notice(ticket, "interim", ms="Dalam tindakan.", en="In progress.")
    db.session.commit()
    assert row.account_key != "default"
    assert outbound.deliver(row.id).state == "queued"  # parked: nothing sent from JKR's
    assert "waiting for a channel account" in row.error and twilio.requests == []

    account = {**TWILIO_ACCOUNT, "api_base_url": twilio.url}
    save_account(penang, "sms", account, key="mbpp")
    row.next_attempt_at = None  # the hour has passed
    db.session.commit()
    clear_account_cache()
    assert outbound.deliver(row.id).state == "queued"  # re-addressed at its last look …
    assert row.account_key == "mbpp"
    assert outbound.deliver(row.id).state == "sent"  # … so the next look sends it
    assert twilio.last("/Messages.json").form["From"] == TWILIO_ACCOUNT["sms_number"]


def test_a_message_is_enqueued_once_its_transaction_commits_and_never_after_a_rollback(
    agency, dbkl
):
    ticket = written_to_dbkl("Lampu jalan padam.", "SM" + "c" * 32)
    jobs = get_queue(OUTBOUND)
    forgotten = notices.queue_notice(ticket, "interim", ms="Satu.", en="One.")
    forgotten_id = forgotten.id
    db.session.rollback()
    assert db.session.get(OutboundMessage, forgotten_id) is None
    assert f"send-{forgotten_id}" not in jobs.job_ids

    kept = notices.queue_notice(ticket, "interim", ms="Dua.", en="Two.")
    assert f"send-{kept.id}" not in jobs.job_ids  # not before the commit: no row to find yet
    db.session.commit()
    assert f"send-{kept.id}" in jobs.job_ids
    db.session.commit()  # a later commit does not enqueue it again
    assert jobs.job_ids.count(f"send-{kept.id}") == 1


def test_a_new_complaint_is_acknowledged_on_the_number_it_came_from_with_no_lookup(
    agency, dbkl, twilio
):
    # DBKL knows this person by two numbers; the other one's last message was processed
    # after this one was received (out of order). JKR knows them too, by this number.
    known = gen_complainant(dbkl, phone=PHONE)
    other = ContactIdentity(agency_id=dbkl.id, channel_type="phone", handle="+60129998888")
    other.last_inbound_at = dt.datetime.now(dt.UTC) + dt.timedelta(hours=1)
    known.identities.append(other)
    at_jkr = gen_complainant(agency, phone=PHONE)
    db.session.commit()
    with recorded() as seen:
        ticket = written_to_dbkl("Longkang tersumbat di Jalan Ipoh.", "SM" + "c" * 32)

    assert (ticket.agency_id, ticket.complainant_id) == (dbkl.id, known.id)
    acks = [(r.ticket_id, r.account_key, r.purpose) for r in to_complainant()]
    assert acks == [(ticket.id, "dbkl", "acknowledgement")]  # nothing for JKR's record
    assert starting(seen, "SELECT contact_identities.handle") == []  # it came with the message
    assert db.session.scalar(db.select(Ticket).where(Ticket.complainant_id == at_jkr.id)) is None
    row = db.session.scalar(
        db.select(OutboundMessage).where(OutboundMessage.ticket_id == ticket.id)
    )
    assert outbound.deliver(row.id).state == "sent"
    received = twilio.last("/Messages.json").form  # what the complainant's phone got
    assert (received["From"], received["To"]) == (DBKL_SMS["sms_number"], PHONE)
    assert ticket.reference in received["Body"]
