"""One sender's messages are processed in arrival order, whatever happens to any worker: the
first message opens the ticket, a follow-up lands on it — even when the first one failed once
or its drain was killed and the follow-up is drained ahead of its retry."""

from __future__ import annotations

import pytest
import redis as redis_lib

from aduan.extensions import db
from aduan.models import InboundEvent, Message, Ticket
from aduan.services.intake import drain, inbound, pipeline
from channels.registry import get_adapter_class
from tests.builders import gen_agency, gen_unit
from tests.channels.builders import twilio_request
from tests.conftest import REDIS_URL
from tests.services import intake_builders
from tests.services.intake_builders import ACCOUNTS, fixture_form
from workers import intake_jobs

accounts = intake_builders.accounts
FIRST = "Lampu jalan rosak di Jalan Kenanga sejak minggu lepas, kawasan gelap pada waktu malam."


def sms(text: str, sid: str, sender: str = "+60123456789") -> int:
    """An SMS stored as the webhook stores it (sender known from the request)."""
    form = {**fixture_form("sms", "malay_emoji"), "Body": text, "MessageSid": sid, "From": sender}
    (raw,) = get_adapter_class("sms")(ACCOUNTS["sms"]).split(twilio_request(form, channel="sms"))
    event_id = inbound.store_event(raw)
    db.session.commit()
    return event_id


@pytest.fixture
def agency(app_ctx):
    agency = gen_agency(code="DEMO")
    gen_unit(agency, code="HQ", state="10")
    return agency


def fail_once(event_id: int) -> None:
    """The first attempt failed (a worker crash counted by the recovery, a timeout...)."""
    db.session.execute(
        db.update(InboundEvent).where(InboundEvent.id == event_id).values(attempts=1, error="x")
    )
    db.session.commit()


def the_ticket() -> Ticket:
    (ticket,) = db.session.scalars(db.select(Ticket)).all()
    return ticket


def test_one_senders_events_share_one_slot(app_ctx, agency, accounts):
    ids = [sms(f"Aduan {n}", f"SM{n:032d}") for n in range(6)]
    assert len({drain.slot_of(i) for i in ids}) == 1
    others = [sms(f"Aduan {n}", f"SM{n + 50:032d}", sender=f"+6019{n:07d}") for n in range(12)]
    assert len({drain.slot_of(i) for i in others}) == 2  # different senders still spread


def test_a_follow_up_waits_for_the_first_message_that_failed_once(app_ctx, agency, accounts):
    first = sms(FIRST, "SM" + "1" * 32)
    follow_up = sms("Tolong segera.", "SM" + "2" * 32)
    fail_once(first)
    assert pipeline.process_event(follow_up, skip_locked=True) == "deferred"
    assert db.session.scalar(db.select(db.func.count()).select_from(Ticket)) == 0
    assert intake_jobs.ingest_event(first) == "processed"  # the retry
    assert pipeline.process_event(follow_up, skip_locked=True) == "processed"
    ticket = the_ticket()
    assert ticket.description.startswith("Lampu jalan rosak")  # the first message opened it
    bodies = db.session.scalars(
        db.select(Message.body)
        .where(Message.ticket_id == ticket.id, Message.direction == "in")
        .order_by(Message.id)
    ).all()
    assert bodies == [FIRST, "Tolong segera."]


def test_a_drain_leaves_a_follow_up_pending_while_the_first_waits_for_its_retry(
    app_ctx, agency, accounts
):
    first = sms(FIRST, "SM" + "3" * 32)
    follow_up = sms("Tolong segera.", "SM" + "4" * 32)
    fail_once(first)  # its drain was killed: the recovery counted an attempt
    drain.drain(drain.slot_of(follow_up), idle=0.2)
    assert db.session.get(InboundEvent, follow_up).processed_at is None
    intake_jobs.ingest_event(first)
    drain.drain(drain.slot_of(follow_up), idle=0.2)
    assert the_ticket().description.startswith("Lampu jalan rosak")
    assert db.session.get(InboundEvent, follow_up).processed_at is not None


def test_a_first_message_that_keeps_failing_stops_holding_the_follow_ups(app_ctx, agency, accounts):
    first = sms(FIRST, "SM" + "5" * 32)
    follow_up = sms("Tolong segera.", "SM" + "6" * 32)
    db.session.execute(
        db.update(InboundEvent)
        .where(InboundEvent.id == first)
        .values(attempts=pipeline.ORDER_WAIT_ATTEMPTS, error="x")
    )
    db.session.commit()
    assert pipeline.process_event(follow_up) == "processed"


def test_a_killed_drain_holds_its_slot_for_seconds_not_a_minute(app_ctx, agency, accounts):
    event_id = sms(FIRST, "SM" + "7" * 32)
    slot = drain.slot_of(event_id)
    drain.drain(slot, idle=0.1)
    ttl = redis_lib.Redis.from_url(REDIS_URL).ttl(drain.wake_key(slot))
    assert ttl == -2 or ttl <= drain.WAKE_TTL_SECONDS <= 5


def test_an_interrupted_event_is_retried_in_seconds_not_left_for_the_minute_sweep(
    app_ctx, agency, accounts
):
    from rq import Queue
    from rq.registry import ScheduledJobRegistry

    event_id = sms(FIRST, "SM" + "8" * 32)
    slot = drain.slot_of(event_id)
    redis = redis_lib.Redis.from_url(REDIS_URL)
    redis.hset(drain.current_key(slot), "dead-drain", event_id)  # its worker was killed on it
    assert drain.recover_interrupted(slot) == 1
    # Queued at once, not scheduled: a scheduled job waits for an RQ scheduler's lock, which a
    # killed worker holds until it expires (and a Redis restart forgets it).
    assert Queue("test-ingest", connection=redis).job_ids == [f"ingest-{event_id}"]
    assert ScheduledJobRegistry("test-ingest", connection=redis).get_job_ids() == []
