"""WhatsApp templates per language: the ticket's language (BM or EN) picks the agency's template,
the other language's stands in when one is missing — through the real twilio client and the
Graph API adapter against the fake provider servers."""

from __future__ import annotations

import json

from aduan.extensions import db
from aduan.models import OutboundMessage, Ticket, TicketEvent
from aduan.services.intake.pipeline import process_event
from aduan.services.outbox import delivery as outbound
from aduan.services.outbox import replies
from tests.builders import gen_officer
from tests.services import test_whatsapp_window as window
from tests.services.intake_builders import store, whatsapp_event
from tests.services.test_whatsapp_window import close_the_window, cloud_message, notices

# The fixtures of the window tests: an agency with a triage unit, the fake Twilio and Graph.
accounts, agency, twilio, graph = window.accounts, window.agency, window.twilio, window.graph

NOTICE_MS = "HX" + "1" * 32
NOTICE_EN = "HX" + "2" * 32
ACK_MS = "HX" + "3" * 32
ACK_EN = "HX" + "4" * 32
ENGLISH = "The rubbish has not been collected for a week, please send someone."


def set_templates(agency, **templates) -> None:
    settings = {k: v for k, v in agency.settings.items() if "template" not in k}
    agency.settings = {**settings, **templates}
    db.session.commit()


def ticket_from(text: str, sid: str = "SM" + "a" * 32) -> Ticket:
    process_event(whatsapp_event(text, sid).id)
    return db.session.scalar(db.select(Ticket))


def held_reply(ticket: Ticket, agency, text: str = "We will come tomorrow.") -> OutboundMessage:
    reply = replies.queue_reply(ticket, gen_officer(agency), text)
    assert outbound.deliver(reply.id).state == "held"
    return reply


def test_an_english_complainant_gets_the_english_notice_template(agency, twilio):
    set_templates(agency, whatsapp_notice_template=NOTICE_MS, whatsapp_notice_template_en=NOTICE_EN)
    ticket = ticket_from(ENGLISH)
    assert ticket.language == "en"
    close_the_window()
    held_reply(ticket, agency)
    (notice,) = notices()
    assert outbound.deliver(notice.id).state == "sent"
    received = twilio.last("/Messages.json")
    assert received.form["ContentSid"] == NOTICE_EN
    # Only the template's own variables reach Twilio, not the language kept with the row.
    variables = json.loads(received.form["ContentVariables"])
    assert variables == {"1": ticket.reference, "2": replies.status_link(ticket)}
    (held,) = db.session.scalars(
        db.select(TicketEvent).where(TicketEvent.kind == "held_outside_window")
    ).all()
    assert (held.data["template"], held.data["template_language"]) == (NOTICE_EN, "en")
    assert "language" not in held.data["variables"]


def test_a_malay_complainant_gets_the_bm_notice_template(agency, twilio):
    set_templates(agency, whatsapp_notice_template=NOTICE_MS, whatsapp_notice_template_en=NOTICE_EN)
    ticket = ticket_from("Sampah tidak dikutip seminggu, sila hantar pekerja.")
    assert ticket.language == "ms"
    close_the_window()
    held_reply(ticket, agency, "Pasukan kami akan datang esok.")
    (notice,) = notices()
    outbound.deliver(notice.id)
    assert twilio.last("/Messages.json").form["ContentSid"] == NOTICE_MS


def test_a_missing_language_falls_back_to_the_other(agency, twilio):
    set_templates(agency, whatsapp_notice_template_en=NOTICE_EN)  # no BM template at all
    ticket = ticket_from("Sampah tidak dikutip seminggu, sila hantar pekerja.")
    close_the_window()
    held_reply(ticket, agency, "Pasukan kami akan datang esok.")
    (notice,) = notices()
    outbound.deliver(notice.id)
    assert twilio.last("/Messages.json").form["ContentSid"] == NOTICE_EN


def test_the_acknowledgement_template_follows_the_language_and_its_date_too(agency, twilio):
    set_templates(agency, whatsapp_ack_template=ACK_MS, whatsapp_ack_template_en=ACK_EN)
    ticket = ticket_from(ENGLISH)
    ack = db.session.scalar(
        db.select(OutboundMessage).where(OutboundMessage.purpose == "acknowledgement")
    )
    close_the_window()  # the send job ran after the window closed
    assert outbound.deliver(ack.id).state == "sent"
    received = twilio.last("/Messages.json")
    assert received.form["ContentSid"] == ACK_EN
    expected = replies.format_local(ticket.resolve_due_at, "en")
    assert json.loads(received.form["ContentVariables"]) == {"1": ticket.reference, "2": expected}


def test_an_english_ticket_with_only_a_bm_acknowledgement_gets_bm_dates(agency, twilio):
    set_templates(agency, whatsapp_ack_template=ACK_MS)
    ticket = ticket_from(ENGLISH)
    ack = db.session.scalar(
        db.select(OutboundMessage).where(OutboundMessage.purpose == "acknowledgement")
    )
    close_the_window()
    outbound.deliver(ack.id)
    received = twilio.last("/Messages.json")
    assert received.form["ContentSid"] == ACK_MS
    expected = replies.format_local(ticket.resolve_due_at, "ms")  # "Mac", not "March"
    assert json.loads(received.form["ContentVariables"])["2"] == expected


def cloud_ticket(graph, text: str) -> Ticket:
    process_event(store(cloud_message("wamid.first", text)).id)
    return db.session.scalar(db.select(Ticket))


def test_meta_gets_the_english_template_with_its_language_code(agency, graph, accounts):
    accounts["whatsapp_cloud"]["template_language_en"] = "en_US"
    set_templates(
        agency,
        whatsapp_cloud_notice_template="aduan_mesej_baharu",
        whatsapp_cloud_notice_template_en="aduan_new_message",
    )
    ticket = cloud_ticket(graph, ENGLISH)
    close_the_window()
    graph.mode = "window_closed"
    held_reply(ticket, agency)
    (notice,) = notices()
    assert outbound.deliver(notice.id).state == "sent"
    template = graph.last("/109876543210/messages").json["template"]
    assert template["name"] == "aduan_new_message"
    assert template["language"] == {"code": "en_US"}
    assert [p["text"] for p in template["components"][0]["parameters"]] == [
        ticket.reference,
        replies.status_link(ticket),
    ]


def test_meta_falls_back_to_the_bm_template_in_malay(agency, graph):
    set_templates(agency, whatsapp_cloud_notice_template="aduan_mesej_baharu")
    ticket = cloud_ticket(graph, ENGLISH)
    close_the_window()
    graph.mode = "window_closed"
    held_reply(ticket, agency)
    (notice,) = notices()
    outbound.deliver(notice.id)
    template = graph.last("/109876543210/messages").json["template"]
    assert (template["name"], template["language"]) == ("aduan_mesej_baharu", {"code": "ms"})
