"""Intake jobs: drain stored events, ingest one event, sweep forgotten ones, poll mailboxes.

Each is safe to run twice: ingest is idempotent in the intake service, a drain claims each
event under ``FOR UPDATE SKIP LOCKED`` (see ``aduan.services.intake.drain``), a single-event
job uses the ``ingest-<id>`` job id, and polled mail is deduplicated on its Message-ID.
"""

from __future__ import annotations

import datetime as dt
import logging

from aduan.extensions import db
from aduan.models import InboundEvent
from aduan.models.base import utcnow

log = logging.getLogger(__name__)

STALE_AFTER = dt.timedelta(seconds=60)
BATCH = 500
MAX_ATTEMPTS = 10  # beyond this an event that keeps failing goes to quarantine for an admin


def drain_ingest(slot: int) -> int:
    """Process the pending events of one slot in batches (woken by the webhooks)."""
    from aduan.services.intake.drain import drain

    return drain(slot)


def ingest_event(event_id: int):
    """Process one stored InboundEvent (an admin's retry, a failed event's retry, mail).

    A failure is counted on the event and not raised: the sweep retries it with backoff."""
    from aduan.services.intake.pipeline import process_event  # written alongside; imported when run

    try:
        result = process_event(event_id)
    except Exception as exc:
        db.session.rollback()
        log.warning("ingest failed event_id=%s error=%s", event_id, type(exc).__name__)
        return "failed"
    if result == "processed":  # the sender's later messages may be waiting for this one
        from aduan.services.intake.drain import slot_of, wake

        wake(slot_of(event_id))
    return result


def wake_forgotten_slots() -> list[int]:
    """The scheduler's watch over the drains (run at every tick, not as a job)."""
    from aduan.services.intake.slot_watch import wake_forgotten_slots as watch

    return watch()


def retry_due(received_at: dt.datetime, attempts: int, now: dt.datetime) -> bool:
    """A pending event is handed over again once ``STALE_AFTER × attempts²`` after receipt
    (1, 4, 9 … minutes): never-attempted events after a minute, failing ones ever later."""
    return now - received_at >= STALE_AFTER * max(1, attempts) ** 2


def requeue_stale_events(batch: int = BATCH) -> int:
    """Hand over every event stored over a minute ago and neither processed nor quarantined:
    never-attempted ones by waking their slot's drainer (even if its wake key is set), failed
    ones whose retry is due (``retry_due``) as single-event jobs. Returns how many.

    Walks the partial index ``ix_inbound_events_pending`` in (received_at, id) order, one
    batch at a time, so its cost grows with the pending events only."""
    from aduan.services.intake.drain import parallelism, wake
    from aduan.services.intake.handover import hand_over

    now = utcnow()
    quarantine_exhausted()
    after: tuple[dt.datetime, int] | None = None
    count, slots = 0, set()
    while True:
        rows = db.session.execute(_pending_query(now - STALE_AFTER, after, batch)).all()
        db.session.rollback()  # release the snapshot between batches
        for event_id, received_at, attempts, order_slot in rows:
            if not attempts:
                slots.add((event_id if order_slot is None else order_slot) % parallelism())
            elif not retry_due(received_at, attempts, now):
                continue
            else:
                outcome = hand_over(event_id)
                if outcome == "redis-down":
                    log.warning("requeue stopped: redis unavailable requeued=%d", count)
                    return count
                count += outcome != "live"  # a job still waiting or running is not counted
                continue
            count += 1
        if len(rows) < batch:
            break
        after = (rows[-1][1], rows[-1][0])
    if not all([wake(slot, force=True) for slot in sorted(slots)]):
        log.warning("requeue: drainers not woken, redis unavailable")
    log.info("requeue stale events requeued=%d", count)
    return count


def quarantine_exhausted() -> int:
    """Quarantine pending events that failed ``MAX_ATTEMPTS`` times (kept, shown to admins)."""
    result = db.session.execute(
        db.update(InboundEvent)
        .where(
            InboundEvent.processed_at.is_(None),
            InboundEvent.quarantined_at.is_(None),
            InboundEvent.attempts >= MAX_ATTEMPTS,
        )
        .values(quarantined_at=utcnow())
    )
    db.session.commit()
    if result.rowcount:
        log.warning("inbound events quarantined after retries count=%d", result.rowcount)
    return result.rowcount


def _pending_query(cutoff: dt.datetime, after, batch: int):
    query = (
        db.select(
            InboundEvent.id,
            InboundEvent.received_at,
            InboundEvent.attempts,
            InboundEvent.order_slot,
        )
        .where(
            InboundEvent.processed_at.is_(None),
            InboundEvent.quarantined_at.is_(None),
            InboundEvent.received_at < cutoff,
        )
        .order_by(InboundEvent.received_at, InboundEvent.id)
        .limit(batch)
    )
    if after is not None:
        query = query.where(
            db.tuple_(InboundEvent.received_at, InboundEvent.id) > db.tuple_(*after)
        )
    return query


def poll_mailboxes() -> dict[str, int]:
    """Poll every active e-mail account (and the environment default); new mail per account."""
    from aduan.services.intake.mail_polling import poll_all

    return poll_all()
