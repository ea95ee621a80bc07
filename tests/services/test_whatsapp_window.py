"""WhatsApp outside the 24-hour window: officers' replies and notices are held, a notice template
goes out instead, and the held text follows when the complainant writes again — through the
real twilio client and the Graph API adapter against the fake provider servers."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from aduan.extensions import db
from aduan.models import ContactIdentity, Message, OutboundMessage, Ticket, TicketEvent
from aduan.models.base import utcnow
from aduan.models.messages import WhatsAppWindow
from aduan.models.routing import Notification
from aduan.queues import FIRST, OUTBOUND, get_queue
from aduan.services.intake.pipeline import process_event
from aduan.services.outbox import delivery as outbound
from aduan.services.outbox import notices as complainant_notices
from aduan.services.outbox import replies
from channels.base import RawEvent
from tests.builders import gen_agency, gen_officer, gen_unit
from tests.fakes.graph import fake_graph as make_fake_graph
from tests.fakes.twilio import fake_twilio as make_fake_twilio
from tests.services import intake_builders
from tests.services.intake_builders import store, twilio_event, whatsapp_event

accounts = intake_builders.accounts
NOTICE_SID = "HX" + "7" * 32
ACK_SID = "HX" + "8" * 32
PHONE = "+60123456789"


@pytest.fixture
def agency(db):
    agency = gen_agency("JKR")
    agency.triage_unit_id = gen_unit(agency).id
    agency.settings = {
        **agency.settings,
        "whatsapp_notice_template": NOTICE_SID,
        "whatsapp_cloud_notice_template": "aduan_mesej_baharu",
    }
    db.session.commit()
    return agency


@pytest.fixture
def twilio(accounts):
    with make_fake_twilio() as server:
        accounts["whatsapp"] = {"api_base_url": server.url}
        yield server


@pytest.fixture
def graph(accounts):
    with make_fake_graph() as server:
        accounts["whatsapp_cloud"] = {"graph_base_url": server.url}
        yield server


def whatsapp_ticket(sid: str = "SM" + "a" * 32) -> Ticket:
    process_event(whatsapp_event("Sampah tidak dikutip seminggu.", sid).id)
    return db.session.scalar(db.select(Ticket))


def close_the_window(hours: int = 25) -> None:
    old = utcnow() - dt.timedelta(hours=hours)
    db.session.execute(db.update(Message).values(created_at=old))
    db.session.execute(db.update(OutboundMessage).values(created_at=old))
    db.session.execute(db.update(ContactIdentity).values(last_inbound_at=old))
    db.session.execute(db.update(WhatsAppWindow).values(last_inbound_at=old))
    db.session.commit()


def sent_to(server, suffix: str) -> list:
    return [r for r in server.requests if r.path.endswith(suffix)]


def notices() -> list[OutboundMessage]:
    return db.session.scalars(
        db.select(OutboundMessage)
        .where(OutboundMessage.purpose == "window_notice")
        .order_by(OutboundMessage.id)
    ).all()


def events(kind: str) -> list[TicketEvent]:
    return db.session.scalars(
        db.select(TicketEvent).where(TicketEvent.kind == kind).order_by(TicketEvent.id)
    ).all()


def outbound_jobs() -> list[str]:
    return get_queue(FIRST).job_ids + get_queue(OUTBOUND).job_ids


def test_reply_outside_the_window_is_held_a_template_goes_out_and_the_text_follows(agency, twilio):
    ticket = whatsapp_ticket()
    close_the_window()
    officer = gen_officer(agency)
    twilio.mode = "window_closed"  # as Twilio would: free text refused, templates accepted

    reply = replies.queue_reply(ticket, officer, "Pasukan kami akan datang esok pagi.")
    assert outbound.deliver(reply.id).state == "held"
    assert sent_to(twilio, "/Messages.json") == []  # nothing sent that would fail with 63016

    (notice,) = notices()
    assert f"send-{notice.id}" in outbound_jobs()  # enqueued once the hold was committed
    assert (notice.template, notice.to_handle) == (NOTICE_SID, PHONE)
    link = f"https://aduan.test/semak?ref={ticket.reference}"
    # The template's language travels with the row (Meta needs it), never as a variable.
    assert notice.template_variables == {"1": ticket.reference, "2": link, "language": "ms"}
    assert outbound.deliver(notice.id).state == "sent"
    received = twilio.last("/Messages.json")
    assert received.form["ContentSid"] == NOTICE_SID and "Body" not in received.form
    assert json.loads(received.form["ContentVariables"]) == {"1": ticket.reference, "2": link}
    assert received.form["To"] == "whatsapp:" + PHONE

    # The officer sees what went out: the held reply, and the template with its variables.
    (held,) = events("held_outside_window")
    assert held.data["outbound_id"] == reply.id and held.data["notice_id"] == notice.id
    assert held.data["template"] == NOTICE_SID
    assert held.data["variables"] == {"1": ticket.reference, "2": link}
    assert events("delivery_failed") == []

    # A second reply while the first waits: held as well, but no second template.
    second = replies.queue_reply(ticket, officer, "Sila hantar gambar lokasi.")
    assert outbound.deliver(second.id).state == "held"
    assert len(notices()) == 1

    # The complainant answers the template: the window reopens, both texts go out in order.
    twilio.mode = "ok"
    process_event(whatsapp_event("Baik, terima kasih.", "SM" + "b" * 32).id)
    assert {f"send-{reply.id}", f"send-{second.id}"} <= set(outbound_jobs())
    assert len(events("held_released")) == 2
    assert outbound.deliver(reply.id).state == "sent"
    assert outbound.deliver(second.id).state == "sent"
    bodies = [r.form.get("Body") for r in sent_to(twilio, "/Messages.json")]
    assert bodies[-2:] == ["Pasukan kami akan datang esok pagi.", "Sila hantar gambar lokasi."]
    assert len(db.session.scalars(db.select(Ticket)).all()) == 1


def test_a_refusal_by_twilio_holds_the_reply_instead_of_failing_it(agency, twilio):
    ticket = whatsapp_ticket()
    officer = gen_officer(agency)
    ticket.assignee_id = officer.id
    db.session.commit()
    twilio.mode = "window_closed"  # our clock says open, Twilio's does not
    reply = replies.queue_reply(ticket, officer, "Kami sedang menyiasat.")
    row = outbound.deliver(reply.id)
    assert (row.state, row.attempts) == ("held", 1)
    assert events("delivery_failed") == []
    assert db.session.scalars(db.select(Notification)).all() == []  # nothing failed
    (notice,) = notices()
    assert outbound.deliver(notice.id).state == "sent"
    assert twilio.last("/Messages.json").form["ContentSid"] == NOTICE_SID


def status_callback(sid: str, status: str, error: str | None = None):
    form = {
        "MessageSid": sid,
        "MessageStatus": status,
        "AccountSid": "AC" + "0" * 32,
        "From": "whatsapp:+60388880001",
        "To": "whatsapp:" + PHONE,
    }
    if error:
        form["ErrorCode"] = error
    return twilio_event("whatsapp", form)


def test_an_undelivered_63016_status_callback_holds_the_reply(agency, twilio):
    ticket = whatsapp_ticket()
    reply = replies.queue_reply(ticket, gen_officer(agency), "Aduan telah diserahkan ke unit.")
    sid = outbound.deliver(reply.id).provider_id  # accepted, then undelivered (Twilio's way)
    assert process_event(status_callback(sid, "undelivered", "63016").id) == "processed"
    row = db.session.get(OutboundMessage, reply.id)
    assert row.state == "held"
    assert events("delivery_failed") == []
    (notice,) = notices()
    assert f"send-{notice.id}" in outbound_jobs()
    process_event(status_callback(sid, "failed", "63016").id)  # repeated: nothing more
    assert len(events("held_outside_window")) == 1 and len(notices()) == 1


def test_without_a_template_the_reply_is_held_and_the_assignee_told(agency, twilio):
    agency.settings = {k: v for k, v in agency.settings.items() if "notice" not in k}
    ticket = whatsapp_ticket()
    officer = gen_officer(agency)
    ticket.assignee_id = officer.id
    db.session.commit()
    close_the_window()
    reply = replies.queue_reply(ticket, officer, "Mohon maklumkan alamat penuh.")
    assert outbound.deliver(reply.id).state == "held"
    assert notices() == [] and twilio.requests == []
    (held,) = events("held_outside_window")
    assert held.data["notice_id"] is None and "template" not in held.data
    (note,) = db.session.scalars(db.select(Notification)).all()
    assert (note.officer_id, note.kind) == (officer.id, "message_held")

    process_event(whatsapp_event("Alamat: No 5, Jalan Kenanga.", "SM" + "c" * 32).id)
    assert outbound.deliver(reply.id).state == "sent"
    assert twilio.last("/Messages.json").form["Body"] == "Mohon maklumkan alamat penuh."


def test_status_updates_and_service_recovery_notices_are_held_too(agency, twilio):
    ticket = whatsapp_ticket()
    close_the_window()
    row = complainant_notices.queue_notice(
        ticket, "recovery", ms="Kami memohon maaf.", en="We apologise."
    )
    db.session.commit()
    assert outbound.deliver(row.id).state == "held"
    assert len(notices()) == 1


def test_an_acknowledgement_sent_after_the_window_closed_uses_its_template(agency, twilio):
    agency.settings = {**agency.settings, "whatsapp_ack_template": ACK_SID}
    db.session.commit()
    ticket = whatsapp_ticket()
    ack = db.session.scalar(
        db.select(OutboundMessage).where(OutboundMessage.purpose == "acknowledgement")
    )
    assert ack.template is None  # queued inside the window
    close_the_window()  # … and the send job ran a day later
    assert outbound.deliver(ack.id).state == "sent"
    received = twilio.last("/Messages.json")
    assert received.form["ContentSid"] == ACK_SID
    assert json.loads(received.form["ContentVariables"])["1"] == ticket.reference
    assert notices() == []


def test_a_verification_code_is_not_held(agency, twilio):
    ticket = whatsapp_ticket()
    close_the_window()
    row = OutboundMessage(
        ticket_id=ticket.id,
        purpose="verification",
        channel="whatsapp",
        to_handle=PHONE,
        body="Kod pengesahan: 123456",
    )
    db.session.add(row)
    db.session.commit()
    assert outbound.deliver(row.id).state == "failed"
    assert twilio.requests == [] and notices() == []


def cloud_message(wamid: str, text: str) -> RawEvent:
    message = {
        "from": PHONE.lstrip("+"),
        "id": wamid,
        "timestamp": str(int(utcnow().timestamp())),
        "type": "text",
        "text": {"body": text},
    }
    contacts = [{"profile": {"name": "Nur Aisyah"}, "wa_id": PHONE.lstrip("+")}]
    metadata = {"phone_number_id": "109876543210"}
    payload = {"message": message, "contacts": contacts, "metadata": metadata}
    return RawEvent("whatsapp_cloud", "message", wamid, payload)


def test_whatsapp_cloud_reply_outside_the_window(agency, graph):
    process_event(store(cloud_message("wamid.first", "Longkang tersumbat.")).id)
    ticket = db.session.scalar(db.select(Ticket))
    close_the_window()
    graph.mode = "window_closed"
    reply = replies.queue_reply(ticket, gen_officer(agency), "Kontraktor dihantar hari ini.")
    assert outbound.deliver(reply.id).state == "held"
    (notice,) = notices()
    assert outbound.deliver(notice.id).state == "sent"
    sent = graph.last("/109876543210/messages").json
    assert sent["type"] == "template" and sent["template"]["name"] == "aduan_mesej_baharu"
    parameters = sent["template"]["components"][0]["parameters"]
    assert [p["text"] for p in parameters] == [
        ticket.reference,
        f"https://aduan.test/semak?ref={ticket.reference}",
    ]

    graph.mode = "ok"
    process_event(store(cloud_message("wamid.second", "Terima kasih.")).id)
    assert outbound.deliver(reply.id).state == "sent"
    sent = graph.last("/109876543210/messages").json
    assert sent["type"] == "text" and sent["text"]["body"] == "Kontraktor dihantar hari ini."


def test_a_131047_status_from_meta_holds_the_reply(agency, graph):
    process_event(store(cloud_message("wamid.first", "Longkang tersumbat.")).id)
    ticket = db.session.scalar(db.select(Ticket))
    reply = replies.queue_reply(ticket, gen_officer(agency), "Kontraktor dihantar hari ini.")
    wamid = outbound.deliver(reply.id).provider_id
    status = {
        "id": wamid,
        "status": "failed",
        "timestamp": str(int(utcnow().timestamp())),
        "recipient_id": PHONE.lstrip("+"),
        "errors": [{"code": 131047, "title": "Re-engagement message"}],
    }
    event = store(RawEvent("whatsapp_cloud", "status", f"{wamid}:failed", {"status": status}))
    assert process_event(event.id) == "processed"
    assert db.session.get(OutboundMessage, reply.id).state == "held"
    assert events("delivery_failed") == [] and len(notices()) == 1
