"""Quarantined inbound events: the ones intake could not process, shown to admins to retry.

An event belongs to the agency of its channel account; events with no account (environment
defaults) belong to the default agency.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import and_, func

from aduan.errors import NotFound
from aduan.extensions import db
from aduan.models import ChannelAccount, InboundEvent
from aduan.services.channel_config.accounts import default_agency_id
from aduan.services.intake.handover import enqueue_ingest


def _owner_agency():
    return func.coalesce(ChannelAccount.agency_id, default_agency_id())


def _scoped(query, agency_id: int | None):
    query = query.outerjoin(
        ChannelAccount,
        and_(
            ChannelAccount.channel == InboundEvent.channel,
            ChannelAccount.account_key == InboundEvent.account_key,
        ),
    )
    return query if agency_id is None else query.where(_owner_agency() == agency_id)


def list_quarantined(agency_id: int | None = None, limit: int = 200) -> list[dict[str, Any]]:
    """Quarantined events (newest first): id, channel, account, times and reason — no payload."""
    query = _scoped(db.select(InboundEvent), agency_id).where(
        InboundEvent.quarantined_at.is_not(None)
    )
    events = db.session.scalars(query.order_by(InboundEvent.id.desc()).limit(limit)).all()
    return [summary(event) for event in events]


def summary(event: InboundEvent) -> dict[str, Any]:
    return {
        "id": event.id,
        "channel": event.channel,
        "account_key": event.account_key,
        "kind": event.kind,
        "received_at": event.received_at.isoformat(),
        "quarantined_at": event.quarantined_at.isoformat() if event.quarantined_at else None,
        "attempts": event.attempts,
        "error": event.error,
    }


def find_quarantined(event_id: int, agency_id: int | None = None) -> InboundEvent:
    """The quarantined event, locked for update; ``NotFound`` if it is not (or not the agency's)."""
    query = _scoped(db.select(InboundEvent), agency_id).where(
        InboundEvent.id == event_id, InboundEvent.quarantined_at.is_not(None)
    )
    event = db.session.scalar(query.with_for_update(of=InboundEvent))
    if event is None:
        raise NotFound(f"no quarantined event {event_id}")
    return event


def release(event: InboundEvent) -> None:
    """Out of quarantine with a fresh count of attempts; the caller commits, then ``requeue``."""
    event.quarantined_at = None
    event.attempts = 0


def requeue(event: InboundEvent) -> bool:
    """Queue a released (and committed) event again; False when Redis is unreachable."""
    return enqueue_ingest(event.id, replace_finished=True)


def retry(event_id: int, agency_id: int | None = None) -> dict[str, Any]:
    """Release a quarantined event and enqueue it again; returns its summary and ``enqueued``.

    Unaudited (the operator's CLI); an admin retries through ``services.admin.quarantine``."""
    event = find_quarantined(event_id, agency_id)
    release(event)
    db.session.commit()
    return {**summary(event), "enqueued": requeue(event)}
