"""The batch drain: wake-ups, each event processed once by concurrent drainers, failures
counted and left to the sweep's backoff, quarantine after MAX_ATTEMPTS."""

from __future__ import annotations

import datetime as dt
import multiprocessing as mp

import pytest
import redis as redis_lib
from rq import Queue

from aduan.extensions import db
from aduan.models import InboundEvent, Message, OutboundMessage, Ticket
from aduan.models.base import utcnow
from aduan.services.intake import batch as intake_batch
from aduan.services.intake import drain as intake_drain
from aduan.services.intake import pipeline as intake
from tests.builders import gen_agency, gen_unit
from tests.conftest import REDIS_URL
from tests.services import intake_builders
from tests.services.intake_builders import sms_event
from workers import intake_jobs

accounts = intake_builders.accounts


def queued() -> list[tuple[str, tuple]]:
    queue = Queue("test-ingest", connection=redis_lib.Redis.from_url(REDIS_URL))
    return [(job.func_name.rpartition(".")[2], job.args) for job in queue.jobs]


def sms_events(count: int, start: int = 0) -> list[int]:
    """Stored SMS events from distinct senders; their ids (a drain detaches the session's
    objects, so tests hold ids)."""
    return [
        sms_event(f"Lampu jalan rosak no {n}.", f"SM{n:032d}", sender=f"+6012{n:07d}").id
        for n in range(start, start + count)
    ]


def event(event_id: int) -> InboundEvent:
    return db.session.get(InboundEvent, event_id)


def count(model, *where) -> int:
    return db.session.scalar(db.select(db.func.count()).select_from(model).where(*where))


def pending() -> int:
    return count(InboundEvent, InboundEvent.processed_at.is_(None))


def test_wake_enqueues_one_drain_per_slot_until_the_drain_starts(app_ctx):
    assert intake_drain.wake_for([10, 12, 14]) and intake_drain.wake_for([11, 16, 13])
    assert sorted(queued()) == [("drain_ingest", (0,)), ("drain_ingest", (1,))]
    intake_drain.drain(0, idle=0)  # lets go of its key when done: the next wake enqueues
    assert intake_drain.wake_for([20])
    assert sorted(queued()).count(("drain_ingest", (0,))) == 2


def test_drain_processes_every_pending_event_of_its_slot(agency, accounts):
    events = sms_events(7)
    slot = events[0] % 2
    assert intake_drain.drain(slot, batch=2, idle=0) == len([i for i in events if i % 2 == slot])
    for event_id in events:
        assert (event(event_id).processed_at is not None) == (event_id % 2 == slot)
    intake_drain.drain(1 - slot, idle=0)
    assert pending() == 0
    assert count(Ticket) == count(OutboundMessage) == 7


def test_a_drain_holds_its_key_and_takes_events_committed_while_it_runs(
    agency, accounts, monkeypatch
):
    first = sms_events(1)[0]
    slot = intake_drain.slot_of(first)
    assert intake_drain.wake(slot) and len(queued()) == 1
    late: list[int] = []
    real_claim = intake_drain.claim

    def claim_then_a_webhook_commits(*args):
        rows = real_claim(*args)
        if not late:  # after the drain took the key and made its first claim
            late.extend(sms_events(4, start=100))
            intake_drain.wake_for(late)
        return rows

    monkeypatch.setattr(intake_drain, "claim", claim_then_a_webhook_commits)
    intake_drain.drain(slot, idle=0)
    mine = [i for i in late if intake_drain.slot_of(i) == slot]
    assert mine and all(event(i).processed_at is not None for i in mine)
    others = {(intake_drain.slot_of(i),) for i in late} - {(slot,)}
    # The held key spared this slot a job; the other slot's events woke theirs.
    assert sorted(args for _, args in queued()) == sorted({(slot,)} | others)
    monkeypatch.setattr(intake_drain, "claim", real_claim)
    for _, (queued_slot,) in queued():
        intake_drain.drain(queued_slot, idle=0)
    assert pending() == 0 and count(Ticket) == 5


def test_an_event_committed_as_the_drain_lets_go_is_taken_by_its_last_look(
    app, agency, accounts, monkeypatch
):
    monkeypatch.setitem(app.config, "INGEST_PARALLELISM", 1)
    sms_events(1)
    late: list[int] = []
    real_clear = intake_drain._clear_wake

    def a_webhook_commits_then_the_key_goes(slot):
        if not late:  # committed while the key is still held: its SET NX enqueues nothing
            late.extend(sms_events(1, start=200))
            intake_drain.wake_for(late)
        real_clear(slot)

    monkeypatch.setattr(intake_drain, "_clear_wake", a_webhook_commits_then_the_key_goes)
    assert intake_drain.drain(0, idle=0) == 2
    assert queued() == [] and pending() == 0


def test_a_drain_waits_a_little_for_more_before_it_lets_go(app, agency, accounts, monkeypatch):
    monkeypatch.setitem(app.config, "INGEST_PARALLELISM", 1)
    sms_events(1)
    arrivals: list[int] = []
    real_sleep = intake_drain.time.sleep

    def sleep(seconds):
        if not arrivals:  # the next message arrives while the drain is idle
            arrivals.extend(sms_events(1, start=300))
            intake_drain.wake_for(arrivals)
        real_sleep(seconds)

    monkeypatch.setattr(intake_drain.time, "sleep", sleep)
    assert intake_drain.drain(0, idle=0.2) == 2
    assert queued() == []  # served by the same job


def _drain_in_child(database_url, instance_dir, slot, queue):
    from pathlib import Path

    from aduan.services.channel_config import lookup as channel_lookup
    from channels.registry import get_adapter_class
    from tests.channels.builders import TWILIO_ACCOUNT
    from tests.conftest import make_app

    channel_lookup.adapter_for = lambda channel, key="default": get_adapter_class(channel)(
        TWILIO_ACCOUNT
    )
    app = make_app(database_url, Path(instance_dir), INGEST_PARALLELISM=1)
    with app.app_context():
        queue.put(intake_drain.drain(slot, batch=3, idle=0.5))


def test_two_concurrent_drainers_process_each_event_exactly_once(
    agency, accounts, database_url, tmp_path
):
    events = sms_events(24)
    ctx = mp.get_context("spawn")
    queue = ctx.Queue()
    workers = [
        ctx.Process(target=_drain_in_child, args=(database_url, tmp_path, 0, queue))
        for _ in range(2)
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(120)
    [queue.get(timeout=5) for _ in workers]
    db.session.expire_all()
    assert pending() == 0
    assert count(Ticket) == count(OutboundMessage) == len(events)
    assert count(Message, Message.direction == "in") == len(events)
    attempts = db.session.scalars(db.select(InboundEvent.attempts)).all()
    assert attempts == [1] * len(events)  # nobody processed an event twice


def test_a_failing_event_blocks_nothing_and_backs_off(app, agency, accounts, monkeypatch):
    bad, *good = sms_events(5)
    intake_builders.fail_ingest(monkeypatch, bad)
    monkeypatch.setitem(app.config, "INGEST_PARALLELISM", 1)
    assert intake_drain.drain(0, idle=0) == 5
    assert intake_drain.drain(0, idle=0) == 0  # a failed event is not retried in a loop
    assert all(event(i).processed_at is not None for i in good)
    failed = event(bad)
    assert (failed.attempts, failed.processed_at) == (1, None) and "hiccup" in failed.error

    # The sweep retries it only once its delay (1, 4, 9 … minutes after receipt) has passed.
    assert intake_jobs.requeue_stale_events() == 0
    event(bad).received_at = utcnow() - dt.timedelta(minutes=2)
    db.session.commit()
    assert intake_jobs.requeue_stale_events() == 1
    assert queued()[-1] == ("ingest_event", (bad,))
    assert intake_jobs.ingest_event(bad) == "failed"  # counted, not raised
    db.session.expire_all()
    assert event(bad).attempts == 2
    assert intake_jobs.requeue_stale_events() == 0  # next try 4 minutes after receipt


def test_an_event_that_lost_the_database_is_retried_at_once_without_counting_a_failure(
    app, agency, accounts, monkeypatch
):
    hit, *others = sms_events(3)
    real = intake.ingest_message
    lost = []

    def ingest_message(inbound, message, adapter=None):
        if inbound.id == hit and not lost:  # the server ends our connection mid-event
            lost.append(True)
            db.session.execute(db.text("SELECT pg_terminate_backend(pg_backend_pid())"))
        return real(inbound, message, adapter)

    monkeypatch.setattr(intake, "ingest_message", ingest_message)
    monkeypatch.setitem(app.config, "INGEST_PARALLELISM", 1)
    assert intake_drain.drain(0, idle=0) == 3
    db.session.expire_all()
    retried = event(hit)
    assert lost and retried.processed_at is not None and retried.error is None
    assert retried.attempts == 1  # the success only: the lost connection was not its fault
    assert all(event(i).processed_at is not None for i in others)
    assert db.session.scalar(db.select(db.func.count()).select_from(Ticket)) == 3


def test_an_event_failing_max_attempts_times_is_quarantined(agency, accounts):
    exhausted = event(sms_events(1)[0])
    exhausted.attempts = intake_jobs.MAX_ATTEMPTS
    exhausted.received_at = utcnow() - dt.timedelta(days=1)
    db.session.commit()
    assert intake_jobs.requeue_stale_events() == 0
    db.session.expire_all()
    assert exhausted.quarantined_at is not None and exhausted.processed_at is None


@pytest.mark.parametrize(
    ("minutes", "attempts", "due"),
    [(0.5, 0, False), (1, 0, True), (1, 1, True), (3, 2, False), (4, 2, True), (80, 9, False)],
)
def test_retry_due_grows_with_attempts(minutes, attempts, due):
    now = utcnow()
    received = now - dt.timedelta(minutes=minutes)
    assert intake_jobs.retry_due(received, attempts, now) is due


def test_process_event_skips_an_event_another_worker_holds(agency, accounts, database_url):
    import psycopg

    event_id = sms_events(1)[0]
    with psycopg.connect(database_url) as other:
        other.execute("SELECT id FROM inbound_events WHERE id = %s FOR UPDATE", [event_id])
        assert intake.process_event(event_id, skip_locked=True) == "skipped"
    assert intake.process_event(event_id, skip_locked=True) == "processed"


def test_a_drain_reads_reference_rows_again_once_they_change(
    app, agency, accounts, database_url, monkeypatch
):
    import psycopg

    from aduan.services.intake import reference_cache

    monkeypatch.setattr(reference_cache, "CHECK_SECONDS", 0.0)
    monkeypatch.setitem(app.config, "INGEST_PARALLELISM", 1)
    monkeypatch.setattr(intake_batch, "GROUP", 2)  # a change takes effect from the next group
    first, *_others = sms_events(4)
    real = intake.ingest_message

    def ingest_message(inbound, message, adapter=None):
        ack = real(inbound, message, adapter)
        if inbound.id == first:  # an admin elsewhere changes the agency meanwhile
            with psycopg.connect(database_url, autocommit=True) as other:
                other.execute("""UPDATE agencies SET settings = '{"reference_prefix": "JKR"}'""")
            redis_lib.Redis.from_url(REDIS_URL).incr(reference_cache.VERSION_KEY)
        return ack

    monkeypatch.setattr(intake, "ingest_message", ingest_message)
    assert intake_drain.drain(0, idle=0) == 4
    references = db.session.scalars(db.select(Ticket.reference).order_by(Ticket.id)).all()
    assert [r.split("-")[0] for r in references] == ["ADU", "ADU", "JKR", "JKR"]


def test_drain_works_on_sqlite_for_make_run(tmp_path, monkeypatch):
    from flask_migrate import upgrade

    from aduan.services.channel_config import lookup as channel_lookup
    from channels.registry import get_adapter_class
    from tests.channels.builders import TWILIO_ACCOUNT
    from tests.conftest import make_app

    monkeypatch.setattr(
        channel_lookup,
        "adapter_for",
        lambda channel, key="default": get_adapter_class(channel)(TWILIO_ACCOUNT),
    )
    app = make_app(f"sqlite:///{tmp_path / 'dev.db'}", tmp_path, INGEST_PARALLELISM=1)
    with app.app_context():
        upgrade(directory="alembic")
        agency = gen_agency("DEV")
        agency.triage_unit_id = gen_unit(agency).id
        db.session.commit()
        sms_events(2)
        assert intake_drain.drain(0, idle=0) == 2  # SQLite: no SKIP LOCKED, one writer at a time
        assert count(Ticket) == count(OutboundMessage) == 2 and pending() == 0
        db.session.remove()
        db.engine.dispose()


def test_an_event_whose_worker_died_mid_way_stops_blocking_its_slot(agency, accounts):
    """A worker killed inside an event rolls its attempt back; the next drain counts it, so
    the event goes to the sweep's backoff (and quarantine) and the slot's others go on."""
    events = [i for i in sms_events(6) if i % 2 == 0][:2]
    stuck, other = events
    connection = redis_lib.Redis.from_url(REDIS_URL)
    connection.hset(intake_drain.current_key(0), "dead-drain", stuck)  # noted, then killed

    intake_drain.drain(0, idle=0)

    db.session.expire_all()
    assert event(stuck).processed_at is None and event(stuck).attempts == 1
    assert "stopped while processing" in event(stuck).error
    assert event(other).processed_at is not None
    assert connection.hgetall(intake_drain.current_key(0)) == {}  # a clean finish leaves none


def test_a_noted_event_that_a_live_drain_finished_is_left_alone(agency, accounts):
    done = [i for i in sms_events(4) if i % 2 == 0][0]
    intake_drain.drain(0, idle=0)
    connection = redis_lib.Redis.from_url(REDIS_URL)
    connection.hset(intake_drain.current_key(0), "live-drain", done)

    assert intake_drain.recover_interrupted(0) == 0
    db.session.expire_all()
    assert event(done).processed_at is not None and event(done).error is None
