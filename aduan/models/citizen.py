"""The citizen side: status-page verification, one-time codes and the satisfaction survey."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, Index, SmallInteger, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from aduan.extensions import db
from aduan.models.base import UTCDateTime, utcnow


class ContactCheck(db.Model):
    """What the status page checks a "last four" answer against: a keyed, salted hash only.

    The four characters (last digits of the phone, or of the e-mail's local part) are never
    stored in clear: HMAC-SHA256 over a random per-ticket salt, keyed with the answer key of
    ``key_version`` (``aduan.services.citizen.answer_keys``; 0: older releases' SECRET_KEY)."""

    __tablename__ = "contact_checks"
    __tenant__ = "via:ticket_id"  # aduan/services/tenancy.py

    ticket_id: Mapped[int] = mapped_column(
        ForeignKey("tickets.id", ondelete="CASCADE"), primary_key=True
    )
    salt: Mapped[str] = mapped_column(String(32))
    digest: Mapped[str] = mapped_column(String(64))
    # A filing that gave an e-mail and a phone: the phone's last four, hashed the same way.
    phone_digest: Mapped[str | None] = mapped_column(String(64))
    key_version: Mapped[int] = mapped_column(SmallInteger, default=0, server_default="0")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class VerificationCode(db.Model):
    """A one-time code sent to the complainant's own channel (hashed, 10 minutes, 5 tries)."""

    __tablename__ = "verification_codes"
    __tenant__ = "via:ticket_id"  # aduan/services/tenancy.py
    __table_args__ = (Index("ix_verification_codes_ticket_created", "ticket_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"))
    code_hash: Mapped[str] = mapped_column(String(64))
    channel: Mapped[str] = mapped_column(String(20))
    attempts: Mapped[int] = mapped_column(SmallInteger, default=0)
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class SurveyResponse(db.Model):
    """One satisfaction survey per resolution of a ticket (``resolved_at`` names which one).

    Created when the survey is asked; ``rating``/``comment`` when answered; ``objected_at``
    when the complainant re-opened the ticket instead; ``closed_at`` when the window ended."""

    __tablename__ = "survey_responses"
    __tenant__ = "via:ticket_id"  # aduan/services/tenancy.py
    __table_args__ = (UniqueConstraint("ticket_id", "resolved_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"))
    resolved_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    requested_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    rating: Mapped[int | None] = mapped_column(SmallInteger)
    comment: Mapped[str | None] = mapped_column(Text)
    responded_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    objected_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    objection_reason: Mapped[str | None] = mapped_column(Text)
    closed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    ticket = relationship("Ticket")
