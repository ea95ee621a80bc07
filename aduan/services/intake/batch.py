"""Processing a group of a drain's claimed events in one transaction (issue #19).

Each event processed alone costs a transaction of its own: a lock and an order check of its
own, a commit (with the officers' kept counts, event-webhook subscriptions and the outbox's
after-commit hand-over run once per commit), a Redis note of the event being worked on. A
group of ``GROUP`` events shares all of that:

- one ``SELECT … FOR UPDATE SKIP LOCKED`` locks the group's events still pending (one another
  drain holds is "skipped", as alone);
- one query finds the events whose sender has an earlier event pending outside the group
  ("deferred", as alone); inside the group a sender's events go in id order, and one whose
  earlier event did not finish (deferred or failed) is deferred too — one sender, in order;
- each event runs in a savepoint: a bad event fails alone — its savepoint rolls back, its
  attempt and error are written in the group's transaction, the others go on. A unique-index
  race retries the event's savepoint (``pipeline.RACE_TRIES``), a ``ParseError`` quarantines
  it. What the event noted for its transaction's end (``session.info``: the outbox's jobs,
  officers' count deltas, event-webhook rows, bot answers) is put back as it was before the
  event, so a rolled-back event leaves nothing to enqueue or count;
- one commit, which marks the group's processed events in one ``UPDATE`` (not one per
  event's savepoint). After it, every acknowledgement of the group is enqueued.

That is the careful way. A group is first tried *together* (``group_writes``): no savepoints,
the lookups of all its messages read ahead in one query each (``lookahead``), and the rows of
all its complaints written by one flush at the commit, one multi-row ``INSERT`` per table.
Any failure in that try — an event that raises, a unique index refusing a row at the flush —
rolls the whole try back, and the group is done again the careful way, where the event at
fault fails alone. A bad event therefore costs its group one wasted try, never an event.

A failure that is not the event's (PostgreSQL or Redis unreachable, a deadlock, a failed
commit) abandons the group: it is rolled back and the drain processes the same events one at
a time (``pipeline.process_event``), which retries the unreachable in place and counts
everything else on the one event at fault. So a group never loses or doubles an event, and the
worst a group costs is doing its events again alone. SQLite (``make run``) has no ``SKIP
LOCKED`` and pysqlite's savepoints are unreliable: the drain processes one event at a time
there (``enabled``).
"""

from __future__ import annotations

import contextlib
import copy
import logging

from sqlalchemy.exc import IntegrityError

from aduan.extensions import db
from aduan.models import InboundEvent
from aduan.models.base import utcnow
from aduan.services import group_writes
from aduan.services.intake import lookahead, pipeline
from channels.base import ParseError

log = logging.getLogger(__name__)

# Events per transaction. Larger groups share more but hold their rows' locks (the tickets
# they thread onto, the complainants' advisory locks) longer, and a worker killed inside a
# group sends the whole group through one-at-a-time processing (``drain.recover_interrupted``).
GROUP = 20


class Abandoned(Exception):
    """The group's transaction cannot go on (a failure that is not one event's)."""


def enabled() -> bool:
    return db.session.get_bind().dialect.name == "postgresql"


def process_group(event_ids: list[int]) -> dict[int, str] | None:
    """Process ``event_ids`` in one transaction, together if it can, else carefully (see
    above); the outcome of each ("processed", "skipped", "deferred", "quarantined" or
    "failed"), or None when the group was abandoned and rolled back (the caller then
    processes them one at a time)."""
    noted = _noted()
    try:
        outcomes = _committed(event_ids, together=True)
    except Exception as exc:  # done again carefully, unless PostgreSQL or Redis is gone
        _undo(noted)
        log.info("ingest group not written together events=%d error=%s", len(event_ids),
                 _name(exc))  # fmt: skip
        if pipeline.unreachable(exc):
            return None
        try:
            outcomes = _committed(event_ids, together=False)
        except Exception as exc:  # the whole group goes back; its events are done one by one
            _undo(noted)
            log.warning("ingest group abandoned events=%d error=%s", len(event_ids), _name(exc))
            return None
    for event_id, outcome in outcomes.items():
        if outcome == "quarantined":
            log.warning("inbound event quarantined event_id=%s", event_id)
        elif outcome == "failed":
            log.warning("ingest failed event_id=%s", event_id)
    return outcomes


def _committed(event_ids: list[int], *, together: bool) -> dict[int, str]:
    with group_writes.gather() if together else contextlib.nullcontext():
        outcomes = _process_locked(event_ids, together=together)
    db.session.commit()  # together: the group's rows go in with this commit's flush
    return outcomes


def _undo(noted: dict) -> None:
    rollback_quietly()
    _restore(noted)  # a rollback on a lost connection may not have told the listeners


def _process_locked(event_ids: list[int], *, together: bool) -> dict[int, str]:
    events = _lock(event_ids)
    waiting = _waiting_for_earlier(list(events))
    outcomes = dict.fromkeys(event_ids, "skipped")
    held: set[str] = set()  # senders whose earlier event in this group did not finish
    if together:
        lookahead.read_ahead([e for i, e in sorted(events.items()) if i not in waiting])
    for event_id in sorted(events):
        event = events[event_id]
        sender = event.sender_key
        if sender is not None and (event_id in waiting or sender in held):
            outcomes[event_id] = "deferred"
            held.add(sender)
            continue
        if together:  # any failure fails the try (see above)
            pipeline.apply_event(event, mark=False)
            outcomes[event_id] = "processed"
            continue
        outcomes[event_id] = _one(event)
        if outcomes[event_id] == "failed" and sender is not None:
            held.add(sender)
    for event_id, outcome in outcomes.items():  # one UPDATE for the group, at its flush
        if outcome == "processed":
            pipeline.mark_processed(events[event_id])
    return outcomes


def _lock(event_ids: list[int]) -> dict[int, InboundEvent]:
    rows = db.session.scalars(
        db.select(InboundEvent)
        .where(
            InboundEvent.id.in_(event_ids),
            InboundEvent.processed_at.is_(None),
            InboundEvent.quarantined_at.is_(None),
        )
        .order_by(InboundEvent.id)
        .with_for_update(skip_locked=True)
    )
    return {event.id: event for event in rows}


def _waiting_for_earlier(locked: list[int]) -> set[int]:
    """The locked events whose sender has an earlier event pending outside this group (as
    ``pipeline._earlier_from_same_sender``, for the whole group in one query)."""
    if not locked:
        return set()
    earlier = db.aliased(InboundEvent)
    outside = pipeline.earlier_pending(earlier, InboundEvent.sender_key, InboundEvent.id).where(
        earlier.id.not_in(locked)
    )
    query = db.select(InboundEvent.id).where(
        InboundEvent.id.in_(locked), InboundEvent.sender_key.is_not(None), outside.exists()
    )
    return set(db.session.scalars(query))


def _one(event: InboundEvent) -> str:
    """One event in a savepoint of the group's transaction (see the module docstring)."""
    for attempt in range(1, pipeline.RACE_TRIES + 1):
        noted = _noted()
        try:
            with db.session.begin_nested():
                pipeline.apply_event(event, mark=False)  # marked with the group's others
            return "processed"
        except IntegrityError as exc:
            _restore(noted)
            if attempt < pipeline.RACE_TRIES:
                log.info("ingest lost a race, retrying event_id=%s", event.id)
                continue
            return _failed(event, f"IntegrityError: {exc.orig}"[:1000])
        except ParseError as exc:
            _restore(noted)
            return _failed(event, str(exc), quarantine=True)
        except Exception as exc:
            _restore(noted)
            if pipeline.unreachable(exc):
                raise Abandoned from exc
            return _failed(event, f"{type(exc).__name__}: {exc}"[:1000])
    return "failed"  # not reached: the last try returns


def _failed(event: InboundEvent, reason: str, *, quarantine: bool = False) -> str:
    """Count the attempt on the event, in the group's transaction (its own work rolled back)."""
    event.attempts = (event.attempts or 0) + 1
    event.error = reason
    if quarantine:
        event.quarantined_at = utcnow()
        return "quarantined"
    return "failed"


def _noted() -> dict:
    """What the transaction has noted for its end so far, copied (see the module docstring)."""
    return {key: copy.copy(value) for key, value in db.session.info.items()}


def _restore(noted: dict) -> None:
    db.session.info.clear()
    db.session.info.update(noted)


def rollback_quietly() -> None:
    """Roll the session back; a failure to (the connection is gone) is logged, not raised."""
    try:
        db.session.rollback()
    except Exception as exc:  # a connection already lost: the pool replaces it
        log.info("ingest rollback failed error=%s", _name(exc))


def _name(exc: BaseException) -> str:
    cause = exc.__cause__ if isinstance(exc, Abandoned) and exc.__cause__ else exc
    return type(cause).__name__
