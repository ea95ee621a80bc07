"""Attachments as rows of ``attachment_blobs`` (bytea) in the application's own database:
every host that reaches the database reads them, they are backed up with the tickets, and a
file is written in the same transaction as the ``attachments`` row that names it."""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import BinaryIO

from sqlalchemy import LargeBinary, bindparam, text

from aduan.extensions import db
from aduan.models.base import UTCDateTime, utcnow
from aduan.models.storage import AttachmentBlob
from aduan.services.storage.base import AttachmentStore, BlobMissing, content_key, is_key

# Compiled once; PostgreSQL and SQLite (3.35+) both take ON CONFLICT.
_INSERT = text(
    "INSERT INTO attachment_blobs (sha256, data, size, created_at)"
    " VALUES (:sha256, :data, :size, :created_at) ON CONFLICT (sha256) DO NOTHING"
).bindparams(bindparam("data", type_=LargeBinary), bindparam("created_at", type_=UTCDateTime()))
KEYS_PER_FETCH = 1000


class DatabaseStore(AttachmentStore):
    """Blobs in the session's transaction: the caller commits (or rolls back) them."""

    name = "postgresql"

    def put(self, data: bytes) -> str:
        """Insert ``data`` under its sha256 unless a row has it already; the key."""
        key = content_key(data)
        if not self.exists(key):  # spare the bytes a round trip when they are there
            values = {"sha256": key, "data": data, "size": len(data), "created_at": utcnow()}
            db.session.execute(_INSERT, values)
        return key

    def open(self, key: str) -> BinaryIO:
        """The bytes of ``key`` as an in-memory file; BlobMissing when absent."""
        data = None
        if is_key(key):
            query = db.select(AttachmentBlob.data).where(AttachmentBlob.sha256 == key)
            data = db.session.scalar(query)
        if data is None:
            raise BlobMissing(key)
        return io.BytesIO(data)

    def exists(self, key: str) -> bool:
        """Whether a row holds ``key`` (visible to this session's transaction)."""
        if not is_key(key):
            return False
        query = db.select(AttachmentBlob.sha256).where(AttachmentBlob.sha256 == key)
        return db.session.scalar(query) is not None

    def iter_keys(self) -> Iterator[str]:
        """Every stored key, fetched a page at a time."""
        after = ""
        while True:
            query = (
                db.select(AttachmentBlob.sha256)
                .where(AttachmentBlob.sha256 > after)
                .order_by(AttachmentBlob.sha256)
                .limit(KEYS_PER_FETCH)
            )
            page = db.session.scalars(query).all()
            yield from page
            if len(page) < KEYS_PER_FETCH:
                return
            after = page[-1]
