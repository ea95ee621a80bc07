"""Complainants and the identities by which they reach us (one person across channels).

Both belong to one agency: the same phone writing to two agencies is two complainants, so a
name or a history given to one agency is never seen by another (migration 0016 split the
records that were shared before)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from aduan.extensions import db
from aduan.models.base import UTCDateTime, utcnow


class Complainant(db.Model):
    __tablename__ = "complainants"
    __tenant__ = "agency"  # aduan/services/tenancy.py

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"), index=True)
    name: Mapped[str | None] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(254))
    phone: Mapped[str | None] = mapped_column(String(20))  # E.164
    mykad: Mapped[str | None] = mapped_column(String(14))  # optional, sensitive: masked on screens
    language: Mapped[str] = mapped_column(String(5), default="ms")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    identities: Mapped[list[ContactIdentity]] = relationship(back_populates="complainant")


class ContactIdentity(db.Model):
    """A normalised handle on one identity type: ``phone`` (E.164, shared by SMS and WhatsApp),
    ``email`` (lower-cased), ``telegram`` (user id), ``messenger``, ``instagram``, ``x``."""

    __tablename__ = "contact_identities"
    __tenant__ = "agency"  # aduan/services/tenancy.py
    __table_args__ = (
        UniqueConstraint("agency_id", "channel_type", "handle"),
        # The reply handle of a complainant (``outbox.door.contact``): equality on both keys,
        # so the plan reads that complainant's few identities of the type and never walks the
        # agency's identities, whatever the statistics say (migration 0034_intake_flat_cost).
        Index("ix_contact_identities_complainant_type", "complainant_id", "channel_type"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"))
    complainant_id: Mapped[int] = mapped_column(
        ForeignKey("complainants.id", ondelete="CASCADE"), index=True
    )
    channel_type: Mapped[str] = mapped_column(String(20))
    handle: Mapped[str] = mapped_column(String(254))
    display_name: Mapped[str | None] = mapped_column(String(200))
    last_inbound_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    complainant: Mapped[Complainant] = relationship(back_populates="identities")
