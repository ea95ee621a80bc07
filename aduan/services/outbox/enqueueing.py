"""Handing OutboundMessage rows to the send job: the one after-commit mechanism.

A row queued in a transaction is enqueued once that transaction commits — a job started before
the commit would not find the row — and forgotten when it rolls back (the row is gone with it).
When Redis refuses, the committed row stays ``queued`` and ``delivery.resend_due`` (periodic)
enqueues it later, so nothing is lost either way.
"""

from __future__ import annotations

import logging

from sqlalchemy import event, inspect
from sqlalchemy.orm import Session

from aduan.extensions import db
from aduan.models import OutboundMessage
from aduan.queues import (
    FIRST,
    FIRST_PURPOSES,
    OUTBOUND,
    SEND_OUTBOUND_JOB,
    enqueue_new,
    enqueue_once,
)

log = logging.getLogger(__name__)

_AFTER_COMMIT = "outbound_after_commit"


def job_id(outbound_id: int) -> str:
    """The send job's id for one row: one live job per row."""
    return f"send-{outbound_id}"


def queue_for(purpose: str | None) -> str:
    """The queue of a row's send job: FIRST for what a citizen waits on now (acknowledgement,
    reply), OUTBOUND for the rest, which waits out a backlog of complaints."""
    return FIRST if purpose in FIRST_PURPOSES else OUTBOUND


def enqueue_delivery(outbound_id: int, purpose: str | None = None) -> bool:
    """Enqueue the send job now (idempotent by job id) on the queue of its ``purpose``. False
    when Redis refused: the row stays queued and ``resend_due`` picks it up. Senders call
    ``enqueue_after_commit``."""
    try:
        # A live job for this row is left alone; a finished or stranded one (a retry scheduled
        # with no scheduler to run it, a worker killed under it) is replaced.
        enqueue_once(queue_for(purpose), SEND_OUTBOUND_JOB, outbound_id, job_id=job_id(outbound_id))
    except Exception as exc:  # Redis down: the committed row waits for the periodic resend
        log.warning("outbound enqueue failed outbound_id=%s error=%s", outbound_id, exc)
        return False
    return True


def enqueue_after_commit(row: OutboundMessage | int, purpose: str | None = None) -> None:
    """Enqueue the send job of ``row`` once the current transaction commits; a rollback
    forgets it. ``row``: a row queued in this transaction, maybe not inserted yet
    (``group_writes``: its id is read after the commit), whose job is new — the commit's new
    jobs are enqueued together, in one round trip per queue; or the id of an older row, whose
    live job is left alone (``enqueue_delivery``)."""
    pending = db.session.info.setdefault(_AFTER_COMMIT, {})
    pending.setdefault(row, purpose)


@event.listens_for(Session, "after_commit")
def _enqueue_committed(session: Session) -> None:
    if session.in_nested_transaction():
        return  # a savepoint released: the transaction's own commit comes later
    fresh: dict[str, list[int]] = {}
    for row, purpose in session.info.pop(_AFTER_COMMIT, {}).items():
        if isinstance(row, int):
            enqueue_delivery(row, purpose)
        elif (outbound_id := _committed_id(row)) is not None:
            fresh.setdefault(queue_for(purpose), []).append(outbound_id)
    for queue, ids in fresh.items():
        _enqueue_new(queue, ids)


def _enqueue_new(queue: str, outbound_ids: list[int]) -> None:
    try:
        enqueue_new(queue, SEND_OUTBOUND_JOB, [((i,), job_id(i)) for i in outbound_ids])
    except Exception as exc:  # Redis down: the committed rows wait for the periodic resend
        log.warning("outbound enqueue failed rows=%d error=%s", len(outbound_ids), exc)


def _committed_id(row: OutboundMessage) -> int | None:
    """The id of a committed row, read without loading it again (it may be expired); None
    for a row that never reached the database (expunged with a failed event's work)."""
    key = inspect(row).identity
    return key[0] if key else None


@event.listens_for(Session, "after_soft_rollback")
def _forget_rolled_back(session: Session, previous_transaction) -> None:
    if previous_transaction.parent is None:  # the whole transaction, not a savepoint
        session.info.pop(_AFTER_COMMIT, None)
