"""One complaint followed from filing to closure on the complainant's own channel, through the
fake provider servers the real SDKs talk to: the exact notices they received, in order, each
with the officer's reason, in Bahasa Malaysia and in English (SMS, WhatsApp, Telegram and
Messenger, the last through the fake Graph server, its survey answered by a Messenger reply)."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from aduan.extensions import db
from aduan.models import Message, OutboundMessage, Ticket
from aduan.models.base import utcnow
from aduan.models.citizen import SurveyResponse
from aduan.services.citizen import survey
from aduan.services.intake.pipeline import process_event
from aduan.services.outbox import delivery
from aduan.services.outbox.texts import format_local, format_local_date, status_link
from aduan.services.sla.clock import local_today
from aduan.services.tickets import extending, workflow
from channels.base import RawEvent
from channels.registry import get_adapter_class
from tests.channels.builders import META_ACCOUNT, meta_request
from tests.fakes.graph import fake_graph
from tests.services import intake_builders
from tests.services.bot_builders import USER, callback_update, text_update
from tests.services.intake_builders import sms_event, store, whatsapp_event

accounts = intake_builders.accounts
twilio = intake_builders.twilio_server
telegram = intake_builders.telegram_server

PHONE = "+60123456789"


def _deliver_all() -> list[OutboundMessage]:
    """Send every queued row, oldest first, as the outbound worker would."""
    rows = db.session.scalars(
        db.select(OutboundMessage)
        .where(OutboundMessage.state == "queued")
        .order_by(OutboundMessage.id)
    ).all()
    for row in rows:
        assert delivery.deliver(row.id).state == "sent", row.error
    return list(rows)


def _received(twilio) -> list[str]:
    return [r.form["Body"] for r in twilio.requests if r.path.endswith("/Messages.json")]


def _journey(agency, twilio, make, language: str, rate=None) -> tuple[Ticket, list[str]]:
    """File, acknowledge, wait for the complainant, resume, extend, resolve, rate 5, close."""
    rate = rate or (lambda sid: make("5", sid))
    complaint = {
        "ms": "Lampu jalan rosak di Jalan Kenanga sejak minggu lepas, sila baiki.",
        "en": "The street light on Jalan Kenanga has been broken since last week, please fix it.",
    }[language]
    process_event(make(complaint, "SM" + "a" * 32).id)
    ticket = db.session.scalar(db.select(Ticket))
    ticket.language = language
    db.session.commit()
    _deliver_all()
    workflow.change_status(ticket, "diterima")
    workflow.change_status(ticket, "menunggu_pengadu", reason="Nyatakan nombor tiang lampu")
    workflow.commit()
    _deliver_all()
    process_event(make("Tiang nombor 42.", "SM" + "b" * 32).id)  # back in action
    _deliver_all()
    new_date = ticket.resolve_due_at + dt.timedelta(days=10)
    extending.extend(ticket, None, "Menunggu alat ganti dari pembekal", new_date)
    workflow.commit()
    _deliver_all()
    workflow.change_status(ticket, "selesai", reason="Lampu telah diganti pada 4 November.")
    workflow.commit()
    assert survey.request_surveys() == 1
    _deliver_all()
    assert process_event(rate("SM" + "c" * 32).id) == "processed"
    _deliver_all()
    assert survey.close_expired(utcnow() + survey.WINDOW + dt.timedelta(minutes=1)) == 1
    _deliver_all()
    db.session.refresh(ticket)
    return ticket, _received(twilio) if twilio is not None else []


def test_an_sms_complaint_is_told_every_change_in_bahasa_malaysia(agency, twilio):
    ticket, received = _journey(agency, twilio, sms_event, "ms")
    ref, link = ticket.reference, status_link(ticket)
    resumed_by = format_local(_deadline_after_resume(ticket), "ms")
    extended_to = format_local_date(local_today(ticket.resolve_due_at), "ms")
    assert received[0].startswith(f"Aduan anda telah diterima. No. Rujukan: {ref}. ")
    assert f"Dikendalikan oleh: {ticket.unit.name}." in received[0]
    assert received[1:] == [
        f"Aduan {ref}: kami memerlukan maklum balas daripada anda: Nyatakan nombor tiang "
        f"lampu. Tempoh penyelesaian dihentikan sementara sehingga anda membalas. Status: {link}",
        f"Aduan {ref} kembali dalam tindakan; tempoh penyelesaian disambung semula. "
        f"Penyelesaian dijangka selewat-lewatnya {resumed_by}. Status: {link}",
        f"Jawapan interim bagi aduan {ref}: Menunggu alat ganti dari pembekal. "
        f"Tarikh jangkaan penyelesaian baharu: {extended_to}.",
        f"Aduan {ref} telah diselesaikan. Penyelesaian: Lampu telah diganti pada 4 November. "
        "Sila nilai perkhidmatan kami: balas dengan 1 hingga 5 (5 = cemerlang). Jika anda "
        f"tidak berpuas hati, balas BANTAH atau bantah dalam tempoh 7 hari: {link}",
        received[5],  # the thanks for the rating (``survey_answers``)
        f"Aduan {ref} telah ditutup. Status: {link}",
    ]
    assert "Terima kasih" in received[5] and "(5/5)" in received[5]
    assert (
        ticket.status == "ditutup" and db.session.scalar(db.select(db.func.count(Ticket.id))) == 1
    )
    _officers_see_what_went_out(ticket, received)


def test_a_whatsapp_complaint_is_told_every_change_in_english(agency, twilio):
    ticket, received = _journey(agency, twilio, whatsapp_event, "en")
    ref, link = ticket.reference, status_link(ticket)
    resumed_by = format_local(_deadline_after_resume(ticket), "en")
    assert received[0].startswith(f"Your complaint has been received. Reference No.: {ref}. ")
    assert f"Handled by: {ticket.unit.name}." in received[0]
    assert received[1:3] == [
        f"Complaint {ref}: we need something from you: Nyatakan nombor tiang lampu. "
        f"The resolution period is paused until you reply. Status: {link}",
        f"Complaint {ref} is being acted on again; the resolution period runs again. "
        f"Expected resolution by {resumed_by}. Status: {link}",
    ]
    assert received[3].startswith(f"Interim reply on complaint {ref}: Menunggu alat ganti")
    assert received[4] == (
        f"Complaint {ref} has been resolved. Resolution: Lampu telah diganti pada 4 November. "
        "Please rate our service: reply with 1 to 5 (5 = excellent). If you are not "
        f"satisfied, reply OBJECT or object within 7 days: {link}"
    )
    assert "(5/5)" in received[5]
    assert received[6] == f"Complaint {ref} has been closed. Status: {link}"
    assert len(received) == 7


def test_an_agency_can_switch_single_notices_off(agency, twilio):
    agency.settings = {"citizen_notices_off": ["waiting", "closed"]}
    db.session.commit()
    ticket, received = _journey(agency, twilio, sms_event, "ms")
    assert not any("kami memerlukan" in body or "telah ditutup" in body for body in received)
    assert any("kembali dalam tindakan" in body for body in received)
    assert ticket.status == "ditutup"


def _deadline_after_resume(ticket: Ticket) -> dt.datetime:
    """The resolution date the resume notice named: the one before the extension."""
    event = db.session.scalar(
        db.select(db.text("before"))
        .select_from(db.text("ticket_events"))
        .where(db.text("ticket_id = :t AND kind = 'extended'"))
        .params(t=ticket.id)
    )
    return dt.datetime.fromisoformat(event["resolve_due_at"])


def _officers_see_what_went_out(ticket: Ticket, received: list[str]) -> None:
    """Every notice is on the ticket's timeline as an outgoing message, word for word."""
    out = db.session.scalars(
        db.select(Message.body)
        .where(Message.ticket_id == ticket.id, Message.direction == "out")
        .order_by(Message.id)
    ).all()
    assert [body for body in received if body in out] == received


def test_a_telegram_complaint_is_told_every_change_and_rated_by_button(agency, telegram):
    def make(text: str, sid: str):
        update = text_update(text)
        return store(RawEvent("telegram", "message", str(update["update_id"]), update))

    def press(sid: str):
        update = callback_update("survey:4")
        return store(RawEvent("telegram", "message", str(update["update_id"]), update))

    ticket, _ = _journey(agency, None, make, "ms", rate=press)
    ref, link = ticket.reference, status_link(ticket)
    sent = [r.params for r in telegram.requests if r.path.endswith("/sendMessage")]
    texts = [p["text"] for p in sent]
    assert texts[0].startswith(f"Aduan anda telah diterima. No. Rujukan: {ref}. ")
    assert texts[1] == (
        f"Aduan {ref}: kami memerlukan maklum balas daripada anda: Nyatakan nombor tiang "
        f"lampu. Tempoh penyelesaian dihentikan sementara sehingga anda membalas. Status: {link}"
    )
    assert texts[2].startswith(f"Aduan {ref} kembali dalam tindakan;")
    assert texts[3].startswith(f"Jawapan interim bagi aduan {ref}: Menunggu alat ganti")
    assert texts[4].startswith(
        f"Aduan {ref} telah diselesaikan. Penyelesaian: Lampu telah diganti pada 4 November."
    )
    assert '"survey:4"' in sent[4]["reply_markup"]  # the rating buttons
    assert "(4/5)" in texts[5]
    assert texts[6] == f"Aduan {ref} telah ditutup. Status: {link}"
    assert len(texts) == 7 and all(str(p["chat_id"]) == str(USER) for p in sent)
    (answer,) = db.session.scalars(db.select(SurveyResponse)).all()
    assert answer.rating == 4 and db.session.scalar(db.select(db.func.count(Ticket.id))) == 1


PSID = "24680135791357"
PAGE = "112233445566778"


@pytest.fixture
def graph(accounts):
    with fake_graph() as server:
        accounts["messenger"] = {**META_ACCOUNT, "graph_base_url": server.url}
        yield server


def messenger_event(text: str, sid: str):
    """A Messenger text from PSID to the Page, split by the adapter and stored."""
    now_ms = int(utcnow().timestamp() * 1000)
    body = {
        "object": "page",
        "entry": [{"id": PAGE, "time": now_ms, "messaging": [{
            "sender": {"id": PSID}, "recipient": {"id": PAGE}, "timestamp": now_ms,
            "message": {"mid": "m_" + sid, "text": text},
        }]}],
    }  # fmt: skip
    adapter = get_adapter_class("messenger")(META_ACCOUNT)
    (raw,) = adapter.split(meta_request(json.dumps(body).encode()))
    return store(raw)


@pytest.mark.parametrize("language", ["ms", "en"])
def test_a_messenger_complaint_is_told_every_change_and_rated_by_reply(agency, graph, language):
    ticket, _ = _journey(agency, None, messenger_event, language)
    ref, link = ticket.reference, status_link(ticket)
    sent = [r.json for r in graph.requests if r.path.endswith("/me/messages")]
    texts = [p["message"]["text"] for p in sent]
    resumed_by = format_local(_deadline_after_resume(ticket), language)
    extended_to = format_local_date(local_today(ticket.resolve_due_at), language)
    if language == "ms":
        assert texts[0].startswith(f"Aduan anda telah diterima. No. Rujukan: {ref}. ")
        assert f"Dikendalikan oleh: {ticket.unit.name}." in texts[0]
        expected = [
            f"Aduan {ref}: kami memerlukan maklum balas daripada anda: Nyatakan nombor tiang "
            f"lampu. Tempoh penyelesaian dihentikan sementara sehingga anda membalas. "
            f"Status: {link}",
            f"Aduan {ref} kembali dalam tindakan; tempoh penyelesaian disambung semula. "
            f"Penyelesaian dijangka selewat-lewatnya {resumed_by}. Status: {link}",
            f"Jawapan interim bagi aduan {ref}: Menunggu alat ganti dari pembekal. "
            f"Tarikh jangkaan penyelesaian baharu: {extended_to}.",
            f"Aduan {ref} telah diselesaikan. Penyelesaian: Lampu telah diganti pada 4 "
            "November. Sila nilai perkhidmatan kami: balas dengan 1 hingga 5 (5 = cemerlang). "
            f"Jika anda tidak berpuas hati, balas BANTAH atau bantah dalam tempoh 7 hari: {link}",
            texts[5],  # the thanks for the rating
            f"Aduan {ref} telah ditutup. Status: {link}",
        ]
        assert "Terima kasih" in texts[5]
    else:
        assert texts[0].startswith(f"Your complaint has been received. Reference No.: {ref}. ")
        assert f"Handled by: {ticket.unit.name}." in texts[0]
        expected = [
            f"Complaint {ref}: we need something from you: Nyatakan nombor tiang lampu. "
            f"The resolution period is paused until you reply. Status: {link}",
            f"Complaint {ref} is being acted on again; the resolution period runs again. "
            f"Expected resolution by {resumed_by}. Status: {link}",
            texts[3],
            f"Complaint {ref} has been resolved. Resolution: Lampu telah diganti pada 4 "
            "November. Please rate our service: reply with 1 to 5 (5 = excellent). If you are "
            f"not satisfied, reply OBJECT or object within 7 days: {link}",
            texts[5],
            f"Complaint {ref} has been closed. Status: {link}",
        ]
        assert texts[3].startswith(f"Interim reply on complaint {ref}: Menunggu alat ganti")
        assert extended_to in texts[3]
    assert texts[1:] == expected and "(5/5)" in texts[5]
    # Every notice went to the person's page-scoped id, as a response within their 24 hours.
    assert all(p["recipient"] == {"id": PSID} for p in sent)
    assert all(p["messaging_type"] == "RESPONSE" for p in sent)
    (answer,) = db.session.scalars(db.select(SurveyResponse)).all()
    assert answer.rating == 5 and answer.ticket_id == ticket.id
    assert ticket.status == "ditutup"
    assert db.session.scalar(db.select(db.func.count(Ticket.id))) == 1
    _officers_see_what_went_out(ticket, texts)
