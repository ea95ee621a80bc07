"""The Telegram bot end to end: real webhook route, real PTB parsing and sending, RQ jobs run
by a burst ``AppWorker``, the fake Bot API recording what the bot said — across a restart."""

from __future__ import annotations

import json

import pytest
import redis as redis_lib
from rq import Queue

from aduan.extensions import db
from aduan.models import Attachment, BotConversation, InboundEvent, Ticket
from aduan.services.channel_config.accounts import save_account
from tests.builders import gen_agency, gen_unit
from tests.conftest import REDIS_URL, make_app
from tests.fakes.telegram import fake_telegram as make_fake_telegram
from tests.services.bot_builders import USER, callback_update, photo_update, text_update
from tests.web.signing import CHANNEL_CONFIG, TELEGRAM_SECRET
from workers.worker import AppWorker

HEADERS = {"X-Telegram-Bot-Api-Secret-Token": TELEGRAM_SECRET}
JPEG = b"\xff\xd8\xff\xe0" + b"photo" * 20


@pytest.fixture
def fake_telegram():
    with make_fake_telegram() as server:
        server.files["PHOTO1"] = JPEG
        yield server


@pytest.fixture
def bot_app(app_ctx, monkeypatch, fake_telegram):
    for name, value in CHANNEL_CONFIG.items():
        monkeypatch.setitem(app_ctx.config, name, value)
    agency = gen_agency("JKR")
    agency.triage_unit_id = gen_unit(agency).id
    settings = {
        "bot_token": CHANNEL_CONFIG["TELEGRAM_BOT_TOKEN"],
        "webhook_secret": TELEGRAM_SECRET,
        "api_base_url": fake_telegram.url,
    }
    save_account(agency, "telegram", settings)
    db.session.commit()
    monkeypatch.setattr(AppWorker, "_app", app_ctx)
    yield app_ctx
    AppWorker._app = None


def deliver(app, update: dict) -> None:
    """POST the update as Telegram would, then let a burst worker run ingest and outbound."""
    response = app.test_client().post("/webhooks/telegram", json=update, headers=HEADERS)
    assert response.status_code == 200
    connection = redis_lib.Redis.from_url(REDIS_URL)
    queues = [
        Queue(f"test-{name}", connection=connection) for name in ("first", "ingest", "outbound")
    ]
    AppWorker(queues, connection=connection).work(burst=True)


def said(fake) -> list[dict]:
    """What the bot sent, in order: sendMessage parameters (reply_markup decoded)."""
    sent = []
    for request in fake.requests:
        if request.path.endswith("/sendMessage"):
            params = dict(request.params)
            markup = params.get("reply_markup")
            if isinstance(markup, str):
                params["reply_markup"] = json.loads(markup)
            sent.append(params)
    return sent


def test_filing_a_complaint_survives_a_worker_restart(
    bot_app, fake_telegram, database_url, tmp_path
):
    deliver(bot_app, text_update("/start"))
    (first,) = said(fake_telegram)
    assert first["chat_id"] in (USER, str(USER)) and "Sila pilih bahasa" in first["text"]
    buttons = first["reply_markup"]["inline_keyboard"][0]
    assert [b["callback_data"] for b in buttons] == ["lang:ms", "lang:en", "lang:zh", "lang:ta"]
    deliver(bot_app, callback_update("lang:ms"))
    deliver(bot_app, text_update("1"))
    deliver(bot_app, text_update("salah"))
    texts = [m["text"] for m in said(fake_telegram)]
    assert texts[1].startswith("Apakah jenis") and texts[2].startswith("Pilih kategori")
    assert texts[3].startswith("Kategori tidak sah")

    # A new worker process: the old engine is gone, a new app object takes over.
    db.session.remove()
    db.engine.dispose()
    restarted = make_app(database_url, tmp_path, **CHANNEL_CONFIG)
    AppWorker._app = restarted
    deliver(restarted, callback_update(_category_button(fake_telegram, "Pelbagai")))
    deliver(restarted, text_update("Lampu jalan di Jalan Kenanga padam sejak seminggu."))
    deliver(restarted, callback_update("state:10"))
    deliver(restarted, text_update("Petaling"))
    deliver(restarted, photo_update("PHOTO1"))
    deliver(restarted, callback_update("confirm:yes"))
    deliver(restarted, callback_update("confirm:yes"))  # a double tap files nothing more

    db.session.expire_all()
    (ticket,) = db.session.scalars(db.select(Ticket)).all()
    assert (ticket.origin_channel, ticket.type, ticket.state_code, ticket.district) == (
        "telegram",
        "aduan",
        "10",
        "Petaling",
    )
    assert ticket.category.code == "BPA-10" and ticket.language == "ms"
    assert ticket.description == "Lampu jalan di Jalan Kenanga padam sejak seminggu."
    (attachment,) = db.session.scalars(db.select(Attachment)).all()
    assert attachment.ticket_id == ticket.id and attachment.size == len(JPEG)
    texts = [m["text"] for m in said(fake_telegram)]
    assert texts[4].startswith("Sila terangkan") and texts[5].startswith("Di negeri manakah")
    assert texts[6].startswith("Nyatakan daerah") and texts[7].startswith("Hantar gambar")
    assert "Negeri: Selangor" in texts[8] and "Gambar: 1" in texts[8]
    # One answer to the filing: the standard acknowledgement, with reference, both expected
    # dates and the status link — not a second "thank you" from the bot.
    (ack,) = texts[9:]
    assert ack.startswith(f"Aduan anda telah diterima. No. Rujukan: {ticket.reference}.")
    assert "Akuan terima dijangka" in ack and "penyelesaian dijangka" in ack
    assert ack.endswith(f"/semak?ref={ticket.reference}")
    assert said(fake_telegram)[-1]["chat_id"] in (USER, str(USER))
    # Every button press was answered, so no client is left with a spinning button; the late
    # double tap on "send" is told the button has expired.
    answers = answered(fake_telegram)
    assert len(answers) == 5 and len({a["callback_query_id"] for a in answers}) == 5
    assert "text" not in answers[3] and answers[4]["text"].startswith("Butang ini sudah tamat")
    events = db.session.scalars(db.select(InboundEvent)).all()
    assert all(e.processed_at is not None for e in events)
    assert db.session.scalar(db.select(BotConversation.step)) == "idle"

    deliver(restarted, text_update(f"/semak {ticket.reference}"))
    assert said(fake_telegram)[-1]["text"].startswith(f"Aduan {ticket.reference}: Baharu")


def answered(fake) -> list[dict]:
    """The answerCallbackQuery calls the bot made, in order."""
    return [r.params for r in fake.requests if r.path.endswith("/answerCallbackQuery")]


def _category_button(fake, label: str) -> str:
    markup = said(fake)[-1]["reply_markup"]["inline_keyboard"]
    return next(row[0]["callback_data"] for row in markup if row[0]["text"] == label)
