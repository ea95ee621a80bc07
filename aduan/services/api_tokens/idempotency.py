"""``Idempotency-Key`` on creates: a retried POST with the same key (per token) returns the
ticket the first one made instead of a second one.

Two layers: the key becomes the create's provider id (``entry_id``, a UUID-5 of principal and
key), so intake itself stores one event however many requests race; and the (token, key) row
here answers a retry without touching intake and refuses a key reused for another endpoint.
"""

from __future__ import annotations

import uuid

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from aduan.errors import ValidationFailed
from aduan.extensions import db
from aduan.models import Officer, Ticket
from aduan.models.api import ApiToken, IdempotencyRecord

NAMESPACE = uuid.UUID("5b0f3a8e-7d1c-4f0e-9a51-6a0d7c2e9b13")
KEY_REUSED = _l("This Idempotency-Key was used for another request.")
BAD_KEY = _l("An Idempotency-Key is 1 to 200 visible characters.")


def check_key(key: str | None) -> str | None:
    """The key, or None when there is none; a malformed key is refused."""
    if key is None:
        return None
    if not 0 < len(key) <= 200 or not key.isascii() or not key.isprintable():
        raise ValidationFailed(BAD_KEY, errors={"Idempotency-Key": [str(BAD_KEY)]})
    return key


def provider_id(principal: Officer | ApiToken, key: str | None, endpoint: str) -> str:
    """A provider id for intake: fixed by (principal, key, endpoint); random without a key."""
    if key is None:
        return str(uuid.uuid4())
    kind = "token" if isinstance(principal, ApiToken) else "officer"
    return str(uuid.uuid5(NAMESPACE, f"{kind}:{principal.id}:{endpoint}:{key}"))


def replay(principal: Officer | ApiToken, key: str | None, endpoint: str) -> Ticket | None:
    """The ticket a token's earlier request with ``key`` returned, if any."""
    if key is None or not isinstance(principal, ApiToken):
        return None
    row = db.session.scalar(
        select(IdempotencyRecord).where(
            IdempotencyRecord.token_id == principal.id, IdempotencyRecord.key == key
        )
    )
    if row is None:
        return None
    if row.endpoint != endpoint:
        raise ValidationFailed(KEY_REUSED, errors={"Idempotency-Key": [str(KEY_REUSED)]})
    return db.session.get(Ticket, row.ticket_id) if row.ticket_id else None


def remember(principal: Officer | ApiToken, key: str | None, endpoint: str, ticket: Ticket):
    """Keep (token, key) → ticket; a concurrent first request's row is as good as ours."""
    if key is None or not isinstance(principal, ApiToken) or ticket is None:
        return
    try:
        with db.session.begin_nested():
            db.session.add(IdempotencyRecord(
                token_id=principal.id, key=key, endpoint=endpoint, ticket_id=ticket.id
            ))  # fmt: skip
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
