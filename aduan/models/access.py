"""Who looked at which ticket (PDPA-grade access logging) and the canned responses officers use."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from aduan.extensions import db
from aduan.models.base import UTCDateTime, utcnow


class TicketAccessLog(db.Model):
    """One officer's (or one API token's) action on one ticket (``view``, ``reply``,
    ``download`` …). Append-only."""

    __tablename__ = "ticket_access_logs"
    __tenant__ = "via:ticket_id"  # aduan/services/tenancy.py
    __table_args__ = (
        Index("ix_ticket_access_logs_ticket_at", "ticket_id", "created_at"),
        Index("ix_ticket_access_logs_officer_at", "officer_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"))
    officer_id: Mapped[int | None] = mapped_column(ForeignKey("officers.id", ondelete="CASCADE"))
    api_token_id: Mapped[int | None] = mapped_column(
        ForeignKey("api_tokens.id", ondelete="CASCADE")
    )
    action: Mapped[str] = mapped_column(String(40))
    ip_address: Mapped[str | None] = mapped_column(String(45))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class CannedResponse(db.Model):
    """A ready answer an officer can drop into a reply, in Bahasa Malaysia or English."""

    __tablename__ = "canned_responses"
    __tenant__ = "agency"  # aduan/services/tenancy.py
    __table_args__ = (Index("ix_canned_responses_agency_language", "agency_id", "language"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id", ondelete="CASCADE"))
    language: Mapped[str] = mapped_column(String(5), default="ms")
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
