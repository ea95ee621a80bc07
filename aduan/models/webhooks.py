"""Event webhooks: an agency's subscriptions of a URL to ticket events, and one delivery row per
event sent to a subscription (its whole attempt sequence)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from aduan.extensions import db
from aduan.models.base import JSONType, UTCDateTime, utcnow


class WebhookSubscription(db.Model):
    """A URL of the agency's that receives the ticket events it names (``events``), signed
    with its own secret (Fernet-encrypted at rest, shown to the admin once)."""

    __tablename__ = "webhook_subscriptions"
    __tenant__ = "agency"  # aduan/services/tenancy.py
    __table_args__ = (Index("ix_webhook_subscriptions_agency_active", "agency_id", "active"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id", ondelete="CASCADE"))
    url: Mapped[str] = mapped_column(String(500))
    description: Mapped[str] = mapped_column(String(200), default="")
    events: Mapped[list] = mapped_column(JSONType, default=list)
    secret: Mapped[str] = mapped_column(Text)  # "fernet:<token>"
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("officers.id", ondelete="SET NULL")
    )
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class WebhookDelivery(db.Model):
    """One event for one subscription: the body as first built (every attempt sends the same
    bytes, signed afresh), and where its attempts stand: ``pending`` (``next_attempt_at``: when
    the re-drive sends it again), ``delivered`` or ``failed`` (attempts used up)."""

    __tablename__ = "webhook_deliveries"
    __tenant__ = "via:subscription_id"  # aduan/services/tenancy.py
    __table_args__ = (
        Index("ix_webhook_deliveries_due", "state", "next_attempt_at"),
        Index("ix_webhook_deliveries_subscription_created", "subscription_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    subscription_id: Mapped[int] = mapped_column(
        ForeignKey("webhook_subscriptions.id", ondelete="CASCADE")
    )
    event_id: Mapped[str] = mapped_column(String(40))  # shared by every subscription's copy
    event_name: Mapped[str] = mapped_column(String(40))
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id", ondelete="SET NULL"))
    body: Mapped[str] = mapped_column(Text)
    state: Mapped[str] = mapped_column(String(12), default="pending")
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    last_attempt_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    last_status: Mapped[int | None]  # the receiver's HTTP status, None when none answered
    last_error: Mapped[str | None] = mapped_column(String(500))
    delivered_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    subscription: Mapped[WebhookSubscription] = relationship()
    ticket = relationship("Ticket")
