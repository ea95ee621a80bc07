"""The scheduler's watch over the drains: a slot whose events wait with no drain on it (its
drain killed, its queued job forgotten by a Redis restart, no webhook coming to wake it) is
woken within a tick instead of after the minute sweep."""

from __future__ import annotations

import datetime as dt

import redis as redis_lib
from flask import current_app
from rq import Queue

from aduan.extensions import db
from aduan.models import InboundEvent, OutboundMessage, Ticket
from aduan.redis_conn import get_redis
from aduan.services.intake import drain as intake_drain
from aduan.services.intake import slot_watch
from tests.conftest import REDIS_URL
from tests.services import intake_builders
from tests.services.intake_builders import sms_event
from workers import schedule

accounts = intake_builders.accounts


def queued() -> list[tuple[str, tuple]]:
    queue = Queue("test-ingest", connection=redis_lib.Redis.from_url(REDIS_URL))
    return sorted((job.func_name.rpartition(".")[2], job.args) for job in queue.jobs)


def stored(seconds_ago: float, count: int = 2, start: int = 0) -> list[int]:
    """Stored SMS complaints from distinct senders (one per slot for two), as if their
    webhooks' wake-ups were lost ``seconds_ago`` (no wake key, no job)."""
    ids = []
    for n in range(start, start + count):
        event = sms_event(f"Longkang tersumbat no {n}.", f"SM{n:032d}", sender=f"+6013{n:07d}")
        event.received_at = event.received_at - dt.timedelta(seconds=seconds_ago)
        ids.append(event.id)
    db.session.commit()
    return ids


def test_a_forgotten_slot_is_woken_and_its_complaints_acknowledged(agency, accounts):
    ids = stored(seconds_ago=30)
    slots = sorted({intake_drain.slot_of(i) for i in ids})
    assert queued() == []  # nobody will drain them: the webhook's wake-ups were lost

    assert slot_watch.wake_forgotten_slots() == slots
    assert queued() == [("drain_ingest", (slot,)) for slot in slots]
    for slot in slots:
        intake_drain.drain(slot, idle=0)
    assert db.session.scalar(db.select(db.func.count()).select_from(Ticket)) == 2
    acknowledgements = db.session.scalars(db.select(OutboundMessage)).all()
    references = {t.reference for t in db.session.scalars(db.select(Ticket))}
    assert sorted(ack.to_handle for ack in acknowledgements) == ["+60130000000", "+60130000001"]
    assert all(ack.purpose == "acknowledgement" for ack in acknowledgements)
    assert {next(r for r in references if r in ack.body) for ack in acknowledgements} == references


def test_a_slot_with_a_live_drain_or_only_fresh_events_is_left_alone(agency, accounts):
    old = stored(seconds_ago=30, count=1)
    busy = intake_drain.slot_of(old[0])
    get_redis(current_app).set(intake_drain.wake_key(busy), 1, ex=5)  # a drain renewing its lease
    (fresh,) = stored(seconds_ago=0, count=1, start=1)
    assert intake_drain.slot_of(fresh) != busy  # the other slot (by the sender's number)
    woken = slot_watch.wake_forgotten_slots()
    assert busy not in woken
    assert woken == []  # the other slot's only event arrived just now: its webhook wakes it
    assert queued() == []


def test_the_scheduler_tick_runs_the_watch_even_with_no_period_due(agency, accounts, monkeypatch):
    stored(seconds_ago=60, count=1)
    monkeypatch.setattr(schedule, "PERIODIC_MODULES", ())
    monkeypatch.setattr(schedule, "PERIODIC", [])
    monkeypatch.setattr(schedule, "WATCHES", ["workers.intake_jobs:wake_forgotten_slots"])
    assert schedule._tick_safely("owner-1", 5.0, 5.0) == 5.0
    assert [name for name, _ in queued()] == ["drain_ingest"]
    assert db.session.scalar(db.select(db.func.count()).select_from(InboundEvent)) == 1
