"""Draining stored InboundEvents in batches: the webhook's wake-up and the drain job.

An RQ job per event cost every webhook about 1.4 ms of Redis round trips (job hash, unique
check, queue push) and every worker as much again. Instead, after its commit a webhook calls
``wake(slot)`` for the slot of each new event (``event id % INGEST_PARALLELISM``): one
``SET <wake key> 1 NX EX 60``, and only when that set the key, one ``drain_ingest(slot)``
job. Under load most webhooks find the key set and do nothing more. Slots let
INGEST_PARALLELISM workers drain side by side without claiming the same events.

No committed event is left unprocessed:

- A drain job deletes its slot's wake key *before* its first claim, and each drain scans from
  the oldest pending event of its slot.
- An event committed before that delete is visible to the first claim.
- An event committed after it then does its SET NX. Either the key is absent — the SET
  succeeds and enqueues a new drain job, which claims after the commit — or it is present,
  set by a later wake whose job has not yet deleted it, so that job also claims after the
  commit.
- What escapes (Redis down during the webhook, an enqueue that failed after its SET, a worker
  killed mid-drain) is older than a minute at the next periodic
  ``workers.intake_jobs.requeue_stale_events``, which wakes the drainers without the NX.

Reference rows (agency, units, categories, SLA profiles) that one event loaded are kept,
loaded, for the next events of the same drain instead of being expired by each commit and
read again; everything else is forgotten after every event. They are dropped whenever
``reference_cache`` sees reference data change, and a drain lasts at most a minute.

Failures: a drain claims only events never attempted (``attempts = 0``). ``process_event``
counts a failed attempt, so a failing event leaves the drain's view at once: it blocks no
batch and is not retried in a loop. The periodic sweep retries it with a growing delay and
quarantines it after ``MAX_ATTEMPTS``.
"""

from __future__ import annotations

import datetime as dt
import logging
import time

from flask import current_app
from redis.exceptions import RedisError
from rq import Retry
from sqlalchemy import event as sa_event
from sqlalchemy import inspect as sa_inspect

from aduan.extensions import db
from aduan.models import InboundEvent
from aduan.redis_conn import get_redis
from aduan.services import reference_cache

log = logging.getLogger(__name__)

WAKE_TTL_SECONDS = 60
BATCH = 100
# A drain stops after this long and wakes a successor: RQ's job timeout never interrupts an
# event half-way, and other queued jobs get their turn on a busy worker.
DRAIN_SECONDS = 60
DRAIN_JOB_TIMEOUT = 600


def parallelism() -> int:
    """How many slots (and so drain jobs at once) the pending events are split into."""
    return max(1, int(current_app.config.get("INGEST_PARALLELISM") or 2))


def slot_of(event_id: int) -> int:
    return event_id % parallelism()


def wake_key(slot: int) -> str:
    prefix = current_app.config.get("QUEUE_PREFIX") or ""
    return f"aduan:{prefix}ingest:wake:{slot}"


def wake_for(event_ids: list[int]) -> bool:
    """Wake the drainers of the slots of ``event_ids`` (committed); False when Redis is down."""
    return all([wake(slot) for slot in sorted({slot_of(i) for i in event_ids})])


def wake(slot: int, *, force: bool = False) -> bool:
    """Make sure a drain job for ``slot`` will run after now; False when Redis is down.

    ``force`` enqueues even when the wake key is set (the periodic sweep: a key whose enqueue
    failed would otherwise stand for a minute)."""
    from workers.intake_jobs import drain_ingest
    from workers.queues import INGEST, enqueue

    try:
        fresh = get_redis(current_app).set(wake_key(slot), 1, nx=True, ex=WAKE_TTL_SECONDS)
        if fresh or force:
            enqueue(
                INGEST,
                drain_ingest,
                slot,
                retry=Retry(max=3, interval=[5, 30, 60]),
                job_timeout=DRAIN_JOB_TIMEOUT,
                result_ttl=0,
            )
        return True
    except RedisError as exc:
        log.warning("ingest drainer not woken slot=%s error=%s", slot, type(exc).__name__)
        return False


def drain(slot: int, *, batch: int = BATCH, seconds: float = DRAIN_SECONDS) -> int:
    """Process the pending, never-attempted events of ``slot``, oldest first, until none are
    left (or ``seconds`` passed: then a successor is woken). Returns how many were taken."""
    from aduan.services.intake import process_event

    _clear_wake(slot)
    stop_at = time.monotonic() + seconds
    after: tuple[dt.datetime, int] | None = None
    taken = 0
    kept = _ReferenceRows(db.session())
    try:
        while rows := claim(slot, after, batch):
            for event_id, _received_at in rows:
                _process_one(process_event, event_id)
                kept.carry_over()
                taken += 1
            after = (rows[-1][1], rows[-1][0])
            if time.monotonic() > stop_at:
                wake(slot)
                break
    finally:
        kept.close()
    log.info("ingest drained slot=%s events=%d", slot, taken)
    return taken


class _ReferenceRows:
    """Keeps the reference rows loaded during a drain across its events (see above)."""

    def __init__(self, session) -> None:
        self.session = session
        self.rows: dict[int, object] = {}
        self.generation = reference_cache.generation()
        self.expire_on_commit, session.expire_on_commit = session.expire_on_commit, False
        sa_event.listen(session, "loaded_as_persistent", self._loaded)

    def _loaded(self, _session, instance) -> None:
        if isinstance(instance, reference_cache.REFERENCE_MODELS):
            self.rows[id(instance)] = instance

    def carry_over(self) -> None:
        """Forget the event's rows; re-attach the reference rows unless reference data
        changed meanwhile (then they are read again)."""
        generation = reference_cache.generation()
        if generation != self.generation:
            self.rows.clear()
            self.generation = generation
        self.session.expunge_all()
        for row in self.rows.values():
            if not sa_inspect(row).expired_attributes:
                self.session.add(row)

    def close(self) -> None:
        sa_event.remove(self.session, "loaded_as_persistent", self._loaded)
        self.session.expire_on_commit = self.expire_on_commit
        self.session.expunge_all()


def claim(slot: int, after: tuple[dt.datetime, int] | None, batch: int) -> list[tuple]:
    """The next ``batch`` (id, received_at) of the slot's pending, never-attempted events
    after the keyset position ``after``. No lock here: each event is locked as it is
    processed (``FOR UPDATE SKIP LOCKED``), so holding a batch's locks — and with them the
    assignees' rows — never serialises two drainers."""
    query = (
        db.select(InboundEvent.id, InboundEvent.received_at)
        .where(
            InboundEvent.processed_at.is_(None),
            InboundEvent.quarantined_at.is_(None),
            InboundEvent.attempts == 0,
            InboundEvent.id % parallelism() == slot,
        )
        .order_by(InboundEvent.received_at, InboundEvent.id)
        .limit(batch)
    )
    if after is not None:
        query = query.where(
            db.tuple_(InboundEvent.received_at, InboundEvent.id) > db.tuple_(*after)
        )
    rows = db.session.execute(query).all()
    db.session.rollback()  # end the read: each event gets its own transaction
    return rows


def _process_one(process_event, event_id: int) -> None:
    try:
        process_event(event_id, skip_locked=True)
    except Exception as exc:  # counted on the event by process_event; the sweep retries it
        db.session.rollback()
        log.warning("ingest failed event_id=%s error=%s", event_id, type(exc).__name__)


def _clear_wake(slot: int) -> None:
    try:
        get_redis(current_app).delete(wake_key(slot))
    except RedisError as exc:  # the sweep covers what a stale key hides
        log.warning("ingest wake key not cleared slot=%s error=%s", slot, type(exc).__name__)
