"""Sending one delivery row: an attempt, its outcome on the row, and the back-off.

A row is locked (``SKIP LOCKED``) while it is sent, so two jobs for one row send once; only a
``pending`` row whose time has come is sent. A 2xx answer delivers it; anything else (another
status, a refused address, no answer) is an attempt that failed: the row waits
``BACKOFF_SECONDS`` and ``redrive_due`` (periodic, as ``outbox.delivery.resend_due``) enqueues
it again, until ``MAX_ATTEMPTS`` make it ``failed``. A disabled subscription's rows wait.
"""

from __future__ import annotations

import datetime as dt
import logging
import time

from aduan.extensions import db
from aduan.models.base import utcnow
from aduan.models.webhooks import WebhookDelivery, WebhookSubscription
from aduan.services.webhooks import events, signing, subscriptions
from aduan.services.webhooks.sending import WebhookRefused, post

log = logging.getLogger(__name__)

# After attempt n fails, the next one is BACKOFF_SECONDS[n-1] later: about a day in all.
BACKOFF_SECONDS = (60, 300, 900, 3600, 3 * 3600, 6 * 3600, 12 * 3600)
MAX_ATTEMPTS = len(BACKOFF_SECONDS) + 1
REDRIVE_BATCH = 500


def deliver(delivery_id: int, now: dt.datetime | None = None) -> WebhookDelivery | None:
    """One attempt for one row, recorded on it (status, time, error) and committed."""
    now = now or utcnow()
    row = db.session.scalar(
        db.select(WebhookDelivery)
        .where(WebhookDelivery.id == delivery_id)
        .with_for_update(skip_locked=True)
    )
    if row is None or not _due(row, now) or not row.subscription.active:
        db.session.rollback()
        return row
    status, error = _attempt(row)
    _record(row, status, error, now)
    db.session.commit()
    log.info(
        "webhook attempt delivery_id=%s event=%s status=%s state=%s",
        row.id, row.event_name, status, row.state,
    )  # fmt: skip
    return row


def redrive_due(now: dt.datetime | None = None) -> list[int]:
    """Enqueue the pending rows of active subscriptions whose next attempt is due (their
    after-commit enqueue failed, their job was lost, or their back-off passed)."""
    now = now or utcnow()
    ids = db.session.scalars(
        db.select(WebhookDelivery.id)
        .join(WebhookSubscription, WebhookSubscription.id == WebhookDelivery.subscription_id)
        .where(
            WebhookDelivery.state == "pending",
            WebhookSubscription.active.is_(True),
            WebhookDelivery.next_attempt_at.is_(None) | (WebhookDelivery.next_attempt_at <= now),
        )
        .order_by(WebhookDelivery.id)
        .limit(REDRIVE_BATCH)
    ).all()
    db.session.rollback()
    return [i for i in ids if events.enqueue(i)]


def _due(row: WebhookDelivery, now: dt.datetime) -> bool:
    return row.state == "pending" and (row.next_attempt_at is None or row.next_attempt_at <= now)


def _attempt(row: WebhookDelivery) -> tuple[int | None, str | None]:
    subscription = row.subscription
    body = row.body.encode()
    try:
        secret = subscriptions.unseal(subscription.secret)
        headers = signing.headers(
            secret, int(time.time()), body,
            event=row.event_name, event_id=row.event_id, delivery_id=row.id,
        )  # fmt: skip
        status = post(subscription.url, body, headers, subscriptions.policy())
    except (WebhookRefused, ValueError) as exc:
        return None, str(exc)[:500]
    return status, None if 200 <= status < 300 else f"HTTP {status}"


def _record(row: WebhookDelivery, status: int | None, error: str | None, now: dt.datetime):
    row.attempts += 1
    row.last_attempt_at = now
    row.last_status = status
    row.last_error = error
    if error is None:
        row.state = "delivered"
        row.delivered_at = now
        row.next_attempt_at = None
    elif row.attempts >= MAX_ATTEMPTS:
        row.state = "failed"
        row.next_attempt_at = None
    else:
        delay = BACKOFF_SECONDS[row.attempts - 1]
        row.next_attempt_at = now + dt.timedelta(seconds=delay)
