"""Wrong status-page answers counted per reference, whatever address they come from.

The per-address limit (``PUBLIC_LOOKUP_LIMIT``) stops one address; guesses at one reference's
four characters spread over many addresses are stopped here. After ``STATUS_ANSWER_FAILURES``
(default 5) wrong answers on one reference within ``FAILURE_WINDOW``, that reference's answer
is locked for ``STATUS_ANSWER_LOCK_HOURS`` (default 24): only a one-time code sent to the
complainant's own channel opens it, and the complainant is told on that channel, once per
lock. Every reference typed is counted, existing or not, so a lock says nothing about whether
a reference exists. The counters live in Redis; when Redis is down nothing is counted (the
per-address limit still holds) rather than every citizen being locked out.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging

from flask import current_app
from flask_babel import lazy_gettext as _l
from redis.exceptions import RedisError

from aduan.extensions import db
from aduan.languages import every_language
from aduan.redis_conn import get_redis
from aduan.services.citizen import status as status_lookup
from aduan.services.outbox.delivery import enqueue_after_commit
from aduan.services.outbox.notices import queue_notice
from aduan.services.tickets import references

log = logging.getLogger(__name__)

FAILURE_WINDOW = dt.timedelta(hours=1)
DEFAULT_FAILURES = 5
DEFAULT_LOCK_HOURS = 24
NOTICE_PURPOSE = "answer_locked"
NOTICE = _l(
    "Someone gave several wrong answers to open complaint %(reference)s on our status page. "
    "For your safety it now opens only with a one-time code sent to you. If this was not you, "
    "you need do nothing; never share a code with anyone."
)


def is_locked(reference: str) -> bool:
    """Whether ``reference``'s answer is locked (a one-time code is needed)."""
    try:
        return bool(get_redis(current_app).exists(_key("lock", reference)))
    except RedisError as exc:
        log.warning("answer lock unavailable error=%s", type(exc).__name__)
        return False


def record_failure(reference: str) -> bool:
    """Count one wrong answer on ``reference``; True when this one locked it."""
    try:
        if _count(reference) < _max_failures():
            return False
        locked = get_redis(current_app).set(
            _key("lock", reference), 1, nx=True, ex=_lock_hours() * 3600
        )
    except RedisError as exc:
        log.warning("answer failure not counted error=%s", type(exc).__name__)
        return False
    if locked:
        _tell_complainant(reference)
    return bool(locked)


def _count(reference: str) -> int:
    pipe = get_redis(current_app).pipeline()
    key = _key("fail", reference)
    pipe.incr(key)
    pipe.expire(key, int(FAILURE_WINDOW.total_seconds()), nx=True)
    return int(pipe.execute()[0])


def _tell_complainant(reference: str) -> None:
    ticket = status_lookup.find(reference)
    if ticket is None:
        return
    row = queue_notice(ticket, NOTICE_PURPOSE, **every_language(NOTICE, reference=ticket.reference))
    if row is not None:
        db.session.flush()
        enqueue_after_commit(row.id)
    db.session.commit()
    log.info("status answer locked ticket_id=%s notified=%s", ticket.id, row is not None)


def _key(kind: str, reference: str) -> str:
    canonical = references.normalise_reference(reference or "") or (reference or "").strip()
    digest = hashlib.sha256(canonical.upper().encode()).hexdigest()[:32]
    return f"aduan:semak:{kind}:{digest}"


def _max_failures() -> int:
    return int(current_app.config.get("STATUS_ANSWER_FAILURES") or DEFAULT_FAILURES)


def _lock_hours() -> int:
    return int(current_app.config.get("STATUS_ANSWER_LOCK_HOURS") or DEFAULT_LOCK_HOURS)
