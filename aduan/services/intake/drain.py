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

Groups: the claimed events are processed ``intake.batch.GROUP`` at a time in one
transaction, each in a savepoint (``intake.batch``; one at a time on SQLite). Reference rows
(agency, units, categories, SLA profiles) that one group loaded are kept, loaded, for the next
groups of the same drain instead of being expired by each commit and read again; everything
else is forgotten after every group. They are dropped whenever ``reference_cache`` sees
reference data change (a change takes effect from the next group), and a drain lasts at most
``DRAIN_SECONDS``.

Failures: a drain claims only events never attempted (``attempts = 0``). A failing event is
counted (in its group's transaction, its own work rolled back), so it leaves the drain's view
at once: it blocks no batch and is not retried in a loop — except a failure because
PostgreSQL or Redis could not be reached, which abandons the group and is retried in place,
one event at a time, a few times first (``drain_steps.UNREACHABLE_PAUSES``). The periodic
sweep retries it with a growing delay and quarantines it after ``MAX_ATTEMPTS``. A worker that
dies *inside* a group or an event (killed, out of memory, past the job timeout) rolls it back
with everything else; so each drain notes the group or event it is on in a Redis hash per slot
(``drain_steps``), and the next drain to start counts an attempt on every noted lone event
that is still pending and not locked by a live drain — the event leaves the drain's view for
the sweep's backoff and quarantine instead of killing every drain of its slot in turn — and
does a noted group's events again one at a time, each noted alone, so that only an event that
kills again is counted.
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
from sqlalchemy import func
from sqlalchemy import inspect as sa_inspect

from aduan.extensions import db
from aduan.models import InboundEvent
from aduan.redis_conn import get_redis
from aduan.services.intake import reference_cache
from aduan.services.intake.drain_steps import (
    WAKE_TTL_SECONDS,
    current_key,
    group_size,
    recover_interrupted,
    redis_call,
    take,
    wake_key,
)

log = logging.getLogger(__name__)

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
    token = uuid.uuid4().hex
    recover_interrupted(slot, token)
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
    redis_call(lambda r: r.hdel(current_key(slot), token))  # a clean finish: nothing to recover
    log.info("ingest drained slot=%s events=%d", slot, taken)
    return taken


def _drain_until_idle(slot: int, kept, batch: int, stop_at: float, idle: float, token: str) -> int:
    taken, after, idle_since = 0, None, None
    rewind_at = time.monotonic() + REWIND_SECONDS
    while time.monotonic() <= stop_at:
        if time.monotonic() >= rewind_at:  # look again at what was passed over (see REWIND)
            after, rewind_at = None, time.monotonic() + REWIND_SECONDS
        rows = claim(slot, after, batch)
        done, size = 0, group_size()
        for start in range(0, len(rows), size):
            if time.monotonic() > stop_at:
                break  # the time limit holds between groups, not only between batches
            ids = [event_id for event_id, _received_at in rows[start : start + size]]
            done += take(ids, slot, token)
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
