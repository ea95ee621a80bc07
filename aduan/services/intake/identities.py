"""Who a sender is, as a handle: the normal form of a phone number or an e-mail address, and
the lock that lets one complainant's messages be handled one at a time."""

from __future__ import annotations

from sqlalchemy import func

from aduan.extensions import db
from channels.phones import normalise_phone


def normalise_handle(kind: str, handle: str | None) -> str:
    handle = (handle or "").strip()
    if kind == "phone" and handle:
        return normalise_phone(handle)
    return handle.lower() if kind == "email" else handle


def serialise_complainant(complainant_id: int) -> None:
    """One complainant's messages are threaded one at a time (PostgreSQL advisory lock); a
    WhatsApp send about to hold takes it too (``whatsapp_window.must_wait``)."""
    if db.engine.dialect.name == "postgresql":
        db.session.execute(db.select(func.pg_advisory_xact_lock(7_300_000_000 + complainant_id)))
