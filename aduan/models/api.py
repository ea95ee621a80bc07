"""The public API's own rows: agency API tokens and the idempotency keys of creates.

A token may expire (``expires_at``) and be rotated: a new secret, the old one still accepted
for a grace period (``previous_hash`` until ``previous_valid_until``).

A token is an *integration principal*: it acts agency-wide (``tickets.access`` treats it as
the ``integration`` role), limited by its scopes. Only a SHA-256 of the secret is stored; the
secret is shown once, when an admin creates the token.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from aduan.extensions import db
from aduan.models.base import JSONType, UTCDateTime, utcnow

SCOPES = ("read", "write", "citizen")


class ApiToken(db.Model):
    """One agency's API token: a name, hashed secret, scopes; revoked by setting a time."""

    __tablename__ = "api_tokens"
    __tenant__ = "agency"  # aduan/services/tenancy.py

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(
        ForeignKey("agencies.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(80))
    prefix: Mapped[str] = mapped_column(String(16))  # shown in lists to tell tokens apart
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    scopes: Mapped[list] = mapped_column(JSONType, default=list)
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("officers.id", ondelete="SET NULL")
    )
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_used_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    expires_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)  # None: never
    rotated_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    # After a rotation the old secret's hash, accepted until ``previous_valid_until``.
    previous_hash: Mapped[str | None] = mapped_column(String(64), unique=True, index=True)
    previous_valid_until: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    # What the services ask of an actor (``access``, ``workflow.record_event``).
    actor_kind = "integration"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None

    def has_role(self, role: str) -> bool:
        return role == "integration"

    def has_scope(self, scope: str) -> bool:
        return scope in (self.scopes or [])

    @property
    def audit_data(self) -> dict:
        """Who acted, on every TicketEvent this token causes."""
        return {"api_token_id": self.id, "api_token": self.name}


class IdempotencyRecord(db.Model):
    """A create already answered: (token, key) → the ticket it returned. A retry with the
    same key gets that ticket again instead of a second one."""

    __tablename__ = "api_idempotency_keys"
    __tenant__ = "via:token_id"  # aduan/services/tenancy.py
    __table_args__ = (
        UniqueConstraint("token_id", "key", name="uq_api_idempotency_keys_token_key"),
        Index("ix_api_idempotency_keys_created", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    token_id: Mapped[int] = mapped_column(ForeignKey("api_tokens.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(200))
    endpoint: Mapped[str] = mapped_column(String(80))
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"))
    status_code: Mapped[int] = mapped_column(default=201)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
