"""Officer sign-in: password check, failure counting and temporary lock-out.

Two counters, so that nobody can lock an officer out from somewhere else:

- per account **and source address** (Redis, expiring): ``LOGIN_MAX_FAILURES`` (5) wrong
  passwords from one address lock that account *from that address* for ``LOGIN_LOCK_MINUTES``
  (15). An IPv6 address counts as its /64, which one machine usually holds whole.
- per account, from any address (``Officer.failed_logins`` / ``locked_until``): every
  ``LOGIN_ACCOUNT_MAX_FAILURES`` (50) failures since the last success lock the account
  everywhere, for ``LOGIN_ACCOUNT_LOCK_MINUTES`` (5) doubled at each further step, at most a day.
  Attempts refused by a lock are not counted, so a locked address adds nothing.

Every attempt runs exactly one argon2 verification — against the officer's hash, or a dummy
hash for an unknown username — before any lock is looked at, so the time taken does not tell
whether the account exists or is locked; and every refusal looks the same to the caller.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import ipaddress
import logging

from flask import current_app
from sqlalchemy import func, select, update

from aduan.extensions import db
from aduan.models import Officer
from aduan.models.base import utcnow
from aduan.redis_conn import get_redis
from aduan.services.auth import devices, passwords

log = logging.getLogger(__name__)

MAX_FAILURES = 5
LOCK_MINUTES = 15
ACCOUNT_MAX_FAILURES = 50
ACCOUNT_LOCK_MINUTES = 5
ACCOUNT_LOCK_CAP_MINUTES = 24 * 60
# Verified when the username is unknown, so both refusals take the same time.
_DUMMY_HASH: list[str] = []


def _setting(name: str, default: int) -> int:
    return int(current_app.config.get(name, default))


def authenticate(
    username: str, password: str, address: str | None, now: dt.datetime | None = None
) -> Officer | None:
    """The officer if ``username``/``password`` are right and the account may sign in now
    from ``address`` (the client's IP address)."""
    now = now or utcnow()
    officer = _find(username)
    password_ok = passwords.verify_password(_hash_of(officer), password or "")
    if officer is None:
        log.info("sign_in=refused reason=unknown_user")
        return None
    if _locked(officer, address, now):
        return None
    if not password_ok:
        _record_failure(officer, address, now)
        return None
    if not officer.active:
        log.info("sign_in=refused reason=inactive officer_id=%s", officer.id)
        return None
    _record_success(officer, address, password)
    return officer


def _find(username: str) -> Officer | None:
    wanted = (username or "").strip().lower()
    return db.session.scalar(select(Officer).where(func.lower(Officer.username) == wanted))


def _hash_of(officer: Officer | None) -> str:
    if officer is None or not officer.password_hash:
        return _dummy_hash()
    return officer.password_hash


def _dummy_hash() -> str:
    if not _DUMMY_HASH:
        _DUMMY_HASH.append(passwords.hash_password("not a password of anyone"))
    return _DUMMY_HASH[0]


def _locked(officer: Officer, address: str | None, now: dt.datetime) -> bool:
    if officer.locked_until is not None and officer.locked_until > now:
        log.info("sign_in=refused reason=account_back_off officer_id=%s", officer.id)
        return True
    if address_locked_until(officer, address, now) is not None:
        log.info("sign_in=refused reason=address_locked officer_id=%s", officer.id)
        return True
    return False


def address_locked_until(
    officer: Officer, address: str | None, now: dt.datetime | None = None
) -> dt.datetime | None:
    """When the lock of ``officer`` from ``address`` ends, or None if it is not locked."""
    client = get_redis(current_app)
    key = _address_key(officer, address)
    failures = int(client.get(key) or 0)
    if failures < _setting("LOGIN_MAX_FAILURES", MAX_FAILURES):
        return None
    remaining_ms = max(int(client.pttl(key)), 0)
    return (now or utcnow()) + dt.timedelta(milliseconds=remaining_ms)


def _address_key(officer: Officer, address: str | None) -> str:
    """No address in clear: the key names the account and a digest of its source network."""
    network = _source_network(address)
    digest = hashlib.sha256(f"{officer.id}|{network}".encode()).hexdigest()[:32]
    return f"{current_app.config.get('QUEUE_PREFIX') or ''}aduan:sign_in:failures:{digest}"


def _source_network(address: str | None) -> str:
    try:
        ip = ipaddress.ip_address((address or "").strip())
    except ValueError:
        return "unknown"
    if ip.version == 4:
        return str(ip)
    if ip.ipv4_mapped is not None:
        return str(ip.ipv4_mapped)
    return str(ipaddress.ip_network(f"{ip}/64", strict=False))


def _record_failure(officer: Officer, address: str | None, now: dt.datetime) -> None:
    from_address = _count_address_failure(officer, address)
    failures = _count_account_failure(officer, now)
    db.session.commit()
    log.info(
        "sign_in=refused reason=password officer_id=%s address_failures=%s account_failures=%s",
        officer.id, from_address, failures,
    )  # fmt: skip


def _count_address_failure(officer: Officer, address: str | None) -> int:
    lock_seconds = _setting("LOGIN_LOCK_MINUTES", LOCK_MINUTES) * 60
    with get_redis(current_app).pipeline() as pipe:
        pipe.incr(_address_key(officer, address))
        pipe.expire(_address_key(officer, address), lock_seconds)  # the lock runs from the last
        failures = int(pipe.execute()[0])
    if failures == _setting("LOGIN_MAX_FAILURES", MAX_FAILURES):
        log.warning("sign_in=locked scope=address officer_id=%s", officer.id)
    return failures


def _count_account_failure(officer: Officer, now: dt.datetime) -> int:
    # An atomic increment: parallel wrong guesses from many addresses are all counted.
    failures = db.session.scalar(
        update(Officer)
        .where(Officer.id == officer.id)
        .values(failed_logins=Officer.failed_logins + 1)
        .returning(Officer.failed_logins)
    )
    step = _setting("LOGIN_ACCOUNT_MAX_FAILURES", ACCOUNT_MAX_FAILURES)
    if failures % step == 0:
        locked_until = now + _back_off(failures // step)
        db.session.execute(
            update(Officer).where(Officer.id == officer.id).values(locked_until=locked_until)
        )
        log.warning(
            "sign_in=locked scope=account officer_id=%s until=%s failures=%s",
            officer.id, locked_until.isoformat(), failures,
        )  # fmt: skip
    return failures


def _back_off(level: int) -> dt.timedelta:
    """The account-wide lock after the ``level``-th step of failures: doubling, capped."""
    base = _setting("LOGIN_ACCOUNT_LOCK_MINUTES", ACCOUNT_LOCK_MINUTES)
    minutes = min(base * 2 ** min(level - 1, 20), ACCOUNT_LOCK_CAP_MINUTES)
    return dt.timedelta(minutes=minutes)


def _record_success(officer: Officer, address: str | None, password: str) -> None:
    get_redis(current_app).delete(_address_key(officer, address))
    officer.failed_logins = 0
    officer.locked_until = None
    if passwords.needs_rehash(officer.password_hash):
        officer.password_hash = passwords.hash_password(password)
    db.session.commit()
    log.info("sign_in=ok officer_id=%s", officer.id)


def sign_out(officer: Officer, device_key: str | None) -> None:
    """End ``officer``'s session on the server, not only in the browser: the device record the
    session cookie names is revoked, so a copy of the cookie is refused afterwards. The
    officer's other devices stay signed in (they end from the account page, or everywhere)."""
    devices.revoke_key(officer.id, device_key)
    log.info("sign_out=ok officer_id=%s", officer.id)


def sign_out_everywhere(officer: Officer) -> None:
    """Invalidate every session of ``officer`` (the session carries ``session_version``)."""
    devices.revoke_all(officer.id)
    _bump_session_version(officer)
    log.info("sign_out=everywhere officer_id=%s", officer.id)


def _bump_session_version(officer: Officer) -> None:
    db.session.execute(
        update(Officer)
        .where(Officer.id == officer.id)
        .values(session_version=Officer.session_version + 1)
    )
    db.session.commit()
