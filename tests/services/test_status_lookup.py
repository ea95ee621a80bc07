"""status_lookup: hashed contact checks, one-time codes, the public view of a ticket."""

from __future__ import annotations

import time_machine

from aduan.models import Message, OutboundMessage
from aduan.models.citizen import VerificationCode
from aduan.services.citizen import status as status_lookup
from aduan.services.tickets import workflow
from tests.builders import gen_agency, gen_complainant, gen_officer, gen_ticket


def test_contact_hint_from_phone_and_email():
    assert status_lookup.contact_hint("phone", "+60123456789") == "6789"
    assert status_lookup.contact_hint("email", "Siti.Aminah@contoh.my") == "inah"
    assert status_lookup.contact_hint(None, None) is None


def test_verify_right_wrong_and_missing(db):
    ticket = gen_ticket()
    status_lookup.set_contact_check(ticket, "6789")
    db.session.commit()
    assert status_lookup.verify(ticket.reference, "6789") == ticket
    assert status_lookup.verify(ticket.reference, "6788") is None
    assert status_lookup.verify("ADU-2026-AAAAAA", "6789") is None
    assert status_lookup.set_contact_check(ticket, "0000") is False  # first answer stays


def test_one_time_code_sent_hashed_used_once_and_limited(db):
    agency = gen_agency()
    complainant = gen_complainant(agency, email="siti@contoh.my")
    ticket = gen_ticket(agency, complainant=complainant, origin_channel="email")
    db.session.commit()
    status_lookup.request_code(ticket.reference)
    sent = db.session.scalars(
        db.select(OutboundMessage).where(OutboundMessage.purpose == "verification")
    ).one()
    code = sent.body.split(": ")[1][:6]
    row = db.session.scalars(db.select(VerificationCode)).one()
    assert code not in row.code_hash and sent.message_id is None
    assert status_lookup.check_code(ticket.reference, "000000") is None
    assert status_lookup.check_code(ticket.reference, code) == ticket
    assert status_lookup.check_code(ticket.reference, code) is None  # used
    status_lookup.request_code(ticket.reference)
    latest = db.session.scalars(
        db.select(OutboundMessage).order_by(OutboundMessage.id.desc()).limit(1)
    ).one()
    fresh = latest.body.split(": ")[1][:6]
    for _ in range(5):
        status_lookup.check_code(ticket.reference, "999999")
    assert status_lookup.check_code(ticket.reference, fresh) is None  # 5 attempts spent


def test_code_expires_after_ten_minutes(db):
    agency = gen_agency()
    person = gen_complainant(agency, phone="+60123456789")
    ticket = gen_ticket(agency, complainant=person, origin_channel="sms")
    db.session.commit()
    with time_machine.travel("2026-03-02 01:00:00+00:00", tick=False):
        status_lookup.request_code(ticket.reference)
    body = db.session.scalars(db.select(OutboundMessage)).one().body
    with time_machine.travel("2026-03-02 01:11:00+00:00", tick=False):
        assert status_lookup.check_code(ticket.reference, body.split(": ")[1][:6]) is None


def test_public_status_shows_no_notes_or_officers(db):
    ticket = gen_ticket()
    officer = gen_officer(ticket.agency, name="Encik Rahsia", email="rahsia@agensi.my")
    db.session.add(Message(ticket_id=ticket.id, direction="note", channel="web", body="nota"))
    db.session.add(
        Message(
            ticket_id=ticket.id,
            direction="out",
            channel="email",
            body="Jawapan",
            author_id=officer.id,
        )
    )
    workflow.change_status(ticket, "dalam_tindakan", actor=officer)
    db.session.commit()
    info = status_lookup.public_status(ticket, "en")
    assert info["status_label"] == "In progress"
    texts = repr(info)
    assert "nota" not in texts and "Rahsia" not in texts and "rahsia@" not in texts
    assert [i["kind"] for i in info["timeline"]] == ["out", "status"] or [
        i["kind"] for i in info["timeline"]
    ] == ["status", "out"]
