"""Outbound jobs: send one message, the periodic resend of rows left queued, and the expiry of
WhatsApp messages held too long."""

from __future__ import annotations

from aduan.services.outbox import delivery as outbound
from aduan.services.outbox import whatsapp_window


def send_outbound(outbound_id: int) -> str:
    """Deliver one OutboundMessage; a retryable failure raises so RQ's Retry runs it again."""
    row = outbound.deliver(outbound_id)
    return row.state if row is not None else "missing"


def resend_queued() -> int:
    """Enqueue every queued row whose next attempt is due (enqueue failures, lost jobs)."""
    return len(outbound.resend_due())


def expire_held() -> int:
    """Mark WhatsApp rows held past the agency's expiry as expired; the assignee is told."""
    return whatsapp_window.expire_held()
