"""The signature receivers verify (docs/api.md, "Event webhooks"): HMAC-SHA256 keyed with the
subscription's secret over ``<unix timestamp> + "." + <body bytes>``, sent as
``X-Aduan-Signature: t=<timestamp>,v1=<hex digest>``. A fresh timestamp per attempt, so a
receiver may refuse old ones (replays) while retries still verify."""

from __future__ import annotations

import hashlib
import hmac

SIGNATURE_HEADER = "X-Aduan-Signature"
EVENT_HEADER = "X-Aduan-Event"
EVENT_ID_HEADER = "X-Aduan-Event-Id"
DELIVERY_HEADER = "X-Aduan-Delivery"
USER_AGENT = "Aduan-Webhooks/1"


def digest(secret: str, timestamp: int, body: bytes) -> str:
    """The hex HMAC-SHA256 of ``timestamp.body`` under ``secret``."""
    message = str(int(timestamp)).encode() + b"." + body
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def signature(secret: str, timestamp: int, body: bytes) -> str:
    """The ``X-Aduan-Signature`` value: ``t=<timestamp>,v1=<hex>``."""
    return f"t={int(timestamp)},v1={digest(secret, timestamp, body)}"


def headers(
    secret: str, timestamp: int, body: bytes, *, event: str, event_id: str, delivery_id: int
) -> dict[str, str]:
    """Every header of one attempt."""
    return {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        SIGNATURE_HEADER: signature(secret, timestamp, body),
        EVENT_HEADER: event,
        EVENT_ID_HEADER: event_id,
        DELIVERY_HEADER: str(delivery_id),
    }
