"""Handing one inbound event to its own ingest job (``ingest-<id>``).

For an event handed over on its own — an admin's retry, an interrupted event's retry, a
polled mail, a web form — rather than through a slot's batch drain. Kept apart from
``inbound`` (which stores events and wakes drains) and ``drain`` (which retries through
here), so neither imports the other back.
"""

from __future__ import annotations

import contextlib
import logging

from redis.exceptions import RedisError
from rq.exceptions import DuplicateJobError
from sqlalchemy import update

from aduan.extensions import db
from aduan.models import InboundEvent

log = logging.getLogger(__name__)


def enqueue_ingest(event_id: int, *, replace_finished: bool = False) -> bool:
    """Enqueue ``ingest_event(event_id)`` as job ``ingest-<id>``; False when Redis is down.

    For a single event handed over on its own (an admin's retry, a failed event's retry, a
    polled mail); webhooks wake the batch drainer instead. A job still waiting or running is
    left alone. ``replace_finished`` replaces a job of that id that will not run on its own
    (``hand_over``)."""
    if replace_finished:
        return hand_over(event_id) != "redis-down"
    from aduan.queues import INGEST, INGEST_EVENT_JOB, enqueue

    try:
        with contextlib.suppress(DuplicateJobError):
            enqueue(INGEST, INGEST_EVENT_JOB, event_id, job_id=f"ingest-{event_id}")
        return True
    except RedisError as exc:
        log.warning("ingest not enqueued event_id=%s error=%s", event_id, type(exc).__name__)
        return False


def hand_over(event_id: int) -> str:
    """Give a pending event to a single-event job whatever RQ's state of its last one: a job
    waiting or running is left alone (``"live"``); a finished, failed or stranded one — a
    retry scheduled with no scheduler to run it, a worker killed under it — is replaced
    (``aduan.queues.enqueue_once``). A stranded job's attempt is counted here, as its worker
    could not, so an event that kills its workers still reaches quarantine. Returns the
    outcome, or ``"redis-down"``. Commits."""
    from aduan.queues import INGEST, INGEST_EVENT_JOB, enqueue_once

    try:
        outcome = enqueue_once(INGEST, INGEST_EVENT_JOB, event_id, job_id=f"ingest-{event_id}")
    except RedisError as exc:
        log.warning("ingest not enqueued event_id=%s error=%s", event_id, type(exc).__name__)
        return "redis-down"
    if outcome == "rescued":
        db.session.execute(
            update(InboundEvent)
            .where(InboundEvent.id == event_id, InboundEvent.processed_at.is_(None))
            .values(attempts=InboundEvent.attempts + 1, error=STRANDED_ERROR)
        )
        db.session.commit()
        log.warning("ingest job stranded event_id=%s: handed over again", event_id)
    return outcome


STRANDED_ERROR = "the worker stopped while processing this event"
