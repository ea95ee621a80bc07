"""Channel accounts: one agency's credentials and state for one provider channel."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from aduan.extensions import db
from aduan.models.base import JSONType, UTCDateTime, utcnow


class ChannelAccount(db.Model):
    """Settings for one adapter. Secret values in ``settings`` are Fernet tokens (see
    ``aduan.services.channel_config.accounts``); never read them directly."""

    __tablename__ = "channel_accounts"
    __tenant__ = "agency"  # aduan/services/tenancy.py
    __table_args__ = (UniqueConstraint("channel", "account_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"), index=True)
    channel: Mapped[str] = mapped_column(String(20))
    account_key: Mapped[str] = mapped_column(String(40), default="default")
    settings: Mapped[dict] = mapped_column(JSONType, default=dict)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    poll_state: Mapped[dict] = mapped_column(JSONType, default=dict)
    last_error: Mapped[str | None] = mapped_column(Text)
    last_error_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    last_success_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
