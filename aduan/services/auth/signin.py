"""Officer sign-in: password check, failure counting and temporary lock-out.

Five wrong passwords in a row lock the account for fifteen minutes (agency-tunable through
``LOGIN_MAX_FAILURES`` / ``LOGIN_LOCK_MINUTES``). Every refusal looks the same to the caller,
so a sign-in page cannot be used to learn which usernames exist.
"""

from __future__ import annotations

import datetime as dt
import logging

from flask import current_app
from sqlalchemy import func, select, update

from aduan.extensions import db
from aduan.models import Officer
from aduan.models.base import utcnow
from aduan.services.auth import passwords

log = logging.getLogger(__name__)

MAX_FAILURES = 5
LOCK_MINUTES = 15
# Verified when the username is unknown, so both refusals take the same time.
_DUMMY_HASH: list[str] = []


def _setting(name: str, default: int) -> int:
    return int(current_app.config.get(name, default))


def authenticate(username: str, password: str, now: dt.datetime | None = None) -> Officer | None:
    """The officer if ``username``/``password`` are right and the account may sign in now."""
    now = now or utcnow()
    officer = db.session.scalar(
        select(Officer).where(func.lower(Officer.username) == (username or "").strip().lower())
    )
    if officer is None:
        passwords.verify_password(_dummy_hash(), password or "")
        log.info("sign_in=refused reason=unknown_user")
        return None
    if officer.locked_until is not None and officer.locked_until > now:
        log.info("sign_in=refused reason=locked officer_id=%s", officer.id)
        return None
    if not passwords.verify_password(officer.password_hash, password or ""):
        _record_failure(officer, now)
        return None
    if not officer.active:
        log.info("sign_in=refused reason=inactive officer_id=%s", officer.id)
        return None
    _record_success(officer, password)
    return officer


def _dummy_hash() -> str:
    if not _DUMMY_HASH:
        _DUMMY_HASH.append(passwords.hash_password("not a password of anyone"))
    return _DUMMY_HASH[0]


def _record_failure(officer: Officer, now: dt.datetime) -> None:
    # An atomic increment: parallel wrong guesses are all counted.
    failures = db.session.scalar(
        update(Officer)
        .where(Officer.id == officer.id)
        .values(failed_logins=Officer.failed_logins + 1)
        .returning(Officer.failed_logins)
    )
    if failures >= _setting("LOGIN_MAX_FAILURES", MAX_FAILURES):
        locked_until = now + dt.timedelta(minutes=_setting("LOGIN_LOCK_MINUTES", LOCK_MINUTES))
        db.session.execute(
            update(Officer)
            .where(Officer.id == officer.id)
            .values(failed_logins=0, locked_until=locked_until)
        )
        log.warning("sign_in=locked officer_id=%s until=%s", officer.id, locked_until.isoformat())
    db.session.commit()
    log.info("sign_in=refused reason=password officer_id=%s failures=%s", officer.id, failures)


def _record_success(officer: Officer, password: str) -> None:
    officer.failed_logins = 0
    officer.locked_until = None
    if passwords.needs_rehash(officer.password_hash):
        officer.password_hash = passwords.hash_password(password)
    db.session.commit()
    log.info("sign_in=ok officer_id=%s", officer.id)


def sign_out_everywhere(officer: Officer) -> None:
    """Invalidate every session of ``officer`` (the session carries ``session_version``)."""
    db.session.execute(
        update(Officer)
        .where(Officer.id == officer.id)
        .values(session_version=Officer.session_version + 1)
    )
    db.session.commit()
    log.info("sign_out=everywhere officer_id=%s", officer.id)
