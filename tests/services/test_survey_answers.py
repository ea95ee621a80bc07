"""The survey answered in a message: ``5`` by SMS, ``lima`` by WhatsApp, the button 4 on
Telegram — each recorded once as the rating, no new ticket, no acknowledgement, and the
citizen thanked on the chat the answer came from (what the fake providers received)."""

from __future__ import annotations

import pytest

from aduan.extensions import db
from aduan.models import OutboundMessage, Ticket, TicketEvent
from aduan.models.citizen import SurveyResponse
from aduan.services.citizen import survey
from aduan.services.citizen.survey_answers import parse_rating
from aduan.services.intake.pipeline import process_event
from aduan.services.outbox import delivery
from aduan.services.tickets import workflow
from channels.base import RawEvent
from tests.services import intake_builders
from tests.services.bot_builders import USER, callback_update, text_update
from tests.services.intake_builders import sms_event, store, whatsapp_event

accounts = intake_builders.accounts

twilio = intake_builders.twilio_server
telegram = intake_builders.telegram_server


def resolve_and_ask(ticket: Ticket) -> OutboundMessage:
    """The officer resolves the ticket; the survey sweep asks the complainant (sent)."""
    workflow.change_status(ticket, "dalam_tindakan")
    workflow.change_status(ticket, "selesai")
    workflow.commit()
    assert survey.request_surveys() == 1
    ask = db.session.scalar(db.select(OutboundMessage).where(OutboundMessage.purpose == "survey"))
    assert delivery.deliver(ask.id).state == "sent"
    return ask


def rows(purpose: str) -> list[OutboundMessage]:
    query = db.select(OutboundMessage).where(OutboundMessage.purpose == purpose)
    return list(db.session.scalars(query))


def recorded_once(ticket: Ticket, rating: int) -> None:
    (answer,) = db.session.scalars(db.select(SurveyResponse)).all()
    assert answer.ticket_id == ticket.id and answer.rating == rating
    answered = db.select(db.func.count()).where(TicketEvent.kind == "survey_answered")
    assert db.session.scalar(answered) == 1
    assert db.session.scalar(db.select(db.func.count(Ticket.id))) == 1
    assert len(rows("acknowledgement")) == 1  # the first complaint's, nothing for the answer
    db.session.refresh(ticket)
    assert ticket.status == "selesai"  # a rating is no objection


def thanked(rating: int) -> OutboundMessage:
    (thanks,) = rows("survey_thanks")
    assert delivery.deliver(thanks.id).state == "sent"
    assert f"({rating}/5)" in thanks.body
    return thanks


@pytest.mark.parametrize(
    ("channel", "answer", "rating"),
    [("sms", "5", 5), ("whatsapp", "lima", 5), ("whatsapp", "Empat.", 4)],
)
def test_a_rating_by_sms_or_whatsapp_is_recorded_once_and_thanked(
    agency, twilio, channel, answer, rating
):
    make = sms_event if channel == "sms" else whatsapp_event
    process_event(make("Lampu jalan rosak di lorong 4.", "SM" + "a" * 32).id)
    ticket = db.session.scalar(db.select(Ticket))
    resolve_and_ask(ticket)

    assert process_event(make(answer, "SM" + "b" * 32).id) == "processed"
    recorded_once(ticket, rating)
    thanks = thanked(rating)
    sent = twilio.last("/Messages.json").form
    assert sent["Body"] == thanks.body and "Terima kasih" in sent["Body"]
    assert sent["To"].endswith("+60123456789")

    # The same answer again (sent twice by a flaky phone) is neither a rating nor a message.
    assert process_event(make(answer, "SM" + "c" * 32).id) == "processed"
    recorded_once(ticket, rating)
    assert len(rows("survey_thanks")) == 1


def test_the_telegram_rating_button_is_recorded_once_and_thanked(agency, telegram):
    event = store(RawEvent("telegram", "message", "9001", text_update("Longkang tersumbat teruk.")))
    process_event(event.id)
    ticket = db.session.scalar(db.select(Ticket))
    ask = resolve_and_ask(ticket)
    buttons = telegram.last("/sendMessage").params["reply_markup"]
    assert '"survey:4"' in buttons and ask.buttons[0][3] == ["4", "survey:4"]

    for _ in range(2):  # pressed twice
        press = callback_update("survey:4")
        event = store(RawEvent("telegram", "message", str(press["update_id"]), press))
        assert process_event(event.id) == "processed"
    recorded_once(ticket, 4)
    thanks = thanked(4)
    sent = telegram.last("/sendMessage").params
    assert sent["text"] == thanks.body and str(sent["chat_id"]) == str(USER)
    presses = [r for r in telegram.requests if r.path.endswith("/answerCallbackQuery")]
    assert len(presses) == 2  # every press answered: the client's spinner stops


def test_no_rating_is_taken_without_a_pending_survey(agency, twilio):
    process_event(sms_event("Lampu jalan rosak di lorong 4.", "SM" + "a" * 32).id)
    process_event(sms_event("5", "SM" + "b" * 32).id)  # the ticket is open: just a message
    assert db.session.scalar(db.select(db.func.count(SurveyResponse.id))) == 0
    assert rows("survey_thanks") == []


def test_rating_words_in_malay_and_english():
    assert parse_rating("lima") == (5, "")
    assert parse_rating("Satu - lambat sangat") == (1, "lambat sangat")
    assert parse_rating(" five! ") == (5, "")
    assert parse_rating("4/5 bagus") == (4, "bagus")
    assert parse_rating("6") is None and parse_rating("limau") is None
    assert parse_rating("Lampu masih rosak") is None
