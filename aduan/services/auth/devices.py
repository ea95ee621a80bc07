"""Signed-in devices: one server-side record per browser session of an officer.

The session cookie carries a random key; only its SHA-256 is stored. Every request looks the
record up (``is_open``), so revoking it — from the officer's "signed in on these devices" list,
by signing out, or by a password change — ends that browser's session at once, even for a
copy of its cookie.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from sqlalchemy import select, update

from aduan.extensions import db
from aduan.models import Officer, OfficerSession
from aduan.models.base import utcnow

# ``last_seen_at`` is written at most this often, so that reading a page is not a write.
TOUCH_EVERY = dt.timedelta(minutes=1)


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def open_session(officer: Officer, user_agent: str | None, address: str | None) -> str:
    """Record a new signed-in browser of ``officer``; returns the key its cookie carries."""
    key = secrets.token_urlsafe(32)
    db.session.add(
        OfficerSession(
            agency_id=officer.agency_id,
            officer_id=officer.id,
            key_hash=_digest(key),
            user_agent=(user_agent or "")[:200],
            address=(address or "")[:64],
        )
    )
    db.session.flush()
    return key


def current(officer_id: int, key: str | None) -> OfficerSession | None:
    """The open record of ``officer_id`` whose key is ``key`` (None: revoked or unknown)."""
    if not key:
        return None
    return db.session.scalar(
        select(OfficerSession).where(
            OfficerSession.key_hash == _digest(key),
            OfficerSession.officer_id == officer_id,
            OfficerSession.revoked_at.is_(None),
        )
    )


def is_open(officer_id: int, key: str | None, now: dt.datetime | None = None) -> bool:
    """True while the session with ``key`` of ``officer_id`` is not revoked; notes the visit."""
    record = current(officer_id, key)
    if record is None:
        return False
    now = now or utcnow()
    if now - record.last_seen_at >= TOUCH_EVERY:
        record.last_seen_at = now
        db.session.commit()
    return True


def list_open(officer: Officer) -> list[OfficerSession]:
    """The officer's open sessions, most recently used first."""
    return list(
        db.session.scalars(
            select(OfficerSession)
            .where(OfficerSession.officer_id == officer.id, OfficerSession.revoked_at.is_(None))
            .order_by(OfficerSession.last_seen_at.desc(), OfficerSession.id.desc())
        )
    )


def revoke(officer: Officer, session_id: int) -> bool:
    """End one of ``officer``'s own sessions; False when it is not theirs or already ended."""
    done = db.session.execute(
        update(OfficerSession)
        .where(
            OfficerSession.id == session_id,
            OfficerSession.officer_id == officer.id,
            OfficerSession.revoked_at.is_(None),
        )
        .values(revoked_at=utcnow())
    )
    db.session.commit()
    return bool(done.rowcount)


def revoke_key(officer_id: int, key: str | None) -> None:
    """End the session that carries ``key`` (signing out in that browser)."""
    if key:
        db.session.execute(
            update(OfficerSession)
            .where(OfficerSession.key_hash == _digest(key), OfficerSession.officer_id == officer_id)
            .values(revoked_at=utcnow())
        )
        db.session.commit()


def revoke_all(officer_id: int, keep_key: str | None = None) -> int:
    """End every session of ``officer_id`` but the one carrying ``keep_key``; the count."""
    query = update(OfficerSession).where(
        OfficerSession.officer_id == officer_id, OfficerSession.revoked_at.is_(None)
    )
    if keep_key:
        query = query.where(OfficerSession.key_hash != _digest(keep_key))
    done = db.session.execute(query.values(revoked_at=utcnow()))
    return done.rowcount
