"""What reopens a WhatsApp 24-hour window: every message the complainant sends to that very
business number — a bot command too — and nothing they send to another agency's number."""

from __future__ import annotations

from aduan.extensions import db
from aduan.models import OutboundMessage, Ticket
from aduan.services.channel_config.accounts import save_account
from aduan.services.intake.pipeline import process_event
from aduan.services.outbox import delivery as outbound
from aduan.services.outbox import replies
from channels.registry import get_adapter_class
from tests.builders import gen_officer
from tests.channels.builders import twilio_request
from tests.services import test_whatsapp_window as window
from tests.services.intake_builders import (
    ACCOUNTS,
    agency_on,
    fixture_form,
    store,
    whatsapp_event,
)
from tests.services.test_whatsapp_window import (
    PHONE,
    close_the_window,
    events,
    notices,
    outbound_jobs,
    sent_to,
    whatsapp_ticket,
)

accounts, agency, twilio = window.accounts, window.agency, window.twilio
REPLY = "Pasukan kami akan datang esok pagi."


def held_reply(agency, ticket):
    reply = replies.queue_reply(ticket, gen_officer(agency), REPLY)
    assert outbound.deliver(reply.id).state == "held"
    (notice,) = notices()
    assert outbound.deliver(notice.id).state == "sent"
    return reply


def bodies(twilio) -> list[str | None]:
    return [r.form.get("Body") for r in sent_to(twilio, "/Messages.json")]


def test_a_semak_command_after_the_notice_releases_the_held_reply_and_is_answered(agency, twilio):
    ticket = whatsapp_ticket()
    close_the_window()
    twilio.mode = "window_closed"
    reply = held_reply(agency, ticket)

    # The natural answer to the notice template: the bot takes it, no ticket message is stored.
    twilio.mode = "ok"
    process_event(whatsapp_event(f"SEMAK {ticket.reference}", "SM" + "d" * 32).id)
    assert db.session.get(OutboundMessage, reply.id).state == "queued"
    assert f"send-{reply.id}" in outbound_jobs()
    assert outbound.deliver(reply.id).state == "sent"
    assert bodies(twilio)[-1] == REPLY

    # … and the bot's own answer goes out as text, not held behind a second notice.
    answer = db.session.scalar(db.select(OutboundMessage).where(OutboundMessage.purpose == "bot"))
    assert outbound.deliver(answer.id).state == "sent"
    assert ticket.reference in bodies(twilio)[-1]
    assert len(notices()) == 1 and len(events("held_released")) == 1


def agency_with_number(code: str, key: str, **settings):
    return agency_on("whatsapp", code, key, **settings)


def whatsapp_to(key: str, text: str, sid: str):
    """A WhatsApp message from PHONE to the business number of account ``key``."""
    form = {**fixture_form("whatsapp", "profile_name"), "Body": text, "MessageSid": sid}
    form["From"] = "whatsapp:" + PHONE
    (raw,) = get_adapter_class("whatsapp")(ACCOUNTS["whatsapp"]).split(
        twilio_request(form, channel="whatsapp")
    )
    return store(raw, account_key=key)


def test_a_message_to_another_agencys_number_opens_no_window_for_the_first(agency, twilio):
    save_account(agency, "whatsapp", {}, key="jkr")
    agency_with_number("MBPJ", "mbpj")
    process_event(whatsapp_to("jkr", "Sampah tidak dikutip seminggu.", "SM" + "1" * 32).id)
    ticket = db.session.scalar(db.select(Ticket))
    close_the_window()
    twilio.mode = "window_closed"  # as WhatsApp keeps it: JKR's window is closed
    reply = held_reply(agency, ticket)
    assert reply.account_key == "jkr"

    # The complainant writes to another agency's number: JKR's window stays closed.
    process_event(whatsapp_to("mbpj", "Lampu jalan padam.", "SM" + "2" * 32).id)
    assert db.session.get(OutboundMessage, reply.id).state == "held"
    assert events("held_released") == []
    assert REPLY not in bodies(twilio)

    # A second reply on JKR's ticket waits as well, without a second paid template.
    second = replies.queue_reply(ticket, gen_officer(agency), "Sila hantar gambar.")
    assert outbound.deliver(second.id).state == "held"
    assert len([n for n in notices() if n.ticket_id == ticket.id]) == 1

    # Writing to JKR's number is what delivers both.
    twilio.mode = "ok"
    process_event(whatsapp_to("jkr", "Baik, terima kasih.", "SM" + "3" * 32).id)
    assert outbound.deliver(reply.id).state == "sent"
    assert outbound.deliver(second.id).state == "sent"
    assert bodies(twilio)[-2:] == [REPLY, "Sila hantar gambar."]
