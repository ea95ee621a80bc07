"""The audit trail of settings: who changed what in the admin pages, and when.

Per-ticket changes are TicketEvents; changes to agencies, units, officers, rules and the like
have no ticket, so they land here. Append-only by convention: nothing updates or deletes a row.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from aduan.extensions import db
from aduan.models.base import JSONType, UTCDateTime, utcnow


class AdminAuditLog(db.Model):
    """One admin change: ``entity`` (e.g. ``unit``) ``entity_id`` ``action`` with before/after.

    Secrets and password hashes are never stored here, only the names of changed secret fields.
    """

    __tablename__ = "admin_audit_log"
    __tenant__ = "agency"  # aduan/services/tenancy.py
    __table_args__ = (Index("ix_admin_audit_log_agency_created", "agency_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id", ondelete="CASCADE"))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("officers.id", ondelete="SET NULL"))
    entity: Mapped[str] = mapped_column(String(40))
    entity_id: Mapped[int | None]
    action: Mapped[str] = mapped_column(String(20))
    before: Mapped[dict | None] = mapped_column(JSONType)
    after: Mapped[dict | None] = mapped_column(JSONType)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
