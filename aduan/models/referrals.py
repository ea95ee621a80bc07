"""A ticket referred to another agency (Luar Bidang Kuasa): the referring agency's record.

The ticket itself moves to the receiving agency (same reference, same status page); this row
is what the referring agency keeps of it — to whom, who, when and why — and what lets its
officers open the ticket page read-only (``tickets.access``). ``to_agency_id`` is empty for an
agency outside the deployment: then ``to_name`` and ``to_contact`` say where it was sent."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from aduan.extensions import db
from aduan.models.base import UTCDateTime, utcnow


class TicketReferral(db.Model):
    __tablename__ = "ticket_referrals"
    __tenant__ = "agency"  # the referring agency's record (aduan/services/tenancy.py)
    __table_args__ = (Index("ix_ticket_referrals_agency_ticket", "agency_id", "ticket_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"))
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"), index=True)
    to_agency_id: Mapped[int | None] = mapped_column(ForeignKey("agencies.id"))
    to_name: Mapped[str] = mapped_column(String(200))
    to_contact: Mapped[str | None] = mapped_column(String(300))
    reason: Mapped[str] = mapped_column(Text, default="")
    # The unit that owned the ticket here: whose officers keep the read-only view.
    from_unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id", ondelete="SET NULL"))
    referred_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("officers.id", ondelete="SET NULL")
    )
    referred_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    ticket = relationship("Ticket")
    referred_by = relationship("Officer")

    @property
    def outside(self) -> bool:
        """Sent to an agency outside the deployment."""
        return self.to_agency_id is None
