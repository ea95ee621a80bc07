"""Messenger's and Instagram's own rules for late messages, end to end through the fake Graph
server: a free RESPONSE within 24 hours of the person's last message, an officer's reply with
the HUMAN_AGENT tag up to 7 days, and a notice past 24 hours on another channel they gave
(here SMS, at the fake Twilio) — or failed with its reason when they gave none."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from aduan.extensions import db
from aduan.models import ContactIdentity, OutboundMessage, Ticket, TicketEvent
from aduan.models.base import utcnow
from aduan.services.intake.pipeline import process_event
from aduan.services.outbox import delivery, replies
from aduan.services.tickets import workflow
from channels.registry import get_adapter_class
from tests.builders import gen_officer
from tests.channels.builders import META_ACCOUNT, meta_request
from tests.fakes.graph import fake_graph
from tests.services import intake_builders
from tests.services.intake_builders import store

accounts = intake_builders.accounts
twilio = intake_builders.twilio_server
PSID = "24680135791357"


@pytest.fixture
def graph(accounts):
    with fake_graph() as server:
        accounts["messenger"] = {**META_ACCOUNT, "graph_base_url": server.url}
        yield server


def _file_by_messenger() -> Ticket:
    now_ms = int(utcnow().timestamp() * 1000)
    body = {
        "object": "page",
        "entry": [{"id": "112233445566778", "time": now_ms, "messaging": [{
            "sender": {"id": PSID}, "recipient": {"id": "112233445566778"},
            "timestamp": now_ms,
            "message": {"mid": "m_FILE1", "text": "Lampu jalan rosak di Jalan Kenanga."},
        }]}],
    }  # fmt: skip
    adapter = get_adapter_class("messenger")(META_ACCOUNT)
    (raw,) = adapter.split(meta_request(json.dumps(body).encode()))
    process_event(store(raw).id)
    ticket = db.session.scalar(db.select(Ticket))
    ack = db.session.scalar(db.select(OutboundMessage))
    assert delivery.deliver(ack.id).state == "sent"
    return ticket


def _last_wrote(ago: dt.timedelta) -> None:
    identity = db.session.scalar(
        db.select(ContactIdentity).where(ContactIdentity.channel_type == "messenger")
    )
    identity.last_inbound_at = utcnow() - ago
    db.session.commit()


def _sent_to_graph(graph) -> list[dict]:
    return [r.json for r in graph.requests if r.path.endswith("/me/messages")]


def test_within_24_hours_a_plain_response_after_it_a_human_agent_reply(agency, graph):
    ticket = _file_by_messenger()
    officer = gen_officer(agency)
    db.session.commit()
    _last_wrote(dt.timedelta(hours=2))
    row = replies.queue_reply(ticket, officer, "Kami akan hantar pasukan esok.")
    assert delivery.deliver(row.id).state == "sent"
    _last_wrote(dt.timedelta(days=3))
    row = replies.queue_reply(ticket, officer, "Pasukan telah dijadualkan.")
    assert delivery.deliver(row.id).state == "sent"
    sent = _sent_to_graph(graph)
    assert sent[0]["messaging_type"] == "RESPONSE" and "tag" not in sent[0]  # the acknowledgement
    assert sent[1] == {
        "recipient": {"id": PSID},
        "messaging_type": "RESPONSE",
        "message": {"text": "Kami akan hantar pasukan esok."},
    }
    assert sent[2] == {
        "recipient": {"id": PSID},
        "messaging_type": "MESSAGE_TAG",
        "tag": "HUMAN_AGENT",
        "message": {"text": "Pasukan telah dijadualkan."},
    }


def test_a_notice_past_24_hours_goes_by_sms_when_they_gave_a_phone(agency, graph, twilio):
    ticket = _file_by_messenger()
    db.session.add(
        ContactIdentity(
            complainant_id=ticket.complainant_id, agency_id=agency.id,
            channel_type="phone", handle="+60123456789",
        )
    )  # fmt: skip
    db.session.commit()
    _last_wrote(dt.timedelta(hours=30))
    workflow.change_status(ticket, "dalam_tindakan")
    workflow.change_status(ticket, "menunggu_pengadu", reason="Nyatakan nombor tiang lampu")
    workflow.commit()
    row = db.session.scalar(db.select(OutboundMessage).where(OutboundMessage.purpose == "waiting"))
    assert row.channel == "messenger"
    delivery.deliver(row.id)
    db.session.refresh(row)
    assert (row.channel, row.to_handle, row.state) == ("sms", "+60123456789", "queued")
    assert delivery.deliver(row.id).state == "sent"
    sms = twilio.last("/Messages.json").form
    assert sms["To"] == "+60123456789" and "Nyatakan nombor tiang lampu" in sms["Body"]
    assert len(_sent_to_graph(graph)) == 1  # only the acknowledgement, inside the window
    moved = db.session.scalar(db.select(TicketEvent).where(TicketEvent.kind == "sent_elsewhere"))
    assert moved.data == {"outbound_id": row.id, "from": "messenger", "to": "sms"}


def test_a_notice_past_24_hours_with_no_other_channel_fails_with_its_reason(agency, graph):
    ticket = _file_by_messenger()
    _last_wrote(dt.timedelta(days=2))
    workflow.change_status(ticket, "dalam_tindakan")
    workflow.change_status(ticket, "menunggu_pengadu", reason="Nyatakan nombor tiang lampu")
    workflow.commit()
    row = db.session.scalar(db.select(OutboundMessage).where(OutboundMessage.purpose == "waiting"))
    assert delivery.deliver(row.id).state == "failed"
    assert "no other channel" in row.error
    assert len(_sent_to_graph(graph)) == 1


@pytest.mark.parametrize(("answer", "rating"), [("lima", 5), ("five, thanks", 5), ("4", 4)])
def test_a_survey_answered_on_messenger_is_recorded_once_no_new_ticket(
    agency, graph, answer, rating
):
    from aduan.models.citizen import SurveyResponse
    from aduan.services.citizen import survey

    ticket = _file_by_messenger()
    workflow.change_status(ticket, "dalam_tindakan")
    workflow.change_status(ticket, "selesai", reason="Lampu telah diganti.")
    workflow.commit()
    assert survey.request_surveys() == 1
    ask = db.session.scalar(db.select(OutboundMessage).where(OutboundMessage.purpose == "survey"))
    assert delivery.deliver(ask.id).state == "sent"
    assert "Penyelesaian: Lampu telah diganti." in _sent_to_graph(graph)[-1]["message"]["text"]
    now_ms = int(utcnow().timestamp() * 1000)
    body = {
        "object": "page",
        "entry": [{"id": "112233445566778", "time": now_ms, "messaging": [{
            "sender": {"id": PSID}, "recipient": {"id": "112233445566778"},
            "timestamp": now_ms, "message": {"mid": "m_RATE1", "text": answer},
        }]}],
    }  # fmt: skip
    (raw,) = get_adapter_class("messenger")(META_ACCOUNT).split(
        meta_request(json.dumps(body).encode())
    )
    process_event(store(raw).id)
    (answered,) = db.session.scalars(db.select(SurveyResponse)).all()
    assert answered.rating == rating
    assert db.session.scalar(db.select(db.func.count(Ticket.id))) == 1
    db.session.refresh(ticket)
    assert ticket.status == "selesai"
    thanks = db.session.scalar(
        db.select(OutboundMessage).where(OutboundMessage.purpose == "survey_thanks")
    )
    assert delivery.deliver(thanks.id).state == "sent"
    assert _sent_to_graph(graph)[-1]["message"]["text"] == thanks.body
    assert f"({rating}/5)" in thanks.body
