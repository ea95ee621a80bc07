"""Event webhook jobs: one delivery attempt, and the periodic re-drive of due rows."""

from __future__ import annotations

from aduan.services.webhooks import delivery


def deliver_webhook(delivery_id: int) -> str:
    """One attempt for one delivery row; a failure is recorded on the row, never raised (the
    re-drive sends it again after its back-off)."""
    row = delivery.deliver(delivery_id)
    return row.state if row is not None else "missing"


def redrive_webhooks() -> int:
    """Enqueue every pending delivery whose next attempt is due."""
    return len(delivery.redrive_due())
