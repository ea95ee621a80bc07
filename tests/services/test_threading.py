"""Threading: e-mail headers, reference numbers (own complainant only), chat window, BARU/NEW."""

from __future__ import annotations

import datetime as dt

import pytest

from aduan.extensions import db
from aduan.models import Message, OutboundMessage, Ticket, TicketEvent
from aduan.models.base import utcnow
from aduan.services.intake.pipeline import process_event
from aduan.services.intake.placement import wants_new_ticket
from tests.builders import gen_agency, gen_unit
from tests.services import intake_builders
from tests.services.intake_builders import email_event, sms_event, telegram_event, whatsapp_event

accounts = intake_builders.accounts


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
    assert tickets()[0].status == "selesai"  # recorded on it; only BANTAH/OBJECT re-opens


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


@pytest.fixture
def second_agency(agency):
    """DBKL, with its own SMS and WhatsApp accounts (key ``dbkl``); JKR owns the defaults."""
    from aduan.services.channel_config.accounts import save_account
    from tests.channels.builders import TWILIO_ACCOUNT

    dbkl = gen_agency("DBKL")
    dbkl.triage_unit_id = gen_unit(dbkl).id
    for channel in ("sms", "whatsapp"):
        save_account(dbkl, channel, TWILIO_ACCOUNT, key="dbkl")
    db.session.commit()
    return dbkl


def to_dbkl(event):
    event.account_key = "dbkl"  # received on DBKL's account
    db.session.commit()
    return event


@pytest.mark.parametrize("build", [sms_event, whatsapp_event], ids=["sms", "whatsapp"])
def test_the_same_phone_writing_to_another_agency_opens_that_agencys_ticket(
    agency, second_agency, accounts, build
):
    process_event(build("Lampu jalan rosak.", "SM" + "a" * 32).id)
    process_event(to_dbkl(build("Sampah tidak dikutip.", "SM" + "b" * 32)).id)
    jkr_ticket, dbkl_ticket = tickets()
    assert (jkr_ticket.agency_id, dbkl_ticket.agency_id) == (agency.id, second_agency.id)
    assert dbkl_ticket.description.startswith("Sampah tidak dikutip")
    # one person, two agencies: a complainant record in each (issue #11: names stay apart)
    assert jkr_ticket.complainant_id != dbkl_ticket.complainant_id
    process_event(build("Lampu masih rosak.", "SM" + "c" * 32).id)  # back to JKR: its ticket
    received = db.select(Message.ticket_id).where(Message.direction == "in").order_by(Message.id)
    assert db.session.scalars(received).all() == [jkr_ticket.id, dbkl_ticket.id, jkr_ticket.id]


def test_a_reference_quoted_to_another_agency_does_not_reach_the_first(
    agency, second_agency, accounts
):
    jkr_ticket = first_ticket_by_sms()
    jkr_ticket.status, jkr_ticket.resolved_at = "selesai", utcnow() - dt.timedelta(days=30)
    db.session.commit()
    text = f"Seperti {jkr_ticket.reference}, longkang tersumbat di taman saya."
    process_event(to_dbkl(sms_event(text, "SM" + "d" * 32)).id)
    db.session.expire_all()
    jkr_ticket, dbkl_ticket = tickets()
    assert dbkl_ticket.agency_id == second_agency.id and dbkl_ticket.description == text
    assert jkr_ticket.status == "selesai"  # neither re-opened nor followed up by DBKL's ticket
    linked = db.session.scalars(
        db.select(TicketEvent.kind).where(TicketEvent.kind.in_(("follows_up", "followed_up_by")))
    ).all()
    assert linked == []
