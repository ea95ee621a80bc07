"""Intake jobs: ingest one stored event, re-enqueue forgotten ones, poll mailboxes.

Each is safe to run twice: ingest is idempotent in the intake service, re-enqueueing uses the
``ingest-<id>`` job id, and polled mail is deduplicated on its Message-ID.
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


def ingest_event(event_id: int):
    """Process one stored InboundEvent (parse → complainant → thread → ticket → acknowledge)."""
    from aduan.services.intake import process_event  # written alongside; imported when run

    return process_event(event_id)


def requeue_stale_events(batch: int = BATCH) -> int:
    """Enqueue every event stored over a minute ago and neither processed nor quarantined.

    Walks the partial index ``ix_inbound_events_pending`` in (received_at, id) order, one
    batch at a time, so its cost grows with the pending events only."""
    from aduan.services.inbound import enqueue_ingest

    cutoff = utcnow() - STALE_AFTER
    quarantine_exhausted()
    after: tuple[dt.datetime, int] | None = None
    count = 0
    while True:
        rows = db.session.execute(_pending_query(cutoff, after, batch)).all()
        db.session.rollback()  # release the snapshot between batches
        for event_id, _received_at in rows:
            if not enqueue_ingest(event_id, replace_finished=True):
                log.warning("requeue stopped: redis unavailable requeued=%d", count)
                return count
            count += 1
        if len(rows) < batch:
            break
        after = (rows[-1][1], rows[-1][0])
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
        db.select(InboundEvent.id, InboundEvent.received_at)
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
    from aduan.services.mail_intake import poll_all

    return poll_all()
