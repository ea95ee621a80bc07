"""A per-process cache of reference data that every new ticket reads and admins rarely change:
an agency's routing rules, who is on duty in a unit on a day, which agency owns a channel
account, an agency's default SLA profile.

Without it, routing, assignment and deadlines cost six queries per ticket (and the autoflushes
before them). What keeps it honest:

- A flush that writes an agency, a unit, a category, an SLA profile, a channel account, a
  routing rule, a roster pattern or exception, or an officer's ``active`` flag clears this
  process's cache at once; after that transaction commits, a Redis counter is bumped which
  every process compares at most every ``CHECK_SECONDS`` — so an admin's edit reaches every
  worker within about two seconds.
- A session holding unflushed changes of those kinds bypasses the cache (it must see them).
- Entries expire after ``TTL_SECONDS`` anyway: a change made outside the ORM, or while Redis
  was unreachable, is seen within a minute.
"""

from __future__ import annotations

import contextlib
import itertools
import threading
import time
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

from flask import current_app, has_app_context
from redis.exceptions import RedisError
from sqlalchemy import event, inspect
from sqlalchemy.orm import Session

from aduan.extensions import db
from aduan.models import Agency, Category, ChannelAccount, Officer, SlaProfile, Unit
from aduan.models.routing import RosterException, RosterPattern, RoutingRule
from aduan.redis_conn import get_redis
from aduan.services import pending_rows

VERSION_KEY = "aduan:reference-version"
CHECK_SECONDS = 2.0
TTL_SECONDS = 60.0
_CHANGED = "aduan_reference_changed"
_WATCHED = (
    Agency,
    Unit,
    Category,
    SlaProfile,
    ChannelAccount,
    RoutingRule,
    RosterPattern,
    RosterException,
)
# The ORM classes whose rows are reference data (``aduan.services.intake.drain`` keeps them
# across the events of one drain).
REFERENCE_MODELS = (Agency, Unit, Category, SlaProfile)
_TRACKED = (*_WATCHED, Officer)
pending_rows.track(*_TRACKED)
_UNSEEN = object()

T = TypeVar("T")
_entries: dict[Hashable, tuple[float, Any]] = {}
_seen: dict[str, Any] = {"version": _UNSEEN, "checked_at": float("-inf"), "generation": 0}
_lock = threading.Lock()


def cached(key: Hashable, load: Callable[[], T]) -> T:
    """``load()``, remembered under ``key`` for this process (see the module docstring)."""
    _drop_if_changed_elsewhere()
    session = db.session()
    if _touches_reference(pending_rows.pending(session, _TRACKED), session.dirty, ()):
        return load()
    full_key = (id(current_app._get_current_object()), key)
    now = time.monotonic()
    hit = _entries.get(full_key)
    if hit is not None and hit[0] > now:
        return hit[1]
    value = load()
    with _lock:
        _entries[full_key] = (now + TTL_SECONDS, value)
    return value


def clear() -> None:
    """Forget every entry of this process."""
    with _lock:
        _entries.clear()
        _seen["generation"] += 1


def generation() -> int:
    """Changes whenever the cache is cleared: whoever keeps reference objects compares it."""
    _drop_if_changed_elsewhere()
    return _seen["generation"]


def changed() -> None:
    """Reference data changed outside the ORM: forget it here and tell the other processes."""
    clear()
    _bump()


def _bump() -> None:
    if not current_app.config.get("REDIS_URL"):
        return  # no Redis started yet: never start the embedded one just for this
    with contextlib.suppress(RedisError):  # the others catch up within TTL_SECONDS
        get_redis(current_app).incr(VERSION_KEY)


def _drop_if_changed_elsewhere() -> None:
    now = time.monotonic()
    if now - _seen["checked_at"] < CHECK_SECONDS or not current_app.config.get("REDIS_URL"):
        return
    _seen["checked_at"] = now
    try:
        version = get_redis(current_app).get(VERSION_KEY)
    except RedisError:
        return  # keep what we have; entries still expire
    if version != _seen["version"]:
        _seen["version"] = version
        clear()


def _touches_reference(new, dirty, deleted) -> bool:
    """Officers count when added, removed or (de)activated: their other columns change with
    every assignment."""
    for obj in itertools.chain(new, deleted):
        if isinstance(obj, (*_WATCHED, Officer)):
            return True
    for obj in dirty:
        if isinstance(obj, _WATCHED):
            return True
        if isinstance(obj, Officer) and inspect(obj).attrs.active.history.has_changes():
            return True
    return False


@event.listens_for(Session, "after_flush")
def _after_flush(session, _context) -> None:
    # Still the pre-flush view here: new/dirty/deleted and attribute histories.
    if _touches_reference(session.new, session.dirty, session.deleted):
        clear()
        session.info[_CHANGED] = True


@event.listens_for(Session, "after_commit")
def _after_commit(session) -> None:
    if session.in_nested_transaction():
        return  # a savepoint released: the transaction's own commit comes later
    if session.info.pop(_CHANGED, False) and has_app_context():
        clear()  # another thread may have refilled an entry before the commit
        _bump()


@event.listens_for(Session, "after_soft_rollback")
def _after_rollback(session, previous) -> None:
    # Only the outermost rollback: a failed savepoint leaves the transaction's earlier
    # reference changes to be committed (and announced) with it.
    if previous.parent is None and session.info.pop(_CHANGED, None):
        clear()  # entries loaded from the rolled-back view are gone too
