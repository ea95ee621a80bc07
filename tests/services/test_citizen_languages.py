"""A complainant in Chinese or Tamil is answered in their language from the first message to the
survey: the language is detected from the first message (or chosen in the bot), kept on the
ticket, and every text they receive — acknowledgement, notices, bot replies, survey, thanks —
comes from that language's catalogue (what the fake providers received)."""

from __future__ import annotations

import pytest

from aduan.extensions import db
from aduan.models import OutboundMessage, Ticket
from aduan.services.citizen import survey
from aduan.services.citizen.survey_answers import parse_rating
from aduan.services.intake import language_detection
from aduan.services.intake.pipeline import process_event
from aduan.services.outbox import delivery, replies
from aduan.services.tickets import workflow
from aduan.vocabulary import TicketStatus
from channels.base import RawEvent
from tests.builders import gen_ticket
from tests.services import intake_builders
from tests.services.bot_builders import USER, callback_update, text_update
from tests.services.intake_builders import sms_event, store

accounts = intake_builders.accounts
twilio = intake_builders.twilio_server
telegram = intake_builders.telegram_server


def sent_rows(purpose: str) -> list[OutboundMessage]:
    query = db.select(OutboundMessage).where(OutboundMessage.purpose == purpose)
    return list(db.session.scalars(query.order_by(OutboundMessage.id)))


def deliver(row: OutboundMessage) -> None:
    assert delivery.deliver(row.id).state == "sent"


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Jalan di depan rumah saya rosak teruk sejak dua minggu lepas.", "ms"),
        ("The drain in front of my house has been blocked for two weeks.", "en"),
        ("我家门前的水沟已经堵塞两个星期了，请尽快处理。", "zh"),
        ("எங்கள் வீட்டின் முன் உள்ள வடிகால் இரண்டு வாரங்களாக அடைபட்டுள்ளது.", "ta"),
    ],
)
def test_the_first_message_sets_the_language(text, language):
    assert language_detection.choose(None, text, None) == language


def test_too_little_text_keeps_the_complainants_language():
    assert language_detection.choose(None, "5", "ta") == "ta"
    assert language_detection.choose(None, "ok", None) == "ms"
    assert language_detection.choose("zh", "Lampu jalan rosak di lorong 4.", "ms") == "zh"


def test_a_chinese_sms_is_acknowledged_and_surveyed_in_chinese(agency, twilio):
    text = "我家门前的路灯坏了已经两个星期，晚上很危险，请尽快修理。"
    process_event(sms_event(text, "SM" + "a" * 32).id)
    ticket = db.session.scalar(db.select(Ticket))
    assert ticket.language == "zh"

    (ack,) = sent_rows("acknowledgement")
    deliver(ack)
    received = twilio.last("/Messages.json").form["Body"]
    assert received.startswith(f"您的投诉已收到。参考编号：{ticket.reference}。")
    assert replies.format_local(ticket.resolve_due_at, "zh") in received
    assert "年" in received and "月" in received  # the date written the Chinese way

    workflow.change_status(ticket, "dalam_tindakan")
    workflow.change_status(ticket, "selesai")
    workflow.commit()
    assert survey.request_surveys() == 1
    (ask,) = sent_rows("survey")
    deliver(ask)
    assert twilio.last("/Messages.json").form["Body"].startswith(f"投诉 {ticket.reference} 已解决")

    assert process_event(sms_event("五", "SM" + "b" * 32).id) == "processed"
    (thanks,) = sent_rows("survey_thanks")
    deliver(thanks)
    assert twilio.last("/Messages.json").form["Body"] == (
        f"感谢您为投诉 {ticket.reference} 评分（5/5）。"
    )
    assert db.session.scalar(db.select(db.func.count(Ticket.id))) == 1


def test_tamil_in_the_telegram_bot_from_the_menu_to_the_acknowledgement(agency, telegram):
    def press(update: dict) -> None:
        event = store(RawEvent("telegram", "message", str(update["update_id"]), update))
        assert process_event(event.id) == "processed"
        for row in db.session.scalars(
            db.select(OutboundMessage).where(OutboundMessage.state == "queued")
        ):
            deliver(row)

    press(text_update("/start"))
    menu = telegram.last("/sendMessage").params
    assert "மொழியைத் தேர்ந்தெடுக்கவும்" in menu["text"] and '"lang:ta"' in menu["reply_markup"]
    press(callback_update("lang:ta"))
    prompt = telegram.last("/sendMessage").params
    assert prompt["text"].startswith("உங்கள் கருத்து எந்த வகையைச் சேர்ந்தது?")
    assert "1. புகார்" in prompt["text"]  # the ticket types in Tamil
    assert str(prompt["chat_id"]) == str(USER)


def test_the_acknowledgement_and_the_status_labels_in_tamil_and_chinese(agency):
    ticket = gen_ticket(agency, language="ta")
    text = replies.acknowledgement_text(ticket)
    assert text.startswith(f"உங்கள் புகார் பெறப்பட்டது. குறிப்பு எண்: {ticket.reference}.")
    assert "மார்ச்" in text  # March, in Tamil
    assert TicketStatus.RESOLVED.label("ta") == "தீர்க்கப்பட்டது"
    assert TicketStatus.RESOLVED.label("zh") == "已解决"
    assert TicketStatus.RESOLVED.label("ms") == "Selesai"


def test_rating_words_in_chinese_and_tamil():
    assert parse_rating("五") == (5, "")
    assert parse_rating("三，一般般") == (3, "一般般")
    assert parse_rating("ஐந்து") == (5, "")
    assert parse_rating("நான்கு நன்று") == (4, "நன்று")
    assert parse_rating("வணக்கம்") is None and parse_rating("路灯坏了") is None
