"""Draining stored InboundEvents in batches: the webhook's wake-up and the drain job.

An RQ job per event cost every webhook about 1.4 ms of Redis round trips (job hash, unique
check, queue push) and every worker as much again. Instead, after its commit a webhook calls
``wake(slot)`` for the slot of each new event (its sender's ``order_slot``, else its id,
modulo ``INGEST_PARALLELISM``: one sender's events share a slot and keep their order): one
``SET <wake key> 1 NX EX 5``, and only when that set the key, one ``drain_ingest(slot)``
job. Under load most webhooks find the key set and do nothing more. Slots let
INGEST_PARALLELISM workers drain side by side without claiming the same events.

The wake key of a slot means "a drain of this slot will claim after now". It is set by a
webhook's successful SET NX (which then enqueues a drain job) and held — re-set with every
event, a short lease — by a running drain: a drain killed mid-way stops holding it within
``WAKE_TTL_SECONDS``, and the next webhook wakes a successor. Two drains of one slot at once
(a lease that lapsed during a slow event) are harmless: each event is locked ``FOR UPDATE SKIP
LOCKED`` as it is processed, and a sender's later event waits for their earlier one
(``pipeline.process_event`` defers it). A drain goes on claiming while events keep coming
(waiting up to ``IDLE_SECONDS`` for more, polling every ``POLL_SECONDS``), so under load one
job per slot serves thousands of events instead of one short job per burst. No committed
event is left unprocessed:

- A webhook commits, then does its SET NX. The key absent: the SET succeeds and the new job
  claims after the commit. The key present: whoever set it — a queued job, or a running drain
  that has not yet let go of it — claims after the commit.
- A drain lets go only by deleting the key and *then* claiming once more from the oldest
  pending event: an event that found the key present committed before that delete, so this
  last claim sees it (and the drain carries on). An event committed after the delete finds the
  key absent and enqueues a new job.
- Whenever a drain reaches the end of its slot's pending events it scans again from the
  oldest, so an event committed behind its keyset cursor (an older ``received_at`` committed
  late) is not passed over.
- A drain stops after ``DRAIN_SECONDS`` by deleting the key and waking a successor, which
  waits at the back of the queue (other jobs get their turn on a busy worker).
- What escapes (Redis down during the webhook, an enqueue that failed after its SET, a worker
  killed mid-drain) is older than a minute at the next periodic
  ``workers.intake_jobs.requeue_stale_events``, which wakes the drainers without the NX.

Reference rows (agency, units, categories, SLA profiles) that one event loaded are kept,
loaded, for the next events of the same drain instead of being expired by each commit and
read again; everything else is forgotten after every event. They are dropped whenever
``reference_cache`` sees reference data change, and a drain lasts at most ``DRAIN_SECONDS``.

Failures: a drain claims only events never attempted (``attempts = 0``). ``process_event``
counts a failed attempt, so a failing event leaves the drain's view at once: it blocks no
batch and is not retried in a loop — except a failure because PostgreSQL or Redis could not
be reached, which the drain retries in place a few times first (``UNREACHABLE_PAUSES``).
The periodic sweep retries it with a growing delay and
quarantines it after ``MAX_ATTEMPTS``. A worker that dies *inside* an event (killed, out of
memory, past the job timeout) rolls its attempt back with everything else; so each drain
notes the event it is on in a Redis hash per slot, and the next drain to start counts an
attempt on every noted event that is still pending and not locked by a live drain: the
event leaves the drain's view for the sweep's backoff and quarantine instead of killing every
drain of its slot in turn.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
import uuid

from flask import current_app
from redis.exceptions import RedisError
from rq import Retry
from sqlalchemy import event as sa_event
from sqlalchemy import func, update
from sqlalchemy import inspect as sa_inspect

from aduan.extensions import db
from aduan.models import InboundEvent
from aduan.redis_conn import get_redis
from aduan.services.intake import reference_cache
from aduan.services.intake.handover import enqueue_ingest

log = logging.getLogger(__name__)

# The wake key is a lease: a running drain renews it with every event, so a drain killed
# mid-way holds its slot for at most this long before a webhook wakes a successor.
WAKE_TTL_SECONDS = 5
BATCH = 100
# A drain stops after this long and wakes a successor: RQ's job timeout never interrupts an
# event half-way, and other queued jobs get their turn on a busy worker.
DRAIN_SECONDS = 20
DRAIN_JOB_TIMEOUT = 600
# A drain with nothing left waits this long for more before it lets go (a job per burst of
# traffic would cost an RQ job and a cold start every few events), looking every POLL_SECONDS.
IDLE_SECONDS = 2.0
POLL_SECONDS = 0.05
# While a backlog lasts the keyset cursor never reaches the end of the slot, so an event passed
# over — locked by another drain, or waiting for its sender's earlier message — would wait for
# the backlog to clear; every REWIND_SECONDS the drain starts again from the oldest pending.
REWIND_SECONDS = 2.0
# An event that failed because PostgreSQL or Redis could not be reached is not at fault: the
# drain tries it again after each pause (about 15 s in all, the length of a restart) without
# counting an attempt, so it is processed seconds after the outage instead of through the
# minute sweep's backoff (1, 4, 9 min). Bounded: after the last pause the failure is counted
# as any other (a bad event that raises such an error still backs off and reaches quarantine).
UNREACHABLE_PAUSES = (0.5, 1.0, 2.0, 4.0, 8.0)


def parallelism() -> int:
    """How many slots (and so drain jobs at once) the pending events are split into."""
    return max(1, int(current_app.config.get("INGEST_PARALLELISM") or 2))


def slot_for(sender_key: str | None, event_id: int) -> int:
    """An event's slot: its sender's (``order_slot``), so one sender's events are drained in
    order by one drain; an event with no sender (a status, the web form) by its id."""
    return (int(sender_key[:8], 16) if sender_key else event_id) % parallelism()


def slot_of(event_id: int) -> int:
    """The slot of a stored event (see ``slot_for``)."""
    order_slot = db.session.scalar(
        db.select(InboundEvent.order_slot).where(InboundEvent.id == event_id)
    )
    return (event_id if order_slot is None else order_slot) % parallelism()


def wake_key(slot: int) -> str:
    prefix = current_app.config.get("QUEUE_PREFIX") or ""
    return f"aduan:{prefix}ingest:wake:{slot}"


def current_key(slot: int) -> str:
    """A hash per slot: drain token -> the event id that drain is processing."""
    prefix = current_app.config.get("QUEUE_PREFIX") or ""
    return f"aduan:{prefix}ingest:current:{slot}"


def wake_for(event_ids: list[int]) -> bool:
    """Wake the drainers of the slots of ``event_ids`` (committed); False when Redis is down."""
    return wake_slots({slot_of(i) for i in event_ids})


def wake_slots(slots: set[int]) -> bool:
    """Wake the drainers of ``slots``; False when Redis is down."""
    return all([wake(slot) for slot in sorted(slots)])


def wake(slot: int, *, force: bool = False) -> bool:
    """Make sure a drain job for ``slot`` will run after now; False when Redis is down.

    ``force`` enqueues even when the wake key is set (the periodic sweep: a key whose enqueue
    failed would otherwise stand for a minute)."""
    from aduan.queues import DRAIN_INGEST_JOB, INGEST, enqueue

    try:
        fresh = get_redis(current_app).set(wake_key(slot), 1, nx=True, ex=WAKE_TTL_SECONDS)
        if fresh or force:
            enqueue(
                INGEST,
                DRAIN_INGEST_JOB,
                slot,
                retry=Retry(max=3, interval=[5, 30, 60]),
                job_timeout=DRAIN_JOB_TIMEOUT,
                result_ttl=0,
            )
        return True
    except RedisError as exc:
        log.warning("ingest drainer not woken slot=%s error=%s", slot, type(exc).__name__)
        return False


def drain(
    slot: int,
    *,
    batch: int = BATCH,
    seconds: float = DRAIN_SECONDS,
    idle: float = IDLE_SECONDS,
) -> int:
    """Process the pending, never-attempted events of ``slot``, oldest first, until none came
    for ``idle`` seconds (or ``seconds`` passed: then a successor is woken). Returns how many
    events it took (processed, quarantined or failed)."""
    stop_at = time.monotonic() + seconds
    taken = 0
    recover_interrupted(slot)
    token = uuid.uuid4().hex
    kept = _ReferenceRows(db.session())
    try:
        while True:
            _hold_wake(slot)
            taken += _drain_until_idle(slot, kept, batch, stop_at, idle, token)
            _clear_wake(slot)
            if time.monotonic() > stop_at:
                wake(slot)
                break
            if not claim(slot, None, 1):  # the last look, after letting go of the key
                break
    finally:
        kept.close()
    _redis_call(lambda r: r.hdel(current_key(slot), token))  # a clean finish: nothing to recover
    log.info("ingest drained slot=%s events=%d", slot, taken)
    return taken


def _drain_until_idle(slot: int, kept, batch: int, stop_at: float, idle: float, token: str) -> int:
    from aduan.services.intake.pipeline import process_event

    taken, after, idle_since = 0, None, None
    rewind_at = time.monotonic() + REWIND_SECONDS
    while time.monotonic() <= stop_at:
        if time.monotonic() >= rewind_at:  # look again at what was passed over (see REWIND)
            after, rewind_at = None, time.monotonic() + REWIND_SECONDS
        rows = claim(slot, after, batch)
        done = 0
        for event_id, _received_at in rows:
            if time.monotonic() > stop_at:
                break  # the time limit holds between events, not only between batches
            _redis_call(lambda r, e=event_id: _note_current(r, slot, token, e))
            done += _process_one(process_event, event_id) not in ("skipped", "deferred")
            kept.carry_over()
        taken += done
        if rows:
            after = (rows[-1][1], rows[-1][0])
        if done:
            idle_since = None
            _hold_wake(slot)  # keeps its expiry ahead
            continue
        if rows:
            continue  # all held by other workers: walk on
        # The end of the slot's pending events: the next claim rescans from the oldest.
        after = None
        idle_since = idle_since or time.monotonic()
        if time.monotonic() - idle_since >= idle:
            break
        time.sleep(POLL_SECONDS)
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
            func.coalesce(InboundEvent.order_slot, InboundEvent.id) % parallelism() == slot,
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


def _process_one(process_event, event_id: int) -> str:
    """One event; an event that failed because PostgreSQL or Redis was unreachable is tried
    again after each of ``UNREACHABLE_PAUSES`` before the failure is counted (see there)."""
    from aduan.services.intake.pipeline import unreachable

    for pause in (*UNREACHABLE_PAUSES, None):
        try:
            return process_event(event_id, skip_locked=True, count_unreachable=pause is None)
        except Exception as exc:  # counted on the event by process_event; the sweep retries it
            _rollback_quietly()
            if pause is not None and unreachable(exc):
                log.warning("ingest unreachable, retrying event_id=%s in=%.1fs", event_id, pause)
                time.sleep(pause)
                continue
            log.warning("ingest failed event_id=%s error=%s", event_id, type(exc).__name__)
            return "failed"
    return "failed"


def _rollback_quietly() -> None:
    try:
        db.session.rollback()
    except Exception as exc:  # a connection already lost: the pool replaces it
        log.info("ingest rollback failed error=%s", type(exc).__name__)


def retry_soon(event_id: int) -> None:
    """Hand ``event_id`` to a single-event job at the back of the ingest queue, not to the
    minute sweep: its sender's later messages wait for it. Not ``enqueue_in``: a scheduled job
    moves only when a worker's RQ scheduler holds its lock, which a SIGKILLed worker keeps
    until it expires, and a Redis restart forgets it (the chaos runs' interrupted events then
    waited minutes). Without Redis the minute sweep still retries it. (An event that raised
    backs off through the sweep: 1, 4, 9 min.)"""
    enqueue_ingest(event_id)


def _note_current(redis, slot: int, token: str, event_id: int) -> None:
    """Note the event this drain is on and renew its lease on the slot: one round trip."""
    pipe = redis.pipeline(transaction=False)
    pipe.hset(current_key(slot), token, event_id)
    pipe.set(wake_key(slot), 1, ex=WAKE_TTL_SECONDS)
    pipe.execute()


def _hold_wake(slot: int) -> None:
    try:
        get_redis(current_app).set(wake_key(slot), 1, ex=WAKE_TTL_SECONDS)
    except RedisError as exc:  # the sweep covers what Redis being down hides
        log.warning("ingest wake key not held slot=%s error=%s", slot, type(exc).__name__)


def _clear_wake(slot: int) -> None:
    try:
        get_redis(current_app).delete(wake_key(slot))
    except RedisError as exc:  # the sweep covers what a stale key hides
        log.warning("ingest wake key not cleared slot=%s error=%s", slot, type(exc).__name__)


def recover_interrupted(slot: int) -> int:
    """Count a failed attempt on each event a dead drain of ``slot`` was processing (see the
    module docstring); an event locked by a live drain, or already done, is left alone."""
    noted = _redis_call(lambda r: r.hgetall(current_key(slot))) or {}
    recovered = 0
    for token, raw_id in noted.items():
        event_id = int(raw_id)
        pending = (
            db.select(InboundEvent.id)
            .where(
                InboundEvent.id == event_id,
                InboundEvent.processed_at.is_(None),
                InboundEvent.quarantined_at.is_(None),
                InboundEvent.attempts == 0,
            )
            .with_for_update(skip_locked=True)
            .scalar_subquery()
        )
        result = db.session.execute(
            update(InboundEvent)
            .where(InboundEvent.id == pending)
            .values(attempts=1, error="the worker stopped while processing this event")
        )
        db.session.commit()
        if result.rowcount:
            recovered += 1
            log.warning("ingest event interrupted event_id=%s slot=%s", event_id, slot)
            retry_soon(event_id)
            _redis_call(lambda r, t=token: r.hdel(current_key(slot), t))
    return recovered


def _redis_call(call):
    """``call(redis)``, or None when Redis is unreachable (the drain goes on without it)."""
    try:
        return call(get_redis(current_app))
    except RedisError as exc:
        log.warning("ingest drain bookkeeping skipped error=%s", type(exc).__name__)
        return None
