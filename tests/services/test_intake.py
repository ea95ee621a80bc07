"""process_event: identify, thread, store, acknowledge — idempotent, concurrent, quarantining."""

from __future__ import annotations

import multiprocessing as mp

import pytest

from aduan.extensions import db
from aduan.models import (
    Attachment,
    Complainant,
    ContactIdentity,
    InboundEvent,
    Message,
    OutboundMessage,
    Ticket,
    TicketEvent,
)
from aduan.services.intake.attachments import read_attachment
from aduan.services.intake.pipeline import process_event
from aduan.services.tickets import workflow
from tests.fakes.telegram import fake_telegram as make_fake_telegram
from tests.services import intake_builders
from tests.services.intake_builders import (
    email_fixture_event,
    sms_event,
    store,
    telegram_event,
    whatsapp_event,
)

accounts = intake_builders.accounts


@pytest.fixture
def fake_telegram():
    with make_fake_telegram() as server:
        yield server


def count(model) -> int:
    return db.session.scalar(db.select(db.func.count()).select_from(model))


def test_sms_opens_a_ticket_with_complainant_message_and_acknowledgement(agency, accounts):
    event = sms_event("Lampu jalan rosak di Jalan Tun Razak.", "SM" + "a" * 32)
    assert process_event(event.id) == "processed"
    ticket = db.session.scalar(db.select(Ticket))
    assert ticket.origin_channel == "sms" and ticket.agency_id == agency.id
    assert ticket.complainant.phone == "+60123456789"
    (message,) = db.session.scalars(db.select(Message).where(Message.direction == "in")).all()
    assert message.body == "Lampu jalan rosak di Jalan Tun Razak."
    assert message.inbound_event_id == event.id
    (ack,) = db.session.scalars(db.select(OutboundMessage)).all()
    assert (ack.purpose, ack.channel, ack.to_handle) == ("acknowledgement", "sms", "+60123456789")
    assert ticket.reference in ack.body
    event = db.session.get(InboundEvent, event.id)
    assert event.processed_at is not None and event.attempts == 1 and event.error is None


def test_sms_then_whatsapp_from_one_number_is_one_complainant(agency, accounts):
    process_event(sms_event("Longkang tersumbat.", "SM" + "b" * 32, sender="012-345 6789").id)
    process_event(whatsapp_event("Sampah tidak dikutip.", "SM" + "c" * 32).id)
    assert count(Complainant) == 1
    (identity,) = db.session.scalars(db.select(ContactIdentity)).all()
    assert (identity.channel_type, identity.handle) == ("phone", "+60123456789")
    assert identity.display_name == "Siti Aminah 🌸"
    tickets = db.session.scalars(db.select(Ticket).order_by(Ticket.id)).all()
    assert [t.origin_channel for t in tickets] == ["sms", "whatsapp"]
    assert {t.complainant_id for t in tickets} == {identity.complainant_id}


def test_running_twice_makes_one_ticket_and_one_message(agency, accounts):
    event = sms_event("Pokok tumbang.", "SM" + "d" * 32)
    assert process_event(event.id) == "processed"
    assert process_event(event.id) == "skipped"
    assert (count(Ticket), count(Message), count(OutboundMessage)) == (1, 2, 1)


def test_same_message_in_a_second_event_is_not_stored_twice(agency, accounts):
    first = sms_event("Pokok tumbang.", "SM" + "e" * 32)
    process_event(first.id)
    again = store(
        type("Raw", (), {"channel": "sms", "kind": "message", "provider_id": "dup", "payload": {}})
    )
    again.payload = dict(db.session.get(InboundEvent, first.id).payload)
    db.session.commit()
    assert process_event(again.id) == "processed"
    assert (count(Ticket), db.session.scalar(db.select(db.func.count(Message.id)))) == (1, 2)


def test_unparseable_payload_is_quarantined_with_its_reason(agency, accounts):
    event = sms_event("x", "SM" + "f" * 32)
    event.payload = {"MessageSid": "SM" + "f" * 32, "Body": "no sender"}
    db.session.commit()
    assert process_event(event.id) == "quarantined"
    event = db.session.get(InboundEvent, event.id)
    assert event.quarantined_at is not None and event.processed_at is None
    assert "without From" in event.error
    assert count(Ticket) == 0
    assert process_event(event.id) == "skipped"


def test_other_errors_are_counted_and_raised_for_a_retry(agency, accounts, monkeypatch):
    from aduan.services.intake import pipeline as intake

    def broken(*args, **kwargs):
        raise RuntimeError("database hiccup")

    monkeypatch.setattr(intake, "open_ticket", broken)
    event = sms_event("Pokok tumbang.", "SM" + "1" * 32)
    with pytest.raises(RuntimeError):
        process_event(event.id)
    event = db.session.get(InboundEvent, event.id)
    assert (event.attempts, event.processed_at) == (1, None)
    assert "database hiccup" in event.error
    assert count(Ticket) == 0 and count(Complainant) == 0


def test_reply_while_waiting_on_the_complainant_resumes_the_ticket(agency, accounts):
    process_event(sms_event("Lampu rosak.", "SM" + "2" * 32).id)
    ticket = db.session.scalar(db.select(Ticket))
    workflow.change_status(ticket, "dalam_tindakan")
    workflow.change_status(ticket, "menunggu_pengadu")
    db.session.commit()
    process_event(sms_event("Lokasi: tiang nombor 42.", "SM" + "3" * 32).id)
    ticket = db.session.get(Ticket, ticket.id)
    assert ticket.status == "dalam_tindakan"
    last = ticket.events[-1]
    assert (last.kind, last.actor_kind, last.after) == (
        "status_changed",
        "complainant",
        {"status": "dalam_tindakan"},
    )
    purposes = db.session.scalars(db.select(OutboundMessage.purpose).order_by(OutboundMessage.id))
    # no second acknowledgement: the first, the waiting notice and the back-in-action notice
    assert count(Ticket) == 1 and list(purposes) == ["acknowledgement", "waiting", "resumed"]


def test_email_fixture_opens_a_ticket_with_subject_and_language(agency, accounts):
    process_event(email_fixture_event("plain_bm.eml").id)
    ticket = db.session.scalar(db.select(Ticket))
    assert ticket.subject == "Lampu jalan rosak di Jalan Ampang"
    assert ticket.language == "ms"
    identity = db.session.scalar(db.select(ContactIdentity))
    assert (identity.channel_type, identity.handle) == ("email", "aminah.yusof@example.com.my")
    ack = db.session.scalar(db.select(OutboundMessage))
    assert ack.in_reply_to == "<CAB1234.plain.bm@mail.example.com.my>"
    assert ack.email_message_id and ticket.reference in ack.subject


def test_telegram_photo_is_fetched_and_stored_content_addressed(agency, accounts, fake_telegram):
    accounts["telegram"] = {"api_base_url": fake_telegram.url}
    fake_telegram.files["AgACAgUAAxkBAAMLarge"] = b"\xff\xd8jpeg-bytes"
    process_event(telegram_event("photo_caption").id)
    (attachment,) = db.session.scalars(db.select(Attachment)).all()
    assert attachment.content_type == "image/jpeg" and attachment.size == 12
    assert read_attachment(attachment.sha256) == b"\xff\xd8jpeg-bytes"
    ticket = db.session.scalar(db.select(Ticket))
    assert ticket.language == "en"  # Telegram's language_code
    assert ticket.complainant.identities[0].channel_type == "telegram"


def test_refused_attachments_are_recorded_and_the_message_kept(agency, accounts, fake_telegram):
    accounts["telegram"] = {"api_base_url": fake_telegram.url}
    video = {"file_id": "VID1", "file_unique_id": "v1", "width": 1, "height": 1, "duration": 1}
    video["mime_type"] = "video/mp4"
    process_event(telegram_event("photo_caption", video=video).id)  # photo not on the fake
    reasons = [
        e.data["reason"]
        for e in db.session.scalars(
            db.select(TicketEvent).where(TicketEvent.kind == "attachment_refused")
        )
    ]
    assert sorted(reasons) == [
        "fetch failed: KeyError",
        "type not allowed: video/mp4",
    ]
    assert count(Attachment) == 0 and count(Message) >= 1


def test_oversized_attachment_is_refused(app, agency, accounts, fake_telegram, monkeypatch):
    monkeypatch.setitem(app.config, "ATTACHMENT_MAX_BYTES", 10)
    accounts["telegram"] = {"api_base_url": fake_telegram.url}
    fake_telegram.files["AgACAgUAAxkBAAMLarge"] = b"x" * 11
    process_event(telegram_event("photo_caption").id)
    event = db.session.scalar(
        db.select(TicketEvent).where(TicketEvent.kind == "attachment_refused")
    )
    assert event.data["reason"] == "larger than 10 bytes"


def _process_in_child(database_url, instance_dir, event_ids, queue):
    from pathlib import Path

    from aduan.services.channel_config import lookup as channel_lookup
    from channels.registry import get_adapter_class
    from tests.channels.builders import TWILIO_ACCOUNT
    from tests.conftest import make_app

    channel_lookup.adapter_for = lambda channel, key="default": get_adapter_class(channel)(
        TWILIO_ACCOUNT
    )
    app = make_app(database_url, Path(instance_dir))
    with app.app_context():
        for event_id in event_ids:
            queue.put(process_event(event_id))


def test_two_processes_at_once_make_one_ticket(agency, accounts, database_url, tmp_path):
    event = sms_event("Air paip tiada sejak pagi.", "SM" + "4" * 32)
    ctx = mp.get_context("spawn")
    queue = ctx.Queue()
    workers = [
        ctx.Process(target=_process_in_child, args=(database_url, tmp_path, [event.id], queue))
        for _ in range(2)
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(60)
    assert sorted(queue.get(timeout=5) for _ in workers) == ["processed", "skipped"]
    db.session.expire_all()
    assert (count(Ticket), count(Complainant), count(OutboundMessage)) == (1, 1, 1)


def test_two_messages_from_one_person_at_once_make_one_ticket(
    agency, accounts, database_url, tmp_path
):
    first = sms_event("Paip pecah di Jalan 5.", "SM" + "5" * 32, sender="+60177776666")
    second = sms_event("Air melimpah ke jalan.", "SM" + "6" * 32, sender="+60177776666")
    ctx = mp.get_context("spawn")
    queue = ctx.Queue()
    workers = [
        ctx.Process(target=_process_in_child, args=(database_url, tmp_path, [eid], queue))
        for eid in (first.id, second.id)
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(60)
    assert [queue.get(timeout=5) for _ in workers] == ["processed", "processed"]
    db.session.expire_all()
    assert (count(Ticket), count(Complainant), count(ContactIdentity)) == (1, 1, 1)
    assert (
        db.session.scalar(db.select(db.func.count(Message.id)).where(Message.direction == "in"))
        == 2
    )


def test_new_tickets_are_routed(agency, accounts):
    process_event(sms_event("Lampu jalan rosak.", "SM" + "7" * 32).id)
    ticket = db.session.scalar(db.select(Ticket))
    assert [e.kind for e in ticket.events][:2] == ["created", "routed"]
    assert ticket.unit_id == agency.triage_unit_id
