"""Agency API tokens: the admin page's one write path (create, rotate, revoke — validated,
scoped to the admin's agency, audited) and the check every ``/api/v1`` call makes.

A token may carry an expiry date (valid through that day, local time); after it, and for an
old secret once its rotation's grace period (``ROTATION_GRACE``) is over, the answer is a
clear ``401 token_expired`` rather than "unknown".

The secret is 32 random bytes shown once; only its SHA-256 is stored (a random secret of that
length needs no slow hash). A revoked token is refused from the next request on: nothing
caches a token's standing.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Mapping

from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, select

from aduan.errors import TokenRefused
from aduan.extensions import db
from aduan.models import Officer
from aduan.models.api import SCOPES, ApiToken
from aduan.models.base import utcnow
from aduan.services.admin import common as f
from aduan.services.sla.clock import local_moment, local_today

PREFIX = "adn_"
TOUCH_EVERY = dt.timedelta(minutes=1)  # last-used time: at most one write a minute
NO_SCOPE = _l("Choose at least one scope.")
EXPIRED = _l("This API token has expired: ask your agency's administrator for a new one.")
ROTATED = _l("This API token was rotated and its old secret no longer works: use the new one.")
REVOKED = _l("This API token is revoked.")
SAFE_FIELDS = ("name", "prefix", "scopes", "revoked_at", "expires_at", "rotated_at")
ROTATION_GRACE = dt.timedelta(hours=24)  # the old secret keeps working while systems switch
WARN_BEFORE = dt.timedelta(days=14)  # the admin page warns of an expiry this close
PAST_EXPIRY = _l("Choose a date from today on.")


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def list_for(agency_id: int) -> list[ApiToken]:
    """The agency's tokens, newest first (revoked ones too: their history stays visible)."""
    query = select(ApiToken).where(ApiToken.agency_id == agency_id)
    return list(db.session.scalars(query.order_by(ApiToken.id.desc())))


def create(admin: Officer, form: Mapping) -> tuple[ApiToken, str]:
    """A new token of the admin's agency and its secret (shown once, never stored)."""
    errors: f.Errors = {}
    name = f.text(form, "name", errors, max_len=80)
    scopes = f.choices(form, "scopes", errors, SCOPES)
    if not scopes and "scopes" not in errors:
        f.add(errors, "scopes", NO_SCOPE)
    expires_on = f.date(form, "expires_on", errors, required=False)
    if expires_on is not None and expires_on < local_today():
        f.add(errors, "expires_on", PAST_EXPIRY)
    f.fail_if(errors)
    secret = PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        agency_id=admin.agency_id, name=name, prefix=secret[: len(PREFIX) + 6],
        token_hash=hash_secret(secret), scopes=scopes, created_by_id=admin.id,
        expires_at=_end_of(expires_on),
    )  # fmt: skip
    db.session.add(token)
    db.session.flush()
    f.audit(admin, "api_token", token.id, "create", None, f.snapshot(token, SAFE_FIELDS))
    return token, secret


def _end_of(day: dt.date | None) -> dt.datetime | None:
    """Valid through ``day``: until local midnight after it."""
    if day is None:
        return None
    return local_moment(day + dt.timedelta(days=1), dt.time(0)).astimezone(dt.UTC)


def rotate(admin: Officer, token_id: int | str) -> tuple[ApiToken, str]:
    """A new secret for one of the admin's agency's active tokens (shown once); the old one
    is accepted for ``ROTATION_GRACE`` more, then refused. Another agency's is ``NotFound``."""
    token = f.own(ApiToken, token_id, admin.agency_id)
    if token.revoked_at is not None:
        f.fail_if({"token": [str(REVOKED)]}, str(REVOKED))
    before = f.snapshot(token, SAFE_FIELDS)
    secret = PREFIX + secrets.token_urlsafe(32)
    now = utcnow()
    token.previous_hash, token.previous_valid_until = token.token_hash, now + ROTATION_GRACE
    token.token_hash, token.prefix = hash_secret(secret), secret[: len(PREFIX) + 6]
    token.rotated_at = now
    f.audit(admin, "api_token", token.id, "rotate", before, f.snapshot(token, SAFE_FIELDS))
    return token, secret


def expiring(rows: list[ApiToken], now: dt.datetime | None = None) -> list[ApiToken]:
    """The active tokens among ``rows`` that expire within ``WARN_BEFORE`` (or have)."""
    now = now or utcnow()
    return [t for t in rows if t.is_active and t.expires_at and t.expires_at - now < WARN_BEFORE]


def revoke(admin: Officer, token_id: int | str) -> ApiToken:
    """Revoke one of the admin's agency's tokens (another agency's is ``NotFound``)."""
    token = f.own(ApiToken, token_id, admin.agency_id)
    if token.revoked_at is None:
        before = f.snapshot(token, SAFE_FIELDS)
        token.revoked_at = utcnow()
        f.audit(admin, "api_token", token.id, "revoke", before, f.snapshot(token, SAFE_FIELDS))
    return token


def authenticate(secret: str | None) -> ApiToken | None:
    """The active token with this secret (or its previous one, within the grace period), its
    last-used time kept; None when unknown or revoked; ``TokenRefused`` when it expired or
    the old secret's grace period is over."""
    if not secret or not secret.startswith(PREFIX) or len(secret) > 200:
        return None
    digest = hash_secret(secret)
    token = db.session.scalar(select(ApiToken).where(
        or_(ApiToken.token_hash == digest, ApiToken.previous_hash == digest)))  # fmt: skip
    if token is None or not token.is_active:
        return None
    now = utcnow()
    if token.token_hash != digest and now >= token.previous_valid_until:
        raise TokenRefused(str(ROTATED))
    if token.expires_at is not None and now >= token.expires_at:
        raise TokenRefused(str(EXPIRED))
    if token.last_used_at is None or now - token.last_used_at > TOUCH_EVERY:
        token.last_used_at = now
        db.session.commit()
    return token
