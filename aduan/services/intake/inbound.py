"""Durable intake: verify a provider's request, store its events, then wake a drainer.

An event is committed before the provider gets its answer, so a crash or a retry never loses
it; the unique (channel, provider_id) makes a redelivery a no-op. After the commit the
webhook wakes the drainer of each new event's slot (``aduan.services.intake.drain``): one
Redis SET NX, and a job only when no drain is already due. Redis being down does not fail
the webhook: ``workers.intake_jobs.requeue_stale_events`` picks up what was not handed over.
"""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import dataclass, field
from typing import Any

from flask import current_app
from redis.exceptions import RedisError
from sqlalchemy import Connection, bindparam, text
from sqlalchemy.exc import SQLAlchemyError

from aduan.extensions import db
from aduan.models.base import JSONType, UTCDateTime, utcnow
from aduan.redis_conn import get_redis
from aduan.services.channel_config.accounts import UnknownAccount, get_adapter
from aduan.services.intake.drain import slot_for, wake_slots
from channels.base import ChannelAdapter, ParseError, RawEvent, RawRequest
from channels.registry import channels_where, webhooks

log = logging.getLogger(__name__)

KIB = 1024
DEFAULT_BODY_LIMIT = 1024 * KIB
META_OBJECTS = {
    "whatsapp_business_account": "whatsapp_cloud",
    "page": "messenger",
    "instagram": "instagram",
}


@dataclass
class Outcome:
    """What to answer the provider: ``status`` plus what was stored (ids of new events)."""

    status: int
    channel: str = ""
    stored: list[int] = field(default_factory=list)
    duplicates: int = 0
    adapter: ChannelAdapter | None = None


def body_limit(endpoint: str) -> int:
    """The body cap of a webhook endpoint (its manifest's ``Webhook.body_limit``), in bytes."""
    limits = [hook.body_limit for hook in webhooks().values() if hook.endpoint == endpoint]
    return max(limits, default=DEFAULT_BODY_LIMIT)


def accept(channel: str, account_key: str, raw: RawRequest) -> Outcome:
    """Verify, store and enqueue one webhook request; never raises for a provider's input."""
    if len(raw.body) > body_limit(channel):
        return Outcome(413, channel)
    if channel == "meta":  # the body picks the adapter: verify before parsing it
        refusal = _refuse_unsigned_meta(account_key, raw)
        if refusal is not None:
            return refusal
    channel = resolve_channel(channel, raw)
    try:
        adapter = get_adapter(channel, account_key)
    except LookupError:  # no such account, or its adapter is disabled
        log.warning("webhook for unknown account channel=%s account=%s", channel, account_key)
        return Outcome(404, channel)
    except SQLAlchemyError as exc:
        return _database_down(channel, exc)
    if not adapter.verify(raw):
        count_forged(channel, account_key)
        return Outcome(403, channel)
    try:
        return _store_all(channel, account_key, adapter, raw)
    except SQLAlchemyError as exc:
        return _database_down(channel, exc)


def resolve_channel(channel: str, raw: RawRequest) -> str:
    """The adapter type for a shared endpoint: Meta by the body's ``object``, Twilio status
    callbacks by their ``whatsapp:`` addresses."""
    if channel == "meta":
        try:
            kind = json.loads(raw.body).get("object")
        except (ValueError, UnicodeDecodeError, AttributeError, RecursionError):
            kind = None
        return META_OBJECTS.get(kind, "whatsapp_cloud")
    if channel == "twilio_status":
        addresses = (raw.form.get("From") or "") + (raw.form.get("To") or "")
        return "whatsapp" if "whatsapp:" in addresses else "sms"
    return channel


def _refuse_unsigned_meta(account_key: str, raw: RawRequest) -> Outcome | None:
    """None when one of the account's Meta adapters verifies the request; else the answer."""
    try:
        adapters = [a for a in map(_meta_adapter(account_key), META_OBJECTS.values()) if a]
    except SQLAlchemyError as exc:
        return _database_down("meta", exc)
    if not adapters:
        log.warning("webhook for unknown account channel=meta account=%s", account_key)
        return Outcome(404, "meta")
    if any(adapter.verify(raw) for adapter in adapters):
        return None
    count_forged("meta", account_key)
    return Outcome(403, "meta")


def _meta_adapter(account_key: str):
    def find(channel: str) -> ChannelAdapter | None:
        try:
            return get_adapter(channel, account_key)
        except LookupError:
            return None

    return find


def count_forged(channel: str, account_key: str) -> None:
    """A request failed verification: count it per channel and log without personal data."""
    log.warning("webhook forged channel=%s account=%s", channel, account_key)
    try:
        get_redis(current_app).incr(f"aduan:webhook:forged:{channel}")
    except RedisError as exc:
        log.warning("forged counter unavailable error=%s", type(exc).__name__)


def _database_down(channel: str, exc: SQLAlchemyError) -> Outcome:
    db.session.rollback()
    log.error("webhook not stored: database unavailable channel=%s error=%s", channel, type(exc))
    return Outcome(503, channel)


def _store_all(channel: str, account_key: str, adapter: ChannelAdapter, raw: RawRequest):
    outcome, slots = Outcome(200, channel, adapter=adapter), set()
    try:
        events = adapter.split(raw)
    except ParseError as exc:
        # Signed but unreadable: keep it, quarantined with the reason, for an admin to see.
        events = [_unreadable(channel, raw)]
        reason = str(exc)[:500]
    else:
        reason = None
    # One transaction on a plain connection: nothing here needs the ORM session's machinery.
    with db.engine.begin() as connection:
        for event in events:
            event_id = store_event(event, account_key, reason, connection=connection)
            if event_id is None:
                outcome.duplicates += 1
            else:
                outcome.stored.append(event_id)
                slots.add(slot_for(_sender_key(event, account_key), event_id))
    if outcome.stored and reason is None:
        wake_slots(slots)
    # Every accepted request at INFO would be an access log written by the app (gunicorn
    # keeps one); redeliveries are the noteworthy case.
    log.log(
        logging.INFO if outcome.duplicates else logging.DEBUG,
        "webhook accepted channel=%s account=%s stored=%d duplicates=%d",
        channel,
        account_key,
        len(outcome.stored),
        outcome.duplicates,
    )
    return outcome


def _unreadable(channel: str, raw: RawRequest) -> RawEvent:
    digest = hashlib.sha256(raw.body).hexdigest()
    payload = {"body": raw.body.decode("utf-8", "replace"), "form": dict(raw.form)}
    return RawEvent(channel, "message", f"unreadable:{digest}", payload)


def provider_key(event: RawEvent, account_key: str) -> str:
    """The id an event is stored (and deduplicated) under: on account-scoped channels
    (manifest ``ids_per_account``: Telegram's update_id counts per bot, and one e-mail sent to
    several agencies' mailboxes is a ticket at each), an account other than "default"
    prefixes its key."""
    if account_key != "default" and event.channel in channels_where(ids_per_account=True):
        return f"{account_key}:{event.provider_id}"
    return event.provider_id


def store_event(
    event: RawEvent,
    account_key: str = "default",
    quarantine_reason: str | None = None,
    *,
    connection: Connection | None = None,
) -> int | None:
    """Insert one InboundEvent unless (channel, provider_id) exists; the new id, or None.

    On ``connection`` if given, else in the session's transaction (the caller commits)."""
    sender_key = _sender_key(event, account_key)
    values: dict[str, Any] = {
        "sender_key": sender_key,
        "order_slot": int(sender_key[:8], 16) if sender_key else None,
        "channel": event.channel,
        "account_key": account_key,
        "kind": event.kind,
        "provider_id": provider_key(event, account_key)[:255],
        "payload": event.payload,
        "received_at": utcnow(),
        "quarantined_at": utcnow() if quarantine_reason else None,
        "error": quarantine_reason or None,
    }
    connection = connection or db.session.connection()
    return connection.execute(_INSERT_EVENT, values).scalar_one_or_none()


def _sender_key(event: RawEvent, account_key: str) -> str | None:
    """One sender on one account, hashed: their events share a drain slot and keep their order."""
    if event.kind != "message" or not event.sender:
        return None
    raw = f"{event.channel}\x1f{account_key}\x1f{event.sender}".encode()
    return hashlib.sha256(raw).hexdigest()[:32]


# As text: SQLAlchemy compiles a dialect INSERT … ON CONFLICT afresh on every execution (it
# has no cache key), a sixth of a webhook's CPU; this form is compiled once. PostgreSQL and
# SQLite (3.35+) both take it.
_INSERT_EVENT = text(
    "INSERT INTO inbound_events"
    " (channel, account_key, kind, provider_id, payload, received_at, attempts,"
    " quarantined_at, error, sender_key, order_slot)"
    " VALUES (:channel, :account_key, :kind, :provider_id, :payload, :received_at, 0,"
    " :quarantined_at, :error, :sender_key, :order_slot)"
    " ON CONFLICT (channel, provider_id) DO NOTHING RETURNING id"
).bindparams(
    bindparam("payload", type_=JSONType),
    bindparam("received_at", type_=UTCDateTime),
    bindparam("quarantined_at", type_=UTCDateTime),
)


def meta_challenge(account_key: str, query: dict[str, str]) -> str | None:
    """The Meta subscription handshake: the challenge to echo, or None (403)."""
    for channel in META_OBJECTS.values():
        try:
            challenge = get_adapter(channel, account_key).verify_subscription(query)
        except UnknownAccount:
            continue
        if challenge is not None:
            return challenge
    return None


def x_crc(account_key: str, crc_token: str) -> dict[str, str] | None:
    """The answer to X's CRC check, or None when there is no such account or no token."""
    try:
        adapter = get_adapter("x", account_key)
    except UnknownAccount:
        return None
    if not crc_token or not adapter.account.get("consumer_secret"):
        return None
    return adapter.crc_response(crc_token)
