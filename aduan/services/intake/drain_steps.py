"""Taking a drain's events (``intake.drain``): in groups or one at a time, with the Redis
notes that let a slot survive its drain's death.

Each slot has a wake key (a drain's lease on the slot, see ``intake.drain``) and a hash of the
events each running drain is on (drain token -> event ids). A drain notes a group or an event
before it starts it and renews its lease in the same round trip; the next drain to start reads
what dead drains left (``recover_interrupted``).
"""

from __future__ import annotations

import logging
import time
import uuid

from flask import current_app
from redis.exceptions import RedisError
from sqlalchemy import update

from aduan.extensions import db
from aduan.models import InboundEvent
from aduan.redis_conn import get_redis
from aduan.services.intake import batch
from aduan.services.intake.handover import enqueue_ingest
from aduan.services.intake.pipeline import process_event, unreachable

log = logging.getLogger(__name__)

# The wake key is a lease: a running drain renews it with every group or event, so a drain killed
# mid-way holds its slot for at most this long before a webhook wakes a successor.
WAKE_TTL_SECONDS = 5

# An event that failed because PostgreSQL or Redis could not be reached is not at fault: the
# drain tries it again after each pause (about 15 s in all, the length of a restart) without
# counting an attempt, so it is processed seconds after the outage instead of through the
# minute sweep's backoff (1, 4, 9 min). Bounded: after the last pause the failure is counted
# as any other (a bad event that raises such an error still backs off and reaches quarantine).
UNREACHABLE_PAUSES = (0.5, 1.0, 2.0, 4.0, 8.0)


def wake_key(slot: int) -> str:
    prefix = current_app.config.get("QUEUE_PREFIX") or ""
    return f"aduan:{prefix}ingest:wake:{slot}"


def current_key(slot: int) -> str:
    """A hash per slot: drain token -> the ids (comma-separated) of the group or event that
    drain is processing."""
    prefix = current_app.config.get("QUEUE_PREFIX") or ""
    return f"aduan:{prefix}ingest:current:{slot}"


def group_size() -> int:
    """Events per transaction (``intake.batch``): one where groups are not used."""
    return batch.GROUP if batch.enabled() else 1


def take(ids: list[int], slot: int, token: str) -> int:
    """Process ``ids`` as one group (``intake.batch``), or one at a time when they are one
    or the group was abandoned; how many were taken (not skipped or deferred)."""
    redis_call(lambda r: note_current(r, slot, token, ids))
    outcomes = batch.process_group(ids) if len(ids) > 1 else None
    if outcomes is not None:
        return sum(outcome not in ("skipped", "deferred") for outcome in outcomes.values())
    taken = 0
    for event_id in ids:
        if len(ids) > 1:
            redis_call(lambda r, e=event_id: note_current(r, slot, token, [e]))
        taken += take_one(event_id) not in ("skipped", "deferred")
    return taken


def take_one(event_id: int) -> str:
    """One event; an event that failed because PostgreSQL or Redis was unreachable is tried
    again after each of ``UNREACHABLE_PAUSES`` before the failure is counted (see there)."""
    for pause in (*UNREACHABLE_PAUSES, None):
        try:
            return process_event(event_id, skip_locked=True, count_unreachable=pause is None)
        except Exception as exc:  # counted on the event by process_event; the sweep retries it
            batch.rollback_quietly()
            if pause is not None and unreachable(exc):
                log.warning("ingest unreachable, retrying event_id=%s in=%.1fs", event_id, pause)
                time.sleep(pause)
                continue
            log.warning("ingest failed event_id=%s error=%s", event_id, type(exc).__name__)
            return "failed"
    return "failed"


def retry_soon(event_id: int) -> None:
    """Hand ``event_id`` to a single-event job at the back of the ingest queue, not to the
    minute sweep: its sender's later messages wait for it. Not ``enqueue_in``: a scheduled job
    moves only when a worker's RQ scheduler holds its lock, which a SIGKILLed worker keeps
    until it expires, and a Redis restart forgets it (the chaos runs' interrupted events then
    waited minutes). Without Redis the minute sweep still retries it. (An event that raised
    backs off through the sweep: 1, 4, 9 min.)"""
    enqueue_ingest(event_id)


def note_current(redis, slot: int, token: str, event_ids: list[int]) -> None:
    """Note the events this drain is on and renew its lease on the slot: one round trip."""
    pipe = redis.pipeline(transaction=False)
    pipe.hset(current_key(slot), token, ",".join(map(str, event_ids)))
    pipe.set(wake_key(slot), 1, ex=WAKE_TTL_SECONDS)
    pipe.execute()


def recover_interrupted(slot: int, token: str | None = None) -> int:
    """Count a failed attempt on each event a dead drain of ``slot`` was processing (see the
    module docstring); an event locked by a live drain, or already done, is left alone.

    A dead drain noted a whole group (``intake.batch``): which of its events killed it is not
    known, so none is counted; their group rolled back with the worker, and they are processed
    here one at a time, each noted alone — if one of them kills this drain too, the next
    drain counts it, and only it. Returns the attempts counted."""
    noted = redis_call(lambda r: r.hgetall(current_key(slot))) or {}
    recovered = 0
    for dead, raw in noted.items():
        ids = [int(part) for part in _text(raw).split(",") if part]
        if len(ids) > 1:
            _redo_alone(slot, dead, ids, token or uuid.uuid4().hex)
        elif ids and _count_interrupted(ids[0], slot):
            recovered += 1
            redis_call(lambda r, t=dead: r.hdel(current_key(slot), t))
    return recovered


def _count_interrupted(event_id: int, slot: int) -> bool:
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
    if not result.rowcount:
        return False
    log.warning("ingest event interrupted event_id=%s slot=%s", event_id, slot)
    retry_soon(event_id)
    return True


def _redo_alone(slot: int, dead: str, ids: list[int], token: str) -> None:
    """The events of a dead drain's group, one at a time (see ``recover_interrupted``); its
    note is dropped once none of them is pending (else a live drain holds them)."""
    for event_id in ids:
        redis_call(lambda r, e=event_id: note_current(r, slot, token, [e]))
        take_one(event_id)
    still = db.session.scalar(
        db.select(db.func.count())
        .select_from(InboundEvent)
        .where(
            InboundEvent.id.in_(ids),
            InboundEvent.processed_at.is_(None),
            InboundEvent.quarantined_at.is_(None),
            InboundEvent.attempts == 0,
        )
    )
    db.session.rollback()
    redis_call(lambda r: r.hdel(current_key(slot), token, *([] if still else [dead])))
    log.warning("ingest group interrupted, redone alone events=%d slot=%s", len(ids), slot)


def _text(raw) -> str:
    return raw.decode() if isinstance(raw, bytes) else str(raw)


def redis_call(call):
    """``call(redis)``, or None when Redis is unreachable (the drain goes on without it)."""
    try:
        return call(get_redis(current_app))
    except RedisError as exc:
        log.warning("ingest drain bookkeeping skipped error=%s", type(exc).__name__)
        return None
