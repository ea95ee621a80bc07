"""The scheduler's watch over the drains: a slot with waiting events and nobody on it.

A slot is drained only when something wakes it: a webhook whose ``SET NX`` of the wake key
succeeded, a drain handing over to its successor, or the minute sweep
(``requeue_stale_events``). After a fault none of them may come soon: a drain killed with
its slot's backlog in hand holds the key for ``WAKE_TTL_SECONDS`` and then nobody holds it; a
Redis restart forgets every queued drain job and key; and when the traffic pauses no webhook
arrives to notice. The chaos runs saw a slot stand still for 80 s with an idle worker beside
it, until the minute sweep.

So every scheduler tick (5 s) looks at each slot: when the wake key is absent (no live drain
renewing it, no drain job just enqueued by a webhook) and the slot has a never-attempted
event stored ``WATCH_AFTER`` ago or more, it wakes the slot. Cost per tick: one Redis GET and
at most one indexed ``LIMIT 1`` query per slot (the partial index on pending events, oldest
first). A drain woken needlessly (its predecessor let go a moment ago) finds nothing and ends:
two drains of a slot are harmless (see ``drain``)."""

from __future__ import annotations

import datetime as dt
import logging

from flask import current_app
from sqlalchemy import func

from aduan.extensions import db
from aduan.models import InboundEvent
from aduan.models.base import utcnow
from aduan.redis_conn import get_redis
from aduan.services.intake.drain import parallelism, wake, wake_key

log = logging.getLogger(__name__)

# Older than the webhook's own wake-up could explain (it wakes within milliseconds) and than
# a killed drain's lease (WAKE_TTL_SECONDS), short against the minute sweep.
WATCH_AFTER = dt.timedelta(seconds=10)


def wake_forgotten_slots(now: dt.datetime | None = None) -> list[int]:
    """Wake every slot that has events waiting ``WATCH_AFTER`` and no drain on it; returns
    the slots woken. Redis errors propagate (the scheduler's tick backs off on them)."""
    redis = get_redis(current_app)
    cutoff = (now or utcnow()) - WATCH_AFTER
    woken = []
    try:
        for slot in range(parallelism()):
            if redis.exists(wake_key(slot)):
                continue
            if _waiting_since_before(slot, cutoff) and wake(slot):
                woken.append(slot)
                log.warning("ingest slot had no drain: woken slot=%s", slot)
    finally:
        db.session.rollback()  # end the read
    return woken


def _waiting_since_before(slot: int, cutoff: dt.datetime) -> bool:
    return (
        db.session.scalar(
            db.select(InboundEvent.id)
            .where(
                InboundEvent.processed_at.is_(None),
                InboundEvent.quarantined_at.is_(None),
                InboundEvent.attempts == 0,
                InboundEvent.received_at < cutoff,
                func.coalesce(InboundEvent.order_slot, InboundEvent.id) % parallelism() == slot,
            )
            .order_by(InboundEvent.received_at)
            .limit(1)
        )
        is not None
    )
