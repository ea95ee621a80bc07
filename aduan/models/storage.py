"""Attachment bytes kept in the database (``ADUAN_ATTACHMENT_STORE=postgresql``)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from aduan.extensions import db
from aduan.models.base import UTCDateTime, utcnow


class AttachmentBlob(db.Model):
    """One file's bytes, keyed by their sha256 (``Attachment.sha256``). Content-addressed, so a
    photo sent to two tickets is stored once; the ``attachments`` rows say whose it is."""

    __tablename__ = "attachment_blobs"
    __tenant__ = "system"  # aduan/services/tenancy.py: reached only through Attachment

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    data: Mapped[bytes] = mapped_column(LargeBinary)
    size: Mapped[int]
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
