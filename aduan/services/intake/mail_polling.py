"""Polling e-mail accounts: fetch new mail over IMAP, store it as InboundEvents, enqueue it.

The poll state (UIDVALIDITY, last UID) lives on the ChannelAccount row; the environment
default account without a row keeps its state in Redis (losing it means a rescan, which the
Message-ID dedupe absorbs: per mailbox, so one e-mail sent to two agencies is a ticket of
each). Its health — last successful poll, last failure scrubbed of secrets and personal
data — is kept in Redis as well (``environment_status``) and shown on the admins' channel
accounts page, as an account row's ``last_error`` would be.
"""

from __future__ import annotations

import json
import logging
import traceback
from pathlib import Path

from flask import current_app
from redis.exceptions import RedisError

from aduan.extensions import db
from aduan.models import ChannelAccount, InboundEvent
from aduan.models.base import utcnow
from aduan.redis_conn import get_redis
from aduan.services.channel_config import accounts as accounts
from aduan.services.intake.handover import enqueue_ingest
from aduan.services.intake.inbound import store_event
from channels.base import ChannelError, RawEvent
from channels.registry import get_adapter_class

log = logging.getLogger(__name__)
ENV_STATE_KEY = "aduan:poll-state:email:default"
ENV_STATUS_KEY = "aduan:poll-status:email:default"


def poll_all() -> dict[str, int]:
    """Poll each active e-mail account once; returns new events per account key."""
    results = {}
    rows = db.session.scalars(
        db.select(ChannelAccount).where(
            ChannelAccount.channel == "email", ChannelAccount.active.is_(True)
        )
    ).all()
    served = accounts.serving_account("email")  # "default": the default agency's row or none
    for row in rows:
        if row.account_key == accounts.DEFAULT_KEY and row is not served:
            continue  # another agency's "default" row: ignored, the environment's is polled
        results[row.account_key] = _poll_isolated(row, row.account_key)
    if served is None and current_app.config.get("IMAP_URL"):
        results["default"] = _poll_isolated(None, "default")
    return results


def _poll_isolated(row: ChannelAccount | None, key: str) -> int:
    """One mailbox's unexpected failure (a bug, a database error) must not stop the others:
    it is rolled back, recorded on the account and logged by type and place only."""
    try:
        return poll_account(row)
    except Exception as exc:
        db.session.rollback()
        # Type and place only: a database error's text carries the mail it was storing.
        where = traceback.extract_tb(exc.__traceback__)[-1]
        place = f"{Path(where.filename).name}:{where.lineno}"
        log.error("mail poll crashed account=%s error=%s at=%s", key, type(exc).__name__, place)
        _record_failure(row, f"unexpected {type(exc).__name__} at {place}")
        db.session.commit()
        return 0


def poll_account(row: ChannelAccount | None) -> int:
    """Poll one account (``None``: the environment default); returns how many events are new."""
    key = row.account_key if row else "default"
    try:
        settings = accounts.account_settings("email", key)
        adapter = get_adapter_class("email")(settings)
        events, state = adapter.poll(_load_state(row))
    except (ChannelError, OSError, ValueError, LookupError) as exc:
        _record_failure(row, exc)
        db.session.commit()
        log.warning("mail poll failed account=%s error=%s", key, type(exc).__name__)
        return 0
    fresh = [e for e in events if not _stored_before_scoping(e, key)]
    new_ids = [i for i in (store_event(e, key) for e in fresh) if i is not None]
    if row is not None:
        row.poll_state = dict(state)  # committed with the mail it covers
    accounts.record_success(row)
    db.session.commit()  # durable before anything is enqueued
    if row is None:
        # Only once the mail is stored: a failed commit must leave it to the next poll. A lost
        # Redis write means a rescan, which the Message-ID dedupe absorbs.
        _save_env_state(state)
        _set_env_status(last_success_at=utcnow().isoformat())
    for event_id in new_ids:
        enqueue_ingest(event_id)
    return len(new_ids)


def _stored_before_scoping(event: RawEvent, key: str) -> bool:
    """Mail is stored under ``<account key>:<Message-ID>`` (``inbound.provider_key``), but a
    mailbox's older mail kept the bare Message-ID: a rescan (new UIDVALIDITY) must not store it
    a second time under the new id."""
    if key == "default":
        return False
    query = db.select(InboundEvent.id).where(
        InboundEvent.channel == event.channel,
        InboundEvent.provider_id == event.provider_id[:255],
        InboundEvent.account_key == key,
    )
    return db.session.scalar(query) is not None


def _load_state(row: ChannelAccount | None) -> dict:
    if row is not None:
        return dict(row.poll_state or {})
    try:
        stored = get_redis(current_app).get(ENV_STATE_KEY)
    except RedisError:
        stored = None
    return json.loads(stored) if stored else {}


def _save_env_state(state: dict) -> None:
    try:
        get_redis(current_app).set(ENV_STATE_KEY, json.dumps(state))
    except RedisError as exc:
        log.warning("mail poll state not saved error=%s", type(exc).__name__)


def environment_status() -> dict[str, str | None]:
    """The environment-default mailbox's health as an account row shows it: ``last_success_at``,
    ``last_error`` and ``last_error_at`` (ISO times; None when unknown or Redis is down)."""
    fields = ("last_success_at", "last_error", "last_error_at")
    try:
        stored = get_redis(current_app).hgetall(ENV_STATUS_KEY)
    except RedisError:
        stored = {}
    values = {k.decode(): v.decode() for k, v in stored.items()}
    return {name: values.get(name) or None for name in fields}


def _record_failure(row: ChannelAccount | None, error: BaseException | str) -> None:
    """On the account row, or for the environment default in Redis; the caller commits."""
    if row is not None:
        accounts.record_error(row, error)
        return
    text = accounts.scrub(str(error), accounts.env_settings("email"))
    _set_env_status(last_error=text, last_error_at=utcnow().isoformat())


def _set_env_status(**values: str) -> None:
    try:
        get_redis(current_app).hset(ENV_STATUS_KEY, mapping=values)
    except RedisError as exc:
        log.warning("mail poll status not saved error=%s", type(exc).__name__)
