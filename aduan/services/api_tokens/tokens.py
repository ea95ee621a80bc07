"""Agency API tokens: the admin page's one write path (create, revoke — validated, scoped to
the admin's agency, audited) and the check every ``/api/v1`` call makes.

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
from sqlalchemy import select

from aduan.extensions import db
from aduan.models import Officer
from aduan.models.api import SCOPES, ApiToken
from aduan.models.base import utcnow
from aduan.services.admin import common as f

PREFIX = "adn_"
TOUCH_EVERY = dt.timedelta(minutes=1)  # last-used time: at most one write a minute
NO_SCOPE = _l("Choose at least one scope.")
SAFE_FIELDS = ("name", "prefix", "scopes", "revoked_at")


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
    f.fail_if(errors)
    secret = PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        agency_id=admin.agency_id, name=name, prefix=secret[: len(PREFIX) + 6],
        token_hash=hash_secret(secret), scopes=scopes, created_by_id=admin.id,
    )  # fmt: skip
    db.session.add(token)
    db.session.flush()
    f.audit(admin, "api_token", token.id, "create", None, f.snapshot(token, SAFE_FIELDS))
    return token, secret


def revoke(admin: Officer, token_id: int | str) -> ApiToken:
    """Revoke one of the admin's agency's tokens (another agency's is ``NotFound``)."""
    token = f.own(ApiToken, token_id, admin.agency_id)
    if token.revoked_at is None:
        before = f.snapshot(token, SAFE_FIELDS)
        token.revoked_at = utcnow()
        f.audit(admin, "api_token", token.id, "revoke", before, f.snapshot(token, SAFE_FIELDS))
    return token


def authenticate(secret: str | None) -> ApiToken | None:
    """The active token with this secret, its last-used time kept; None otherwise."""
    if not secret or not secret.startswith(PREFIX) or len(secret) > 200:
        return None
    token = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == hash_secret(secret)))
    if token is None or not token.is_active:
        return None
    now = utcnow()
    if token.last_used_at is None or now - token.last_used_at > TOUCH_EVERY:
        token.last_used_at = now
        db.session.commit()
    return token
