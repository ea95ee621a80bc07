"""An admin's retry of a quarantined inbound event: the one path for the page and the JSON API."""

from __future__ import annotations

from typing import Any

from aduan.extensions import db
from aduan.models import InboundEvent, Officer
from aduan.services.admin import common as f
from aduan.services.intake import quarantine

FIELDS = ("quarantined_at", "attempts")


def retry(actor: Officer, event_id: int) -> dict[str, Any]:
    """Release one of the actor's agency's quarantined events (``NotFound`` for another
    agency's), audit it, commit, then queue it again; returns its summary and ``enqueued``.

    It commits itself: the job must find the event released, and the audit row goes in the
    same transaction as the release."""
    event: InboundEvent = quarantine.find_quarantined(event_id, actor.agency_id)
    before = f.snapshot(event, FIELDS)
    quarantine.release(event)
    f.audit(actor, "inbound_event", event.id, "retry", before, f.snapshot(event, FIELDS))
    db.session.commit()
    return {**quarantine.summary(event), "enqueued": quarantine.requeue(event)}
