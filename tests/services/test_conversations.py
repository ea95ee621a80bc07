"""The conversation filter: Telegram guided filing and commands, SMS/WhatsApp commands."""

from __future__ import annotations

import pytest

from aduan.extensions import db
from aduan.models import Category, Message, OutboundMessage, Ticket
from aduan.models.base import utcnow
from aduan.models.bots import CONVERSATION_TTL, BotConversation
from aduan.services.citizen.conversations import parse_command
from aduan.services.intake.pipeline import process_event
from aduan.services.tickets.references import check_character
from channels.base import RawEvent
from tests.fakes.telegram import fake_telegram as make_fake_telegram
from tests.services import intake_builders
from tests.services.bot_builders import OTHER_USER, USER, callback_update, text_update
from tests.services.intake_builders import sms_event, store, whatsapp_event

accounts = intake_builders.accounts


@pytest.fixture
def telegram_api(accounts):
    """The fake Bot API behind the test Telegram account (button presses are answered)."""
    with make_fake_telegram() as server:
        accounts["telegram"] = {"api_base_url": server.url}
        yield server


def answered(server) -> list[dict]:
    """The answerCallbackQuery calls the bot made, in order."""
    return [r.params for r in server.requests if r.path.endswith("/answerCallbackQuery")]


def send(update: dict) -> list[str]:
    """Process one Telegram update; the bot messages it produced."""
    before = db.session.scalar(db.select(db.func.max(OutboundMessage.id))) or 0
    event = store(RawEvent("telegram", "message", str(update["update_id"]), update))
    assert process_event(event.id) == "processed"
    rows = db.session.scalars(
        db.select(OutboundMessage).where(OutboundMessage.id > before).order_by(OutboundMessage.id)
    )
    return [row.body for row in rows]


def conversation(user: int = USER) -> BotConversation | None:
    db.session.expire_all()
    return db.session.scalar(db.select(BotConversation).where(BotConversation.handle == str(user)))


def to_description(language: str = "lang:en") -> None:
    send(text_update("/start"))
    send(callback_update(language))
    send(text_update("1"))  # aduan / complaint
    send(text_update("3"))  # the third category by code (BPA-03)


def file_complaint(user: int = USER) -> Ticket:
    send(text_update("/start", user))
    send(callback_update("lang:ms", user))
    send(text_update("1", user))
    send(text_update("1", user))
    send(text_update("Lampu jalan rosak di Jalan Kenanga sejak seminggu.", user))
    send(text_update("10", user))
    send(text_update("langkau", user))
    send(text_update("langkau", user))
    send(text_update("ya", user))
    return db.session.scalar(db.select(Ticket).order_by(Ticket.id.desc()).limit(1))


def count(model) -> int:
    return db.session.scalar(db.select(db.func.count()).select_from(model))


# -- Telegram guided filing -----------------------------------------------------------------


def test_start_asks_the_language_with_buttons(agency, telegram_api):
    (reply,) = send(text_update("/start"))
    assert "Sila pilih bahasa" in reply and "Please choose" in reply
    row = db.session.scalar(db.select(OutboundMessage).order_by(OutboundMessage.id.desc()))
    assert row.buttons == [
        [
            ["Bahasa Malaysia", "lang:ms"],
            ["English", "lang:en"],
            ["中文", "lang:zh"],
            ["தமிழ்", "lang:ta"],
        ]
    ]
    assert (row.purpose, row.to_handle, row.ticket_id) == ("bot", str(USER), None)
    assert conversation().step == "language"
    assert count(Ticket) == 0 and count(Message) == 0


def test_every_step_reprompts_invalid_input_then_accepts_valid(agency, telegram_api):
    send(text_update("/start"))
    assert "choose 1" in send(text_update("Klingon"))[0]
    (prompt,) = send(callback_update("lang:en"))
    assert prompt.startswith("What kind of feedback") and "1. Complaint" in prompt
    assert "from 1 to 6" in send(text_update("9"))[0]
    (prompt,) = send(text_update("complaint"))
    assert "Choose a category" in prompt and "Lack of public amenities" in prompt
    assert "Not a valid category" in send(text_update("99"))[0]
    assert send(text_update("3")) == ["Please describe your complaint (what, where, when)."]
    assert "too short" in send(text_update("rosak"))[0]
    (prompt,) = send(text_update("The drain on Jalan Meranti is blocked again."))
    assert "In which state" in prompt and "16. WP Putrajaya" in prompt
    assert "Not a valid state" in send(text_update("Narnia"))[0]
    assert "district" in send(text_update("SGR"))[0]
    assert "too long" in send(text_update("x" * 150))[0]
    assert "photo" in send(text_update("Petaling"))[0]
    assert "Please send a photo" in send(text_update("what?"))[0]
    (summary,) = send(callback_update("skip"))
    assert "Type: Complaint" in summary and "State: Selangor" in summary
    assert "District: Petaling" in summary and "Jalan Meranti" in summary
    assert "Reply YES" in send(text_update("maybe"))[0]
    assert conversation().step == "confirm" and count(Ticket) == 0


def test_confirm_files_one_ticket_through_intake_with_the_collected_data(agency, telegram_api):
    to_description()
    send(text_update("The drain on Jalan Meranti is blocked again."))
    send(callback_update("state:01"))
    send(text_update("Johor Bahru"))
    send(text_update("skip"))
    replies = send(callback_update("confirm:yes"))
    ticket = db.session.scalar(db.select(Ticket))
    category = db.session.get(Category, ticket.category_id)
    assert (ticket.type, category.code, ticket.state_code, ticket.district) == (
        "aduan",
        "BPA-03",
        "01",
        "Johor Bahru",
    )
    assert ticket.origin_channel == "telegram" and ticket.language == "en"
    assert ticket.description == "The drain on Jalan Meranti is blocked again."
    assert ticket.complainant.identities[0].handle == str(USER)
    (message,) = db.session.scalars(db.select(Message).where(Message.direction == "in")).all()
    assert message.body == ticket.description
    # one answer: the standard acknowledgement (reference, dates, status link), no second
    # "thank you" from the bot
    (reply,) = replies
    assert reply.startswith(f"Your complaint has been received. Reference No.: {ticket.reference}")
    assert "a resolution by" in reply and f"/semak?ref={ticket.reference}" in reply
    assert conversation().step == "idle"


def test_every_button_press_is_answered_and_typed_messages_are_not(agency, telegram_api):
    presses = [callback_update("lang:en"), callback_update("type:aduan")]
    send(text_update("/start"))
    for press in presses:
        send(press)
    send(text_update("3"))
    ids = [press["callback_query"]["id"] for press in presses]
    assert [a["callback_query_id"] for a in answered(telegram_api)] == ids
    assert all("text" not in a for a in answered(telegram_api))  # no notice, just answered
    assert conversation().step == "description"


def test_a_failing_answer_does_not_stop_the_filing(agency, telegram_api):
    telegram_api.failing.add("answerCallbackQuery")
    to_description()
    send(text_update("The drain on Jalan Meranti is blocked again."))
    send(text_update("14"))
    send(text_update("skip"))
    send(text_update("skip"))
    (ack,) = send(callback_update("confirm:yes"))
    ticket = db.session.scalar(db.select(Ticket))
    assert ticket.reference in ack and conversation().step == "idle"
    assert len(answered(telegram_api)) == 2  # lang:en and confirm:yes were both tried


def test_a_button_under_a_finished_conversation_is_answered_not_stored(agency, telegram_api):
    ticket = file_complaint()
    messages = count(Message)
    assert send(callback_update("confirm:yes")) == []  # a late double tap on "send"
    assert count(Message) == messages and count(Ticket) == 1
    notice = answered(telegram_api)[-1]
    assert notice["text"].startswith("Butang ini sudah tamat")
    assert ticket.status == "baharu"


def test_batal_cancels_and_nothing_is_filed(agency, telegram_api):
    to_description("lang:ms")
    assert send(text_update("/batal")) == ["Aduan dibatalkan. Taip /start untuk bermula semula."]
    assert conversation().step == "idle"
    # after cancelling, free text is a complaint again, as before the bot
    send(text_update("Sampah tidak dikutip di Taman Melati."))
    assert count(Ticket) == 1
    assert "Tiada aduan" in send(text_update("/batal"))[0]


def test_confirm_no_cancels(agency, telegram_api):
    to_description()
    send(text_update("The drain on Jalan Meranti is blocked again."))
    send(text_update("14"))
    send(text_update("skip"))
    send(text_update("skip"))
    assert "cancelled" in send(callback_update("confirm:no"))[0]
    assert count(Ticket) == 0


def test_an_expired_conversation_is_forgotten(agency, telegram_api):
    to_description()
    row = conversation()
    row.updated_at = utcnow() - CONVERSATION_TTL - CONVERSATION_TTL / 24
    db.session.commit()
    send(text_update("The drain on Jalan Meranti is blocked again."))
    assert count(Ticket) == 1  # plain text again: threading opened a ticket
    assert conversation().step == "idle"


def test_text_outside_a_conversation_goes_to_threading(agency, telegram_api):
    assert send(text_update("Lampu isyarat rosak di simpang Jalan Ampang.")) != []
    (ticket,) = db.session.scalars(db.select(Ticket)).all()
    assert ticket.description == "Lampu isyarat rosak di simpang Jalan Ampang."
    # an unknown button (another feature's) is not swallowed by the bot either
    send(callback_update("rate:5"))
    assert count(Message) > 2


def test_semak_answers_only_the_tickets_own_complainant(agency, telegram_api):
    ticket = file_complaint()
    (reply,) = send(text_update(f"/semak {ticket.reference.lower()}"))
    assert reply.startswith(f"Aduan {ticket.reference}: Baharu")
    (reply,) = send(text_update(f"/status {ticket.reference}"))
    assert reply.startswith(f"Complaint {ticket.reference}: New")
    (stranger,) = send(text_update(f"/semak {ticket.reference}", user=OTHER_USER))
    assert ticket.reference not in stranger and "Baharu" not in stranger
    assert "tidak dijumpai" in stranger and "https://aduan.test/semak" in stranger
    (unknown,) = send(text_update("/semak ADU-2026-00000"))
    assert unknown == stranger.replace(ticket.reference, "ADU-2026-00000")
    assert "SEMAK" in send(text_update("/semak"))[0]
    assert count(Ticket) == 1


# -- SMS and WhatsApp commands --------------------------------------------------------------


def sms(text: str, sid: str) -> list[str]:
    before = db.session.scalar(db.select(db.func.max(OutboundMessage.id))) or 0
    assert process_event(sms_event(text, sid).id) == "processed"
    return list(
        db.session.scalars(
            db.select(OutboundMessage.body)
            .where(OutboundMessage.id > before)
            .order_by(OutboundMessage.id)
        )
    )


# Fixed, not random: pytest-xdist workers must collect the same parameters.
REF = f"ADU-2026-K7M3Q{check_character('K7M3Q')}"
SPACED = REF.lower().replace("-", " ")


def sid(n: int) -> str:
    return f"SM{n:032d}"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (f"SEMAK {REF}", ("status", "ms", REF)),
        (f"  status:  {SPACED}. ", ("status", "en", f"{SPACED}.")),
        ("semak", ("status", "ms", "")),
        ("Baru", ("new", "ms", "")),
        ("NEW!", ("new", "en", "")),
        ("bantuan?", ("help", "ms", "")),
        (" Help ", ("help", "en", "")),
        ("status aduan saya?", None),
        ("baru-baru ini jalan berlubang", None),
        ("BARU lampu jalan rosak", None),
        ("Lampu jalan rosak", None),
    ],
)
def test_parse_command(text, expected):
    assert parse_command(text) == expected


def test_sms_semak_own_ticket_and_someone_elses(agency, accounts):
    sms("Lampu jalan rosak di Jalan Tun Razak.", sid(1))
    ticket = db.session.scalar(db.select(Ticket))
    (reply,) = sms(f"semak {ticket.reference}", sid(2))
    assert reply.startswith(f"Aduan {ticket.reference}: Baharu")
    (reply,) = sms(f"STATUS  {ticket.reference}!", sid(3))
    assert reply.startswith(f"Complaint {ticket.reference}: New")
    before = db.session.scalar(db.select(db.func.max(OutboundMessage.id)))
    event = sms_event(f"SEMAK {ticket.reference}", sid(4))
    event.payload = {**event.payload, "From": "+60199999999"}
    db.session.commit()
    process_event(event.id)
    (stranger,) = db.session.scalars(
        db.select(OutboundMessage.body).where(OutboundMessage.id > before)
    ).all()
    assert "tidak dijumpai" in stranger and "Baharu" not in stranger
    assert count(Ticket) == 1
    assert (
        db.session.scalar(db.select(db.func.count(Message.id)).where(Message.direction == "in"))
        == 1
    )


def test_whatsapp_bantuan_and_help_explain_the_commands_in_both_languages(agency, accounts):
    before = db.session.scalar(db.select(db.func.max(OutboundMessage.id))) or 0
    process_event(whatsapp_event("BANTUAN", sid(5)).id)
    (row,) = db.session.scalars(db.select(OutboundMessage).where(OutboundMessage.id > before))
    assert row.channel == "whatsapp" and row.to_handle == "+60123456789"
    assert "SEMAK <no. rujukan>" in row.body and "STATUS <reference no.>" in row.body
    assert count(Ticket) == 0


def test_baru_alone_makes_the_next_message_a_new_ticket(agency, accounts):
    sms("Longkang tersumbat di Jalan Duta.", sid(6))
    assert sms("Masih belum dibaiki.", sid(7)) == []  # threads into the open ticket
    assert count(Ticket) == 1
    assert sms("BARU", sid(8)) == ["Baik. Hantar aduan baharu anda dalam mesej seterusnya."]
    assert count(Ticket) == 1
    replies = sms("Pokok tumbang di Jalan Ipoh.", sid(9))
    tickets = db.session.scalars(db.select(Ticket).order_by(Ticket.id)).all()
    assert len(tickets) == 2 and tickets[1].description == "Pokok tumbang di Jalan Ipoh."
    assert tickets[1].reference in replies[0]
    sms("Sudah seminggu.", sid(10))  # and threading resumes as usual afterwards
    assert count(Ticket) == 2


def test_baru_with_text_opens_a_new_ticket_at_once(agency, accounts):
    sms("Longkang tersumbat di Jalan Duta.", sid(11))
    sms("BARU lampu jalan rosak di Jalan Ipoh", sid(12))
    assert count(Ticket) == 2


def test_unknown_text_goes_to_threading(agency, accounts):
    sms("Status aduan saya bagaimana?", sid(13))
    (ticket,) = db.session.scalars(db.select(Ticket)).all()
    assert ticket.description == "Status aduan saya bagaimana?"
