"""Threading: e-mail headers, reference numbers (own complainant only), chat window, BARU/NEW."""

from __future__ import annotations

import datetime as dt

import pytest

from aduan.extensions import db
from aduan.models import Message, OutboundMessage, Ticket
from aduan.models.base import utcnow
from aduan.services.intake import process_event
from aduan.services.threading import wants_new_ticket
from tests.builders import gen_agency, gen_unit
from tests.services import intake_builders
from tests.services.intake_builders import email_event, sms_event, telegram_event

accounts = intake_builders.accounts


@pytest.fixture
def agency(db):
    agency = gen_agency("JKR")
    agency.triage_unit_id = gen_unit(agency).id
    db.session.commit()
    return agency


def tickets() -> list[Ticket]:
    return db.session.scalars(db.select(Ticket).order_by(Ticket.id)).all()


def first_ticket_by_sms(sid: str = "SM" + "a" * 32, sender: str = "+60123456789") -> Ticket:
    process_event(sms_event("Lampu jalan rosak.", sid, sender=sender).id)
    return tickets()[-1]


def test_chat_follow_up_joins_the_open_ticket(agency, accounts):
    ticket = first_ticket_by_sms()
    process_event(sms_event("Gambar akan dihantar nanti.", "SM" + "b" * 32).id)
    assert [t.id for t in tickets()] == [ticket.id]
    assert (
        db.session.scalar(db.select(db.func.count(Message.id)).where(Message.direction == "in"))
        == 2
    )


def test_chat_follow_up_after_the_window_opens_a_new_ticket(agency, accounts):
    agency.settings = {**agency.settings, "thread_window_days": 3}
    db.session.commit()
    ticket = first_ticket_by_sms()
    old = utcnow() - dt.timedelta(days=4)
    db.session.execute(db.update(Message).values(created_at=old))
    db.session.execute(db.update(OutboundMessage).values(created_at=old))
    db.session.execute(db.text("UPDATE tickets SET updated_at = :old"), {"old": old})
    db.session.commit()
    process_event(sms_event("Aduan lain: longkang tersumbat.", "SM" + "c" * 32).id)
    assert len(tickets()) == 2 and tickets()[0].id == ticket.id


def test_reference_from_the_complainant_threads(agency, accounts):
    ticket = first_ticket_by_sms()
    ticket.status = "selesai"  # not open: only the reference can bring the reply here
    ticket.resolved_at = utcnow()
    db.session.commit()
    text = f"Berkenaan {ticket.reference.lower()}, lampu masih rosak."
    process_event(sms_event(text, "SM" + "d" * 32).id)
    assert len(tickets()) == 1
    assert tickets()[0].status == "dibuka_semula"  # within the objection window


def test_reference_from_a_stranger_does_not_thread(agency, accounts):
    ticket = first_ticket_by_sms()
    text = f"Saya mahu tahu status {ticket.reference}"
    process_event(sms_event(text, "SM" + "e" * 32, sender="+60198887777").id)
    assert len(tickets()) == 2
    assert tickets()[1].complainant_id != ticket.complainant_id


def test_baru_always_opens_a_new_ticket(agency, accounts):
    ticket = first_ticket_by_sms()
    process_event(sms_event(f"BARU {ticket.reference} pokok tumbang.", "SM" + "f" * 32).id)
    process_event(sms_event("new: a different matter", "SM" + "1" * 32).id)
    assert len(tickets()) == 3


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("BARU pokok tumbang", True),
        ("  baru", True),
        ("NEW", True),
        ("Baru-baru ini lampu rosak", False),
        ("Newspaper dibuang merata", False),
        ("Aduan baru", False),
    ],
)
def test_new_keyword_is_the_whole_first_word(text, expected):
    assert wants_new_ticket(text) is expected


def test_email_in_reply_to_our_acknowledgement_threads(agency, accounts):
    process_event(email_event(message_id="<first@example.com>").id)
    ticket = tickets()[0]
    ack = db.session.scalar(db.select(OutboundMessage))
    reply = email_event(
        message_id="<second@example.com>",
        subject="Re: something unrelated",
        body="Masih belum dibaiki.",
        in_reply_to=ack.email_message_id,
    )
    process_event(reply.id)
    assert [t.id for t in tickets()] == [ticket.id]


def test_email_in_reply_to_the_complainants_own_message_threads(agency, accounts):
    process_event(email_event(message_id="<first@example.com>").id)
    process_event(
        email_event(
            message_id="<third@example.com>",
            sender="other@example.com",  # a colleague in copy, replying to all
            subject="Re: Jalan berlubang",
            in_reply_to="<first@example.com>",
        ).id
    )
    assert len(tickets()) == 1


def test_email_subject_reference_only_from_the_complainant(agency, accounts):
    process_event(email_event(message_id="<first@example.com>").id)
    ticket = tickets()[0]
    process_event(
        email_event(message_id="<own@example.com>", subject=f"Susulan [{ticket.reference}]").id
    )
    assert len(tickets()) == 1
    process_event(
        email_event(
            message_id="<stranger@example.com>",
            sender="stranger@example.net",
            subject=f"Re: [{ticket.reference}] Jalan berlubang",
        ).id
    )
    assert len(tickets()) == 2


def test_email_without_headers_or_reference_opens_a_new_ticket(agency, accounts):
    process_event(email_event(message_id="<first@example.com>").id)
    process_event(email_event(message_id="<fourth@example.com>").id)
    assert len(tickets()) == 2


def test_telegram_follow_up_joins_the_conversation(agency, accounts):
    process_event(telegram_event("text_malay").id)
    follow_up = telegram_event("text_malay", update_id=900000999, text="Berhampiran sekolah.")
    process_event(follow_up.id)
    assert len(tickets()) == 1
