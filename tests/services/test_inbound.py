"""Durable intake without HTTP: accept, store_event, requeue, ingest job, mailbox polling."""

from __future__ import annotations

import datetime as dt
import json
import sys
import types

import redis as redis_lib
from flask_migrate import upgrade
from rq import Queue

from aduan.models import InboundEvent
from aduan.models.base import utcnow
from aduan.services.channel_config import accounts as accounts
from aduan.services.intake import handover, inbound
from channels.base import ChannelError, RawEvent, RawRequest
from channels.email import EmailAdapter
from tests.builders import gen_agency
from tests.conftest import REDIS_URL, make_app
from tests.web.signing import BASE, TELEGRAM_SECRET, telegram_update
from workers import intake_jobs


def ingest_jobs() -> list[str]:
    return Queue("test-ingest", connection=redis_lib.Redis.from_url(REDIS_URL)).job_ids


def drain_jobs() -> list[tuple]:
    queue = Queue("test-ingest", connection=redis_lib.Redis.from_url(REDIS_URL))
    return sorted(job.args for job in queue.jobs if job.func_name.endswith("drain_ingest"))


def telegram_request(update: dict, secret: str = TELEGRAM_SECRET, path="/webhooks/telegram"):
    return RawRequest(
        method="POST",
        url=BASE + path,
        headers={"X-Telegram-Bot-Api-Secret-Token": secret},
        body=json.dumps(update).encode(),
    )


def gen_event(db, provider_id: str, age_seconds: int = 300, **kw) -> InboundEvent:
    event = InboundEvent(
        channel=kw.pop("channel", "sms"),
        provider_id=provider_id,
        payload={},
        received_at=utcnow() - dt.timedelta(seconds=age_seconds),
        **kw,
    )
    db.session.add(event)
    db.session.commit()
    return event


def test_accept_per_account_key_and_telegram_ids_per_bot(db):
    accounts.save_account(gen_agency(), "telegram", {"webhook_secret": "bot-a-secret"}, key="a")
    accounts.save_account(gen_agency(), "telegram", {"webhook_secret": "bot-b-secret"}, key="b")
    db.session.commit()
    update = telegram_update(7)
    assert inbound.accept("telegram", "a", telegram_request(update, "bot-b-secret")).status == 403
    first = inbound.accept("telegram", "a", telegram_request(update, "bot-a-secret"))
    second = inbound.accept("telegram", "b", telegram_request(update, "bot-b-secret"))
    assert first.status == second.status == 200
    ids = db.session.scalars(db.select(InboundEvent.provider_id).order_by(InboundEvent.id)).all()
    assert ids == ["a:7", "b:7"]


def test_signed_but_unreadable_request_is_quarantined_not_lost(db):
    accounts.save_account(gen_agency(), "telegram", {"webhook_secret": TELEGRAM_SECRET})
    db.session.commit()
    raw = RawRequest(
        "POST", BASE, {"X-Telegram-Bot-Api-Secret-Token": TELEGRAM_SECRET}, b"not json"
    )
    outcome = inbound.accept("telegram", "default", raw)
    assert outcome.status == 200
    event = db.session.get(InboundEvent, outcome.stored[0])
    assert event.quarantined_at is not None and "not JSON" in event.error
    assert ingest_jobs() == []


def test_store_event_dedupes_on_sqlite_too(tmp_path):
    from aduan.extensions import db

    app = make_app(f"sqlite:///{tmp_path / 's.db'}", tmp_path)
    with app.app_context():
        upgrade(directory="alembic")
        event = RawEvent("sms", "message", "SM1", {"Body": "x"})
        first = inbound.store_event(event)
        assert first is not None and inbound.store_event(event) is None
        db.session.commit()
        assert db.session.scalar(db.select(db.func.count(InboundEvent.id))) == 1
        db.session.remove()
        db.engine.dispose()


def test_requeue_skips_recent_processed_and_quarantined(db):
    stale = gen_event(db, "SM-stale")
    gen_event(db, "SM-new", age_seconds=5)
    gen_event(db, "SM-done", processed_at=utcnow())
    gen_event(db, "SM-bad", quarantined_at=utcnow(), error="boom")
    assert intake_jobs.requeue_stale_events() == 1
    assert drain_jobs() == [(stale.id % 2,)]


def test_requeue_hands_a_due_failed_event_to_a_single_event_job(db):
    failed = gen_event(db, "SM-failed", attempts=1, error="Timeout: x")
    gen_event(db, "SM-failed-recently", age_seconds=200, attempts=2, error="Timeout: x")
    assert intake_jobs.requeue_stale_events() == 1
    assert ingest_jobs() == [f"ingest-{failed.id}"]


def test_requeue_quarantines_events_that_keep_failing(db):
    event = gen_event(db, "SM-flaky", attempts=intake_jobs.MAX_ATTEMPTS, error="Timeout: x")
    assert intake_jobs.requeue_stale_events() == 0
    db.session.refresh(event)
    assert event.quarantined_at is not None and event.error == "Timeout: x"
    assert ingest_jobs() == []


def test_requeue_walks_in_batches(db):
    events = [gen_event(db, f"SM-{n}", age_seconds=300 + n, attempts=1) for n in range(7)]
    assert intake_jobs.requeue_stale_events(batch=3) == 7
    assert sorted(ingest_jobs()) == sorted(f"ingest-{e.id}" for e in events)


def test_requeue_replaces_a_failed_job_of_a_pending_event(db):
    event = gen_event(db, "SM-failed", attempts=1)
    assert handover.enqueue_ingest(event.id)
    queue = Queue("test-ingest", connection=redis_lib.Redis.from_url(REDIS_URL))
    job = queue.fetch_job(f"ingest-{event.id}")
    queue.remove(job)
    job.set_status("failed")
    assert ingest_jobs() == []
    assert intake_jobs.requeue_stale_events() == 1
    assert ingest_jobs() == [f"ingest-{event.id}"]


def test_ingest_event_calls_the_intake_service(app_ctx, monkeypatch):
    calls = []
    fake = types.ModuleType("aduan.services.intake.pipeline")
    fake.process_event = lambda event_id: calls.append(event_id) or "done"
    monkeypatch.setitem(sys.modules, "aduan.services.intake.pipeline", fake)
    assert intake_jobs.ingest_event(41) == "done"
    assert calls == [41]


def mail_event(message_id: str) -> RawEvent:
    return RawEvent("email", "message", message_id, {"raw": "", "mailbox": "INBOX", "uid": 1})


def test_poll_mailboxes_stores_new_mail_and_the_state(db, monkeypatch):
    row = accounts.save_account(gen_agency(), "email", {"imap_url": "imap://u:p@h/INBOX"})
    db.session.commit()
    seen_states = []

    def poll(self, state):
        seen_states.append(state)
        return [mail_event("<a@x>"), mail_event("<b@x>")], {"uidvalidity": 9, "last_uid": 2}

    monkeypatch.setattr(EmailAdapter, "poll", poll)
    assert intake_jobs.poll_mailboxes() == {"default": 2}
    assert intake_jobs.poll_mailboxes() == {"default": 0}  # same Message-IDs: nothing new
    db.session.refresh(row)
    assert seen_states == [{}, {"uidvalidity": 9, "last_uid": 2}]
    assert row.poll_state == {"uidvalidity": 9, "last_uid": 2}
    assert row.last_success_at is not None and row.last_error is None
    assert len(ingest_jobs()) == 2


def test_poll_error_is_recorded_without_the_password(db, monkeypatch):
    row = accounts.save_account(gen_agency(), "email", {"imap_url": "imap://u:s3cr3tpw@h/INBOX"})
    db.session.commit()

    def poll(self, state):
        raise ChannelError("imap login failed for imap://u:s3cr3tpw@h")

    monkeypatch.setattr(EmailAdapter, "poll", poll)
    assert intake_jobs.poll_mailboxes() == {"default": 0}
    db.session.refresh(row)
    assert "login failed" in row.last_error and "s3cr3tpw" not in row.last_error


def test_poll_env_default_without_a_row(app_ctx, db, monkeypatch):
    monkeypatch.setitem(app_ctx.config, "IMAP_URL", "imap://u:p@h/INBOX")
    monkeypatch.setattr(
        EmailAdapter, "poll", lambda self, state: ([mail_event("<c@x>")], {"last_uid": 5})
    )
    assert intake_jobs.poll_mailboxes() == {"default": 1}
    stored = redis_lib.Redis.from_url(REDIS_URL).get("aduan:poll-state:email:default")
    assert json.loads(stored) == {"last_uid": 5}
