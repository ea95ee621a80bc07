"""An officer's own password: change it when signed in, or reset it with a link sent by e-mail.

A reset link is time-limited (``RESET_MINUTES``) and single-use; only the SHA-256 of its token
is stored. Asking for one answers the same whoever is named: the page only enqueues
``send_reset`` (``queues.SEND_PASSWORD_RESET_JOB``), which looks the officer up and sends the
mail through the one outbound door (``outbox.door``), at most ``RESETS_PER_HOUR`` an hour.
A new password must pass the same strength rule as everywhere (``passwords.is_strong``), and
setting one ends every other session of the officer.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import secrets

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import func, or_, select, update

from aduan.extensions import db
from aduan.models import Agency, Officer, PasswordReset
from aduan.models.base import utcnow
from aduan.queues import DEFAULT, SEND_PASSWORD_RESET_JOB, enqueue
from aduan.services.auth import devices, passwords
from aduan.services.outbox import door

log = logging.getLogger(__name__)

MIN_LENGTH = 12
RESET_MINUTES = 30
RESETS_PER_HOUR = 3


class PasswordRefused(ValueError):
    """A new password (or the current one) that cannot be accepted; ``code`` says why."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code  # "current" | "short" | "weak" | "mismatch" | "link"


def change(officer: Officer, current: str, new: str, confirm: str, keep_key: str | None) -> None:
    """Set ``officer``'s password to ``new`` after checking ``current``; ends every other
    session (the browser carrying ``keep_key`` stays signed in)."""
    if not passwords.verify_password(officer.password_hash, current or ""):
        raise PasswordRefused("current")
    _check_new(officer, new, confirm)
    _set(officer, new, keep_key)
    log.info("password=changed officer_id=%s", officer.id)


def request_reset(identifier: str) -> None:
    """Have a reset link sent to the officer named by ``identifier`` (username or e-mail),
    if there is one: the work here is the same either way."""
    try:
        enqueue(DEFAULT, SEND_PASSWORD_RESET_JOB, (identifier or "").strip()[:254])
    except Exception as exc:  # Redis down: no mail, and the page answers the same
        log.warning("password reset not enqueued error=%s", type(exc).__name__)


def send_reset(identifier: str, now: dt.datetime | None = None) -> int:
    """Create a reset token for each active officer with that username or e-mail and queue
    the mail with its link; the number of mails queued (within the hourly limit)."""
    now = now or utcnow()
    sent = 0
    for officer in _named(identifier):
        if _recent_resets(officer, now) >= RESETS_PER_HOUR:
            log.info("password_reset=skipped reason=limit officer_id=%s", officer.id)
            continue
        to = door.officer_recipient(officer)
        if to is None:
            continue
        token = secrets.token_urlsafe(32)
        db.session.add(
            PasswordReset(agency_id=officer.agency_id, officer_id=officer.id,
                          token_hash=_digest(token),
                          expires_at=now + dt.timedelta(minutes=RESET_MINUTES))
        )  # fmt: skip
        subject, body = _mail(officer, token)
        door.queue(None, "password_reset", body, to=to, subject=subject)
        sent += 1
    db.session.commit()
    return sent


def reset_is_valid(token: str, now: dt.datetime | None = None) -> bool:
    """True while ``token`` is an unused, unexpired reset link of an active officer."""
    return _reset_row(token, now) is not None


def reset(token: str, new: str, confirm: str, now: dt.datetime | None = None) -> Officer:
    """Set a new password with a reset link; the link and any other of the officer's links
    stop working, and every session of the officer ends."""
    now = now or utcnow()
    row = _reset_row(token, now)
    if row is None:
        raise PasswordRefused("link")
    officer = db.session.get(Officer, row.officer_id)
    _check_new(officer, new, confirm)
    spent = db.session.execute(  # single use, even for two requests at once
        update(PasswordReset)
        .where(PasswordReset.id == row.id, PasswordReset.used_at.is_(None))
        .values(used_at=now)
    )
    if not spent.rowcount:
        db.session.rollback()
        raise PasswordRefused("link")
    db.session.execute(
        update(PasswordReset)
        .where(PasswordReset.officer_id == officer.id, PasswordReset.used_at.is_(None))
        .values(used_at=now)
    )
    _set(officer, new, keep_key=None)
    log.info("password=reset officer_id=%s", officer.id)
    return officer


def _check_new(officer: Officer, new: str, confirm: str) -> None:
    new = new or ""
    if new != (confirm or ""):
        raise PasswordRefused("mismatch")
    if len(new) < MIN_LENGTH:
        raise PasswordRefused("short")
    agency = db.session.get(Agency, officer.agency_id)
    words = [officer.username, officer.name, officer.email, agency.code, agency.name]
    if not passwords.is_strong(new, words):
        raise PasswordRefused("weak")


def _set(officer: Officer, new: str, keep_key: str | None) -> None:
    officer.password_hash = passwords.hash_password(new)
    officer.session_version = (officer.session_version or 1) + 1
    devices.revoke_all(officer.id, keep_key=keep_key)
    db.session.commit()


def _named(identifier: str) -> list[Officer]:
    wanted = (identifier or "").strip().lower()
    if not wanted:
        return []
    return list(
        db.session.scalars(
            select(Officer).where(
                Officer.active.is_(True),
                or_(func.lower(Officer.username) == wanted, func.lower(Officer.email) == wanted),
            )
        )
    )


def _recent_resets(officer: Officer, now: dt.datetime) -> int:
    return db.session.scalar(
        select(func.count(PasswordReset.id)).where(
            PasswordReset.officer_id == officer.id,
            PasswordReset.created_at > now - dt.timedelta(hours=1),
        )
    )


def _reset_row(token: str, now: dt.datetime | None) -> PasswordReset | None:
    if not token:
        return None
    row = db.session.scalar(select(PasswordReset).where(PasswordReset.token_hash == _digest(token)))
    if row is None or row.used_at is not None or row.expires_at <= (now or utcnow()):
        return None
    officer = db.session.get(Officer, row.officer_id)
    return row if officer is not None and officer.active else None


def _mail(officer: Officer, token: str) -> tuple[str, str]:
    link = current_app.config["PUBLIC_BASE_URL"].rstrip("/") + f"/login/reset/{token}"
    with force_locale("en" if (officer.locale or "ms").startswith("en") else "ms"):
        subject = _("Aduan: reset your password")
        body = _(
            "Someone asked to reset the Aduan password of %(username)s.\n\n"
            "To choose a new password, open this link within %(minutes)s minutes "
            "(it works once):\n%(link)s\n\n"
            "If you did not ask for this, ignore this e-mail: your password stays as it is.",
            username=officer.username,
            minutes=RESET_MINUTES,
            link=link,
        )
    return subject, body


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
