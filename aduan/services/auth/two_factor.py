"""Two-factor sign-in with TOTP (RFC 6238, ``pyotp``) and single-use recovery codes.

Required for agency and platform administrators (they hold channel secrets and API tokens):
``needs_enrolment`` tells the admin pages to send them to enrol first. Optional for everyone
else. The secret is sealed at rest with its own key (``services/sealing.py``); a code is
accepted once (the last used time step is kept) within one step of clock drift. Recovery codes
are stored as SHA-256 and each opens one sign-in.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import secrets

import pyotp
from sqlalchemy import delete, or_, update

from aduan.extensions import db
from aduan.models import Officer, RecoveryCode
from aduan.models.base import utcnow
from aduan.services.sealing import fernet
from aduan.vocabulary import Role

log = logging.getLogger(__name__)

PURPOSE = b"aduan-officer-totp"
ISSUER = "Aduan"
RECOVERY_CODES = 10
STEP_SECONDS = 30
DRIFT_STEPS = 1


def required_for(officer: Officer) -> bool:
    """True when ``officer`` must sign in with two factors (administrators)."""
    return officer.has_role(Role.ADMIN) or officer.has_role(Role.PLATFORM_ADMIN)


def is_enrolled(officer: Officer) -> bool:
    """True when ``officer`` has confirmed a TOTP app."""
    return officer.totp_enabled_at is not None and bool(officer.totp_secret)


def needs_enrolment(officer: Officer) -> bool:
    """True when ``officer`` must enrol before reaching an administrator's page."""
    return required_for(officer) and not is_enrolled(officer)


def new_secret() -> str:
    """A fresh base32 TOTP secret (shown once as a QR code and as text while enrolling)."""
    return pyotp.random_base32()


def provisioning_uri(officer: Officer, secret: str) -> str:
    """The ``otpauth://`` address an authenticator app reads from the QR code."""
    return pyotp.TOTP(secret).provisioning_uri(name=officer.username, issuer_name=ISSUER)


def enrol(officer: Officer, secret: str, code: str, now: dt.datetime | None = None) -> list[str]:
    """Confirm ``secret`` with a ``code`` from the officer's app and switch two-factor on.
    Returns the new recovery codes (shown once), or an empty list when the code is wrong."""
    now = now or utcnow()
    step = _matching_step(secret, code, now, after=None)
    if step is None:
        return []
    officer.totp_secret = fernet(PURPOSE).encrypt(secret.encode()).decode()
    officer.totp_enabled_at = now
    officer.totp_last_step = step
    codes = _replace_recovery_codes(officer)
    db.session.commit()
    log.info("two_factor=enrolled officer_id=%s", officer.id)
    return codes


def verify(officer: Officer, code: str, now: dt.datetime | None = None) -> bool:
    """True when ``code`` is a current TOTP code not used before, or an unused recovery code
    (which is then spent)."""
    if not is_enrolled(officer):
        return False
    cleaned = "".join((code or "").split())
    if cleaned.isdigit() and len(cleaned) == 6:
        return _use_totp(officer, cleaned, now or utcnow())
    return _use_recovery_code(officer, cleaned, now or utcnow())


def regenerate_recovery_codes(officer: Officer) -> list[str]:
    """New recovery codes for ``officer``; the old ones stop working."""
    codes = _replace_recovery_codes(officer)
    db.session.commit()
    log.info("two_factor=recovery_codes_renewed officer_id=%s", officer.id)
    return codes


def remaining_recovery_codes(officer: Officer) -> int:
    """How many of ``officer``'s recovery codes are still unused."""
    return db.session.scalar(
        db.select(db.func.count(RecoveryCode.id)).where(
            RecoveryCode.officer_id == officer.id, RecoveryCode.used_at.is_(None)
        )
    )


def disable(officer: Officer) -> bool:
    """Switch two-factor off for ``officer`` (refused for administrators, who must keep it)."""
    if required_for(officer):
        return False
    officer.totp_secret = None
    officer.totp_enabled_at = None
    officer.totp_last_step = None
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.officer_id == officer.id))
    db.session.commit()
    log.info("two_factor=disabled officer_id=%s", officer.id)
    return True


def _secret_of(officer: Officer) -> str:
    return fernet(PURPOSE).decrypt(officer.totp_secret.encode()).decode()


def _matching_step(secret: str, code: str, now: dt.datetime, after: int | None) -> int | None:
    totp = pyotp.TOTP(secret, interval=STEP_SECONDS)
    current = int(now.timestamp()) // STEP_SECONDS
    for step in range(current - DRIFT_STEPS, current + DRIFT_STEPS + 1):
        if after is not None and step <= after:
            continue
        if secrets.compare_digest(totp.at(step * STEP_SECONDS), code):
            return step
    return None


def _use_totp(officer: Officer, code: str, now: dt.datetime) -> bool:
    step = _matching_step(_secret_of(officer), code, now, after=officer.totp_last_step)
    if step is None:
        return False
    claimed = db.session.execute(  # two requests with one code: only one wins
        update(Officer)
        .where(
            Officer.id == officer.id,
            or_(Officer.totp_last_step.is_(None), Officer.totp_last_step < step),
        )
        .values(totp_last_step=step)
    )
    db.session.commit()
    return bool(claimed.rowcount)


def _use_recovery_code(officer: Officer, code: str, now: dt.datetime) -> bool:
    spent = db.session.execute(
        update(RecoveryCode)
        .where(
            RecoveryCode.officer_id == officer.id,
            RecoveryCode.code_hash == _digest(code),
            RecoveryCode.used_at.is_(None),
        )
        .values(used_at=now)
    )
    db.session.commit()
    if spent.rowcount:
        log.info("two_factor=recovery_code_used officer_id=%s", officer.id)
    return bool(spent.rowcount)


def _replace_recovery_codes(officer: Officer) -> list[str]:
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.officer_id == officer.id))
    codes = [_new_recovery_code() for _ in range(RECOVERY_CODES)]
    db.session.add_all(
        RecoveryCode(agency_id=officer.agency_id, officer_id=officer.id, code_hash=_digest(c))
        for c in codes
    )
    return codes


def _new_recovery_code() -> str:
    raw = secrets.token_hex(5)
    return f"{raw[:5]}-{raw[5:]}"


def _digest(code: str) -> str:
    normal = code.strip().lower().replace("-", "").replace(" ", "")
    return hashlib.sha256(normal.encode()).hexdigest()
