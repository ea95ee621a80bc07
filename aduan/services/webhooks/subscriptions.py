"""A subscription's secret and URL rules, and the sending policy of this deployment.

The secret signs every delivery (``signing``); it is made here, shown to the admin once and
kept Fernet-encrypted (``ADUAN_ENCRYPTION_KEY``, else derived from ``SECRET_KEY``, as channel
secrets are, under a key of its own)."""

from __future__ import annotations

import secrets as token_source

from cryptography.fernet import Fernet, InvalidToken
from flask import current_app

from aduan.extensions import db
from aduan.models.webhooks import WebhookSubscription
from aduan.services import sealing
from aduan.services.tenancy import scoped
from aduan.services.webhooks.sending import SendPolicy, WebhookRefused, parse

EVENTS = (
    "ticket.created",
    "ticket.status_changed",
    "ticket.assigned",
    "ticket.replied",
    "ticket.breached",
    "ticket.resolved",
    "ticket.closed",
)
SECRET_PREFIX = "whsec_"  # noqa: S105  (a prefix, not a secret)
ENCRYPTED_PREFIX = "fernet:"


def new_secret() -> str:
    """A fresh signing secret (256 random bits)."""
    return SECRET_PREFIX + token_source.token_urlsafe(32)


def seal(secret: str) -> str:
    """The secret as stored."""
    return ENCRYPTED_PREFIX + _fernet().encrypt(secret.encode()).decode()


def unseal(stored: str) -> str:
    """The secret from its stored form (ValueError when the encryption key changed)."""
    try:
        return _fernet().decrypt(stored[len(ENCRYPTED_PREFIX) :].encode()).decode()
    except InvalidToken:
        raise ValueError("cannot decrypt the webhook secret: encryption key changed?")


def policy() -> SendPolicy:
    """This deployment's sending rules (``WEBHOOK_*`` settings)."""
    config = current_app.config
    return SendPolicy(
        trusted=frozenset(h.lower() for h in config.get("WEBHOOK_TRUSTED_HOSTS") or ()),
        https_only=config.get("ENV_NAME") == "production",
        read_seconds=float(config.get("WEBHOOK_TIMEOUT_SECONDS") or 10),
    )


def url_problem(url: str) -> str | None:
    """Why ``url`` cannot be subscribed (https, no credentials, no private address literal),
    or None. Names are resolved at each delivery, not here (DNS answers change)."""
    try:
        parse(url, policy())
    except WebhookRefused as exc:
        return str(exc)
    return None


def active_for(agency_id: int) -> list[WebhookSubscription]:
    """The agency's active subscriptions (the wall: ``agency_id`` is the ticket's)."""
    query = scoped(db.select(WebhookSubscription), WebhookSubscription, agency_id)
    query = query.where(WebhookSubscription.active.is_(True)).order_by(WebhookSubscription.id)
    return list(db.session.scalars(query))


def _fernet() -> Fernet:
    return sealing.fernet(b"aduan-webhook-secrets")
