"""A WhatsApp user who adopted a username writes without a phone number: Meta names them by
their business-scoped user id (BSUID). They are one complainant and one thread like a phone
sender, answered at that id through the Graph API (``recipient``), never by SMS; and the same
BSUID writing to another agency's number is that agency's own complainant."""

from __future__ import annotations

import json

from aduan.extensions import db
from aduan.models import Complainant, ContactIdentity, Message, OutboundMessage, Ticket
from aduan.models.base import utcnow
from aduan.services.channel_config.accounts import save_account
from aduan.services.citizen.status import contact_hint
from aduan.services.intake.pipeline import process_event
from aduan.services.outbox import delivery as outbound
from aduan.services.outbox import replies
from channels.registry import get_adapter_class
from tests.builders import gen_officer
from tests.channels.builders import META_ACCOUNT, meta_request
from tests.services import test_whatsapp_window as window
from tests.services.intake_builders import agency_on, store
from tests.services.test_whatsapp_window import close_the_window, notices

accounts, agency, graph = window.accounts, window.agency, window.graph
BSUID = "MY.1502576394655843"


def bsuid_event(wamid: str, text: str, account_key: str = "default"):
    """A webhook POST from a username user (no ``from``, no ``wa_id``), split by the adapter
    and stored as the webhook view would."""
    value = {
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": "60388880003", "phone_number_id": "109876543210"},
        "contacts": [{"profile": {"name": "Siti", "username": "@siti.kl"}, "user_id": BSUID}],
        "messages": [{
            "from_user_id": BSUID, "id": wamid, "timestamp": str(int(utcnow().timestamp())),
            "type": "text", "text": {"body": text},
        }],
    }  # fmt: skip
    body = {"object": "whatsapp_business_account", "entry": [{"id": "WABA", "changes": [
        {"field": "messages", "value": value}]}]}  # fmt: skip
    adapter = get_adapter_class("whatsapp_cloud")(META_ACCOUNT)
    (raw,) = adapter.split(meta_request(json.dumps(body).encode()))
    assert raw.sender == BSUID
    return store(raw, account_key=account_key)


def _deliver_queued() -> list[OutboundMessage]:
    rows = db.session.scalars(
        db.select(OutboundMessage)
        .where(OutboundMessage.state == "queued")
        .order_by(OutboundMessage.id)
    ).all()
    for row in rows:
        assert outbound.deliver(row.id).state == "sent", row.error
    return list(rows)


def test_a_username_sender_files_one_ticket_acknowledged_at_their_bsuid(agency, graph):
    assert process_event(bsuid_event("wamid.B1", "Longkang tersumbat di Taman Melati.").id)
    ticket = db.session.scalar(db.select(Ticket))
    (identity,) = db.session.scalars(db.select(ContactIdentity)).all()
    assert (identity.channel_type, identity.handle) == ("whatsapp_user", BSUID)
    assert identity.display_name == "Siti"
    complainant = db.session.get(Complainant, ticket.complainant_id)
    assert complainant.phone is None  # a BSUID is not a phone: never SMS'd
    assert db.session.scalar(db.select(Message.sender)) == BSUID

    (ack,) = _deliver_queued()
    assert (ack.channel, ack.to_handle) == ("whatsapp_cloud", BSUID)
    sent = graph.last("/109876543210/messages").json
    assert sent["recipient"] == BSUID and "to" not in sent
    assert sent["messaging_product"] == "whatsapp" and sent["type"] == "text"
    assert sent["text"]["body"].startswith(
        f"Aduan anda telah diterima. No. Rujukan: {ticket.reference}. "
    )
    # The status page's contact check knows no last four digits of a BSUID: no crash, no hint.
    assert contact_hint("whatsapp_user", BSUID) is None


def test_a_second_message_from_the_bsuid_threads_onto_the_ticket(agency, graph):
    process_event(bsuid_event("wamid.B1", "Longkang tersumbat di Taman Melati.").id)
    _deliver_queued()
    process_event(bsuid_event("wamid.B2", "Gambar: air sudah naik ke jalan.").id)
    ticket = db.session.scalar(db.select(Ticket))
    assert db.session.scalar(db.select(db.func.count(Ticket.id))) == 1
    assert db.session.scalar(db.select(db.func.count(Complainant.id))) == 1
    bodies = db.session.scalars(
        db.select(Message.body)
        .where(Message.ticket_id == ticket.id, Message.direction == "in")
        .order_by(Message.id)
    ).all()
    assert bodies == ["Longkang tersumbat di Taman Melati.", "Gambar: air sudah naik ke jalan."]

    reply = replies.queue_reply(ticket, gen_officer(agency), "Kontraktor dihantar hari ini.")
    assert outbound.deliver(reply.id).state == "sent"
    sent = graph.last("/109876543210/messages").json
    assert sent["recipient"] == BSUID and sent["text"]["body"] == "Kontraktor dihantar hari ini."


def test_outside_the_window_the_bsuid_gets_the_template_then_the_held_reply(agency, graph):
    process_event(bsuid_event("wamid.B1", "Longkang tersumbat di Taman Melati.").id)
    _deliver_queued()
    ticket = db.session.scalar(db.select(Ticket))
    close_the_window()
    graph.mode = "window_closed"
    reply = replies.queue_reply(ticket, gen_officer(agency), "Kontraktor dihantar hari ini.")
    assert outbound.deliver(reply.id).state == "held"
    (notice,) = notices()
    assert outbound.deliver(notice.id).state == "sent"
    sent = graph.last("/109876543210/messages").json
    assert sent["type"] == "template" and sent["recipient"] == BSUID

    graph.mode = "ok"
    process_event(bsuid_event("wamid.B2", "Terima kasih.").id)  # reopens the window
    assert outbound.deliver(reply.id).state == "sent"
    assert graph.last("/109876543210/messages").json["recipient"] == BSUID


def test_the_same_bsuid_writing_to_another_agencys_number_is_its_own_complainant(agency, graph):
    save_account(agency, "whatsapp_cloud", {}, key="jkr")
    other = agency_on("whatsapp_cloud")

    process_event(bsuid_event("wamid.A1", "Longkang tersumbat.", account_key="jkr").id)
    process_event(bsuid_event("wamid.M1", "Lampu jalan padam.", account_key="mbpj").id)
    tickets = db.session.scalars(db.select(Ticket).order_by(Ticket.id)).all()
    assert [t.agency_id for t in tickets] == [agency.id, other.id]
    identities = db.session.scalars(
        db.select(ContactIdentity).order_by(ContactIdentity.agency_id)
    ).all()
    assert [(i.agency_id, i.channel_type, i.handle) for i in identities] == [
        (agency.id, "whatsapp_user", BSUID),
        (other.id, "whatsapp_user", BSUID),
    ]
    assert tickets[0].complainant_id != tickets[1].complainant_id


def test_a_semak_from_the_bsuid_is_answered_at_the_bsuid(agency, graph):
    process_event(bsuid_event("wamid.B1", "Longkang tersumbat di Taman Melati.").id)
    _deliver_queued()
    ticket = db.session.scalar(db.select(Ticket))
    process_event(bsuid_event("wamid.B2", f"SEMAK {ticket.reference}").id)
    (answer,) = _deliver_queued()
    assert (answer.purpose, answer.to_handle) == ("bot", BSUID)
    sent = graph.last("/109876543210/messages").json
    assert sent["recipient"] == BSUID and ticket.reference in sent["text"]["body"]
    assert db.session.scalar(db.select(db.func.count(Ticket.id))) == 1
