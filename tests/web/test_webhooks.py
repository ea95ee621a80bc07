"""Provider webhooks end to end: real signatures, real PostgreSQL and Redis."""

from __future__ import annotations

import threading
from urllib.parse import urlencode

import pytest
import redis as redis_lib
import requests
from rq import Queue
from werkzeug.serving import make_server

from aduan.models import InboundEvent, Message
from aduan.services.intake.drain import slot_of
from tests.builders import gen_agency
from tests.conftest import REDIS_URL, make_app
from tests.web.signing import (
    BASE,
    CHANNEL_CONFIG,
    META_VERIFY,
    TELEGRAM_SECRET,
    X_SECRET,
    closed_port,
    meta_body,
    meta_signature,
    sms_form,
    telegram_update,
    twilio_headers,
    x_body,
    x_signature,
)

SMS = "/webhooks/twilio/sms"


@pytest.fixture
def hooks(client, monkeypatch):
    for name, value in CHANNEL_CONFIG.items():
        monkeypatch.setitem(client.application.config, name, value)
    return client


def events(db):
    return db.session.scalars(db.select(InboundEvent).order_by(InboundEvent.id)).all()


def ingest_jobs() -> list[tuple[str, tuple]]:
    queue = Queue("test-ingest", connection=redis_lib.Redis.from_url(REDIS_URL))
    return [(job.func_name.rpartition(".")[2], job.args) for job in queue.jobs]


def forged_count(channel: str) -> int:
    return int(redis_lib.Redis.from_url(REDIS_URL).get(f"aduan:webhook:forged:{channel}") or 0)


def test_signed_sms_is_stored_and_its_drainer_woken(hooks, db):
    form = sms_form()
    response = hooks.post(SMS, data=form, headers=twilio_headers(SMS, form))
    assert response.status_code == 200
    assert response.mimetype == "text/xml" and b"<Response/>" in response.data
    [event] = events(db)
    assert (event.channel, event.kind, event.provider_id) == ("sms", "message", form["MessageSid"])
    assert event.payload["Body"] == "Lampu jalan rosak"
    assert ingest_jobs() == [("drain_ingest", (slot_of(event.id),))]  # its sender's slot
    form = sms_form(sid="SM" + "9" * 32)
    hooks.post(SMS, data=form, headers=twilio_headers(SMS, form))
    assert len(events(db)) == 2 and len(ingest_jobs()) <= 2  # at most one drain per slot


def test_signature_uses_the_public_url_with_the_raw_query(hooks, db):
    path = SMS + "?tag=a%7Eb"
    form = sms_form()
    response = hooks.post(path, data=form, headers=twilio_headers(path, form))
    assert response.status_code == 200
    assert len(events(db)) == 1


@pytest.mark.parametrize(
    "tamper",
    [
        lambda form, headers: ({**form, "Body": "changed"}, headers),
        lambda form, headers: (form, twilio_headers(SMS, form, url="http://localhost" + SMS)),
        lambda form, headers: (form, {}),
    ],
    ids=["tampered-body", "wrong-url", "missing-header"],
)
def test_forged_sms_is_refused_and_nothing_stored(hooks, db, tamper, caplog):
    form = sms_form()
    form, headers = tamper(form, twilio_headers(SMS, form))
    response = hooks.post(SMS, data=form, headers=headers)
    assert response.status_code == 403
    assert events(db) == [] and ingest_jobs() == []
    assert forged_count("sms") == 1
    assert "+60123456789" not in caplog.text and "changed" not in caplog.text


def test_duplicate_delivery_stores_one_event(hooks, db):
    form = sms_form()
    for _ in range(2):
        response = hooks.post(SMS, data=form, headers=twilio_headers(SMS, form))
        assert response.status_code == 200
    assert len(events(db)) == 1
    assert len(ingest_jobs()) == 1


def test_whatsapp_status_callback_is_a_status_event(hooks, db):
    path = "/webhooks/twilio/status"
    form = {
        "MessageSid": "SM" + "2" * 32,
        "MessageStatus": "delivered",
        "From": "whatsapp:+60300000000",
        "To": "whatsapp:+60123456789",
    }
    assert hooks.post(path, data=form, headers=twilio_headers(path, form)).status_code == 200
    [event] = events(db)
    assert (event.channel, event.kind) == ("whatsapp", "status")


def test_voice_call_answers_record_twiml_and_recording_is_stored(hooks, db):
    path = "/webhooks/twilio/voice"
    call = {"CallSid": "CA" + "3" * 32, "From": "+60123456789", "To": "+60300000000"}
    response = hooks.post(path, data=call, headers=twilio_headers(path, call))
    assert response.status_code == 200
    assert b"<Record" in response.data
    assert f'action="{BASE}/webhooks/twilio/voice/recording"'.encode() in response.data
    assert events(db) == []

    path += "/recording"
    recording = {
        **call,
        "RecordingSid": "RE" + "4" * 32,
        "RecordingUrl": "https://api.twilio.com/rec/RE4",
        "RecordingDuration": "12",
    }
    response = hooks.post(path, data=recording, headers=twilio_headers(path, recording))
    assert response.status_code == 200 and b"<Hangup" in response.data
    [event] = events(db)
    assert (event.channel, event.provider_id) == ("voice", recording["RecordingSid"])


def test_telegram_secret_header(hooks, db):
    update = telegram_update()
    wrong = {"X-Telegram-Bot-Api-Secret-Token": "nope"}
    assert hooks.post("/webhooks/telegram", json=update, headers=wrong).status_code == 403
    assert hooks.post("/webhooks/telegram", json=update).status_code == 403
    assert events(db) == [] and forged_count("telegram") == 2
    right = {"X-Telegram-Bot-Api-Secret-Token": TELEGRAM_SECRET}
    assert hooks.post("/webhooks/telegram", json=update, headers=right).status_code == 200
    [event] = events(db)
    assert (event.channel, event.provider_id) == ("telegram", "1001")


def test_meta_post_signed_and_forged(hooks, db):
    body = meta_body()
    headers = {"Content-Type": "application/json", "X-Hub-Signature-256": meta_signature(body)}
    forged = {**headers, "X-Hub-Signature-256": meta_signature(body, "other")}
    assert hooks.post("/webhooks/meta", data=body, headers=forged).status_code == 403
    assert hooks.post("/webhooks/meta", data=body + b" ", headers=headers).status_code == 403
    assert events(db) == []
    assert hooks.post("/webhooks/meta", data=body, headers=headers).status_code == 200
    [event] = events(db)
    assert (event.channel, event.provider_id) == ("whatsapp_cloud", "wamid.ABC")


def test_meta_subscription_handshake(hooks):
    query = {
        "hub.mode": "subscribe",
        "hub.verify_token": META_VERIFY,
        "hub.challenge": "1158201444",
    }
    response = hooks.get("/webhooks/meta?" + urlencode(query))
    assert response.status_code == 200 and response.data == b"1158201444"
    query["hub.verify_token"] = "wrong"
    assert hooks.get("/webhooks/meta?" + urlencode(query)).status_code == 403


def test_x_crc_and_signed_dm(hooks, db):
    response = hooks.get("/webhooks/x?crc_token=challenge123")
    assert response.status_code == 200
    assert response.get_json() == {"response_token": x_signature(b"challenge123", X_SECRET)}
    body = x_body()
    headers = {"Content-Type": "application/json"}
    assert hooks.post("/webhooks/x", data=body, headers=headers).status_code == 403
    headers["x-twitter-webhooks-signature"] = x_signature(body)
    assert hooks.post("/webhooks/x", data=body, headers=headers).status_code == 200
    assert [e.provider_id for e in events(db)] == ["1700000000000000001"]


def test_oversized_bodies_are_413(hooks, db, monkeypatch):
    form = sms_form(body="x" * 70_000)  # over the per-channel cap for Twilio forms
    response = hooks.post(SMS, data=form, headers=twilio_headers(SMS, form))
    assert response.status_code == 413
    monkeypatch.setitem(hooks.application.config, "MAX_CONTENT_LENGTH", 1000)
    body = b"{" + b" " * 2000 + b"}"
    headers = {"Content-Type": "application/json", "X-Hub-Signature-256": meta_signature(body)}
    assert hooks.post("/webhooks/meta", data=body, headers=headers).status_code == 413
    assert events(db) == []


def test_unknown_account_key_is_404(hooks, db):
    form = sms_form()
    path = SMS + "/nosuch"
    assert hooks.post(path, data=form, headers=twilio_headers(path, form)).status_code == 404
    assert events(db) == []


def test_database_down_answers_503(tmp_path):
    url = f"postgresql://postgres@127.0.0.1:{closed_port()}/nothing"
    app = make_app(url, tmp_path, **CHANNEL_CONFIG)
    form = sms_form()
    response = app.test_client().post(SMS, data=form, headers=twilio_headers(SMS, form))
    assert response.status_code == 503


def test_concurrent_duplicate_deliveries_store_one_event(app_ctx, db, monkeypatch):
    for name, value in CHANNEL_CONFIG.items():
        monkeypatch.setitem(app_ctx.config, name, value)
    server = make_server("127.0.0.1", 0, app_ctx, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    form = sms_form()
    headers = twilio_headers(SMS, form)
    barrier = threading.Barrier(2)
    statuses = []

    def deliver():
        barrier.wait()
        url = f"http://127.0.0.1:{server.server_port}{SMS}"
        statuses.append(requests.post(url, data=form, headers=headers, timeout=10).status_code)

    workers = [threading.Thread(target=deliver) for _ in range(2)]
    try:
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join(15)
    finally:
        server.shutdown()
    assert statuses == [200, 200]
    db.session.expire_all()
    assert len(events(db)) == 1
    assert len(ingest_jobs()) == 1


def test_redis_down_still_stores_and_requeue_picks_up(
    app_ctx, db, database_url, tmp_path, monkeypatch
):
    from sqlalchemy import text

    from workers.intake_jobs import drain_ingest, requeue_stale_events

    down = make_app(
        database_url, tmp_path, REDIS_URL=f"redis://127.0.0.1:{closed_port()}/0", **CHANNEL_CONFIG
    )
    client = down.test_client()
    for n in range(3):
        form = sms_form(sid=f"SM{n:032d}")
        assert client.post(SMS, data=form, headers=twilio_headers(SMS, form)).status_code == 200
    with down.app_context():
        from aduan.extensions import db as down_db

        down_db.engine.dispose()
    assert len(events(db)) == 3 and ingest_jobs() == []

    assert requeue_stale_events() == 0  # too recent: the webhook's own wake may be on its way
    db.session.execute(text("UPDATE inbound_events SET received_at = now() - interval '5 minutes'"))
    db.session.commit()
    assert requeue_stale_events() == 3
    slots = {(slot_of(e.id),) for e in events(db)}
    assert {args for _, args in ingest_jobs()} == slots  # their drainers are woken
    assert all(name == "drain_ingest" for name, _ in ingest_jobs())

    for name, value in CHANNEL_CONFIG.items():
        monkeypatch.setitem(app_ctx.config, name, value)
    gen_agency()  # the drainers run: every event becomes a ticket
    db.session.commit()
    for _, (slot,) in ingest_jobs():
        drain_ingest(slot)
    db.session.expire_all()
    assert all(e.processed_at is not None for e in events(db))
    inbound = db.select(db.func.count(Message.id)).where(Message.direction == "in")
    assert db.session.scalar(inbound) == 3  # one sender: threaded onto one ticket
