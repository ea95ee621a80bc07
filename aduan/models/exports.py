"""Files an officer asked for (a queue, the BPA monthly return, the audit log), written by a
job in the background; the row tracks its progress and where the finished file lies."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from aduan.extensions import db
from aduan.models.base import JSONType, UTCDateTime, utcnow


class Export(db.Model):
    """One export request: ``kind`` with ``params`` as ``format`` (csv/xlsx), owned by the
    officer who asked and their agency (``agency_id``: the agency whose data it holds)."""

    __tablename__ = "exports"
    __tenant__ = "agency"  # aduan/services/tenancy.py
    __table_args__ = (
        Index("ix_exports_officer_created", "officer_id", "created_at"),
        Index("ix_exports_state_expires", "state", "expires_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id", ondelete="CASCADE"))
    officer_id: Mapped[int] = mapped_column(ForeignKey("officers.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(20))
    format: Mapped[str] = mapped_column(String(5))
    params: Mapped[dict] = mapped_column(JSONType, default=dict)
    state: Mapped[str] = mapped_column(String(10), default="queued")
    total: Mapped[int | None]
    done: Mapped[int] = mapped_column(default=0)
    error: Mapped[str | None] = mapped_column(String(200))
    file_name: Mapped[str | None] = mapped_column(String(200))
    stored_as: Mapped[str | None] = mapped_column(String(100))
    size: Mapped[int | None]
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    expires_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
