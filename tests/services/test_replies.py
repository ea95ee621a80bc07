"""Acknowledgements and officers' replies: language, dates, loop guards, WhatsApp window."""

from __future__ import annotations

import datetime as dt

import pytest

from aduan import queues
from aduan.extensions import db
from aduan.models import ContactIdentity, Message, OutboundMessage, Ticket
from aduan.models.base import utcnow
from aduan.models.messages import WhatsAppWindow
from aduan.services.intake.pipeline import process_event
from aduan.services.outbox import delivery as outbound
from aduan.services.outbox import replies
from tests.builders import gen_officer
from tests.services import intake_builders
from tests.services.intake_builders import email_event, sms_event, whatsapp_event

accounts = intake_builders.accounts


def only(model):
    (row,) = db.session.scalars(db.select(model)).all()
    return row


@pytest.mark.parametrize(
    ("language", "phrase", "month"),
    [
        ("ms", "Aduan anda telah diterima", "Mac"),
        ("en", "Your complaint has been received", "March"),
    ],
)
def test_acknowledgement_text_has_reference_dates_and_link(agency, language, phrase, month):
    from tests.builders import gen_ticket

    ticket = gen_ticket(agency, language=language)  # received Mon 2 March 2026, 09:00 local
    text = replies.acknowledgement_text(ticket)
    assert phrase in text
    assert ticket.reference in text
    assert replies.format_local(ticket.acknowledge_due_at, language) in text
    assert replies.format_local(ticket.resolve_due_at, language) in text
    assert f" {month} 2026, " in text
    assert f"https://aduan.test/semak?ref={ticket.reference}" in text


def test_dates_are_local_time(app_ctx):
    moment = dt.datetime(2026, 3, 2, 16, 30, tzinfo=dt.UTC)  # 00:30 next day in Malaysia
    assert replies.format_local(moment, "ms") == "3 Mac 2026, 00:30"
    assert replies.format_local(moment, "en") == "3 March 2026, 00:30"


def test_english_sms_is_acknowledged_in_english(agency, accounts):
    text = "The street light on my road has not been working, please fix it."
    process_event(sms_event(text, "SM" + "a" * 32).id)
    assert only(Ticket).language == "en"
    assert only(OutboundMessage).body.startswith("Your complaint has been received")


def test_no_acknowledgement_to_auto_submitted_mail(agency, accounts):
    event = email_event(message_id="<ooo@example.com>", headers={"Auto-Submitted": "auto-replied"})
    process_event(event.id)
    assert db.session.scalar(db.select(db.func.count(OutboundMessage.id))) == 0
    # Issue #14: automatic mail refers to no ticket here, so it opens none (no ticket to note
    # a skipped acknowledgement on): it is quarantined with the reason.
    assert db.session.scalar(db.select(db.func.count(Ticket.id))) == 0
    db.session.refresh(event)
    assert event.quarantined_at is not None and "Auto-Submitted" in event.error


def test_no_acknowledgement_to_a_null_return_path(agency, accounts):
    process_event(email_event(message_id="<n@example.com>", headers={"Return-Path": "<>"}).id)
    assert db.session.scalar(db.select(db.func.count(OutboundMessage.id))) == 0


def test_whatsapp_inside_the_window_is_free_text(agency, accounts):
    process_event(whatsapp_event("Sampah tidak dikutip.", "SM" + "b" * 32).id)
    ack = only(OutboundMessage)
    assert ack.template is None and ack.body.startswith("Aduan anda telah diterima")


def test_whatsapp_outside_the_window_uses_the_template(agency, accounts):
    agency.settings = {**agency.settings, "whatsapp_ack_template": "HX" + "a" * 32}
    db.session.commit()
    process_event(whatsapp_event("Sampah tidak dikutip.", "SM" + "c" * 32).id)
    ticket = only(Ticket)
    old = utcnow() - dt.timedelta(hours=25)
    db.session.execute(db.update(Message).values(created_at=old))
    db.session.execute(db.update(ContactIdentity).values(last_inbound_at=old))
    db.session.execute(db.update(WhatsAppWindow).values(last_inbound_at=old))
    ack = replies.queue_acknowledgement(ticket)
    assert ack.template == "HX" + "a" * 32
    assert ack.template_variables == {
        "1": ticket.reference,
        "2": replies.format_local(ticket.resolve_due_at, "ms"),
        "language": "ms",  # the template's, kept for the send (not a variable)
    }


def test_whatsapp_outside_the_window_without_template_is_skipped(agency, accounts):
    process_event(whatsapp_event("Sampah tidak dikutip.", "SM" + "d" * 32).id)
    old = utcnow() - dt.timedelta(days=2)
    db.session.execute(db.update(Message).values(created_at=old))
    db.session.execute(db.update(ContactIdentity).values(last_inbound_at=None))
    db.session.execute(db.update(WhatsAppWindow).values(last_inbound_at=old))
    assert replies.queue_acknowledgement(only(Ticket)) is None


def test_sms_does_not_open_the_whatsapp_window(agency, accounts):
    process_event(sms_event("Lampu rosak.", "SM" + "e" * 32).id)
    assert not replies.whatsapp_window_open("whatsapp", "+60123456789")
    assert replies.whatsapp_window_open("sms", "+60123456789")


def test_officer_email_reply_threads_to_the_complainants_last_message(agency, accounts):
    process_event(email_event(message_id="<first@example.com>").id)
    process_event(
        email_event(
            message_id="<second@example.com>",
            in_reply_to=only_ack().email_message_id,
            subject="Re: Jalan berlubang",
        ).id
    )
    ticket = only(Ticket)
    officer = gen_officer(agency)
    row = replies.queue_reply(ticket, officer, "Kami akan menghantar pasukan esok.")
    row = db.session.get(OutboundMessage, row.id)
    assert row.email_message_id.startswith("<") and row.email_message_id.endswith("@aduan.test>")
    assert row.in_reply_to == "<second@example.com>"
    assert "<first@example.com>" in row.email_references.split()
    assert ticket.reference in row.subject and row.subject.startswith("[")
    message = db.session.get(Message, row.message_id)
    assert (message.direction, message.author_id) == ("out", officer.id)
    request = outbound.build_request(row)
    assert request.in_reply_to == "<second@example.com>"
    assert request.message_id == row.email_message_id


def only_ack() -> OutboundMessage:
    return db.session.scalar(
        db.select(OutboundMessage).where(OutboundMessage.purpose == "acknowledgement")
    )


def test_reply_survives_an_enqueue_failure_and_is_resent(agency, accounts, monkeypatch):
    process_event(sms_event("Lampu rosak.", "SM" + "f" * 32).id)
    ticket = only(Ticket)
    ticket_id = ticket.id

    def redis_down(*args, **kwargs):
        raise ConnectionError("redis is down")

    monkeypatch.setattr(queues, "enqueue", redis_down)
    row = replies.queue_reply(ticket, gen_officer(agency), "Sedang diambil tindakan.")
    db.session.remove()
    row = db.session.get(OutboundMessage, row.id)
    assert (row.state, row.body, row.to_handle) == (
        "queued",
        "Sedang diambil tindakan.",
        "+60123456789",
    )
    assert db.session.get(Ticket, ticket_id).first_responded_at is not None
    monkeypatch.undo()
    assert row.id in outbound.resend_due()


def test_reply_to_a_ticket_without_a_contact_is_refused(agency):
    from tests.builders import gen_ticket

    with pytest.raises(LookupError):
        replies.queue_reply(gen_ticket(agency), gen_officer(agency), "Salam.")
