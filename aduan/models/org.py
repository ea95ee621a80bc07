"""Who works where: agencies, their units and their officers."""

from __future__ import annotations

import datetime as dt

from flask_login import UserMixin
from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    ForeignKey,
    Index,
    String,
    Table,
    Time,
    func,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from aduan.extensions import db
from aduan.models.base import JSONType, UTCDateTime, utcnow
from aduan.vocabulary import Role

STATE_CODES = tuple(f"{n:02d}" for n in range(1, 17))

officer_units = Table(
    "officer_units",
    db.metadata,
    Column("officer_id", ForeignKey("officers.id", ondelete="CASCADE"), primary_key=True),
    Column("unit_id", ForeignKey("units.id", ondelete="CASCADE"), primary_key=True),
)


class Agency(db.Model):
    __tablename__ = "agencies"
    __tenant__ = "self"  # aduan/services/tenancy.py

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    state_code: Mapped[str] = mapped_column(String(2), default="16")
    office_open: Mapped[dt.time] = mapped_column(Time, default=dt.time(8, 0))
    office_close: Mapped[dt.time] = mapped_column(Time, default=dt.time(17, 0))
    triage_unit_id: Mapped[int | None] = mapped_column(
        ForeignKey("units.id", use_alter=True, ondelete="SET NULL")
    )
    head_officer_id: Mapped[int | None] = mapped_column(
        ForeignKey("officers.id", use_alter=True, ondelete="SET NULL")
    )
    settings: Mapped[dict] = mapped_column(JSONType, default=dict)
    charter_reviewed_on: Mapped[dt.date | None]
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    units: Mapped[list[Unit]] = relationship(back_populates="agency", foreign_keys="Unit.agency_id")


class Unit(db.Model):
    __tablename__ = "units"
    __tenant__ = "agency"  # aduan/services/tenancy.py
    __table_args__ = (CheckConstraint(f"state_code IN {STATE_CODES!r}", name="state_code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"), index=True)
    code: Mapped[str] = mapped_column(String(30))
    name: Mapped[str] = mapped_column(String(200))
    state_code: Mapped[str] = mapped_column(String(2))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("units.id", ondelete="SET NULL"))
    head_officer_id: Mapped[int | None] = mapped_column(
        ForeignKey("officers.id", use_alter=True, ondelete="SET NULL")
    )
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    agency: Mapped[Agency] = relationship(back_populates="units", foreign_keys=[agency_id])
    parent: Mapped[Unit | None] = relationship(remote_side=[id])


class Officer(UserMixin, db.Model):
    __tablename__ = "officers"
    __tenant__ = "agency"  # aduan/services/tenancy.py

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"), index=True)
    username: Mapped[str] = mapped_column(String(80), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str] = mapped_column(String(254))
    password_hash: Mapped[str] = mapped_column(String(255))
    roles: Mapped[list] = mapped_column(JSONType, default=list)
    # The platform role sits outside ``roles``: an agency admin edits an officer's agency
    # roles, never this one (granted only by ``flask platform-admin`` or the demo seed).
    platform_admin: Mapped[bool] = mapped_column(Boolean, default=False, server_default="false")
    locale: Mapped[str] = mapped_column(String(5), default="ms")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    failed_logins: Mapped[int] = mapped_column(default=0)
    locked_until: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    session_version: Mapped[int] = mapped_column(default=1)
    # Two-factor sign-in (TOTP): the secret sealed at rest (``services/auth/two_factor.py``),
    # when it was confirmed, and the last time step used (a code works once).
    totp_secret: Mapped[str | None] = mapped_column(String(255))
    totp_enabled_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    totp_last_step: Mapped[int | None] = mapped_column(BigInteger)
    # The id of the TicketEvent of this officer's latest roster assignment: the round-robin
    # tie-break, kept here so choosing an officer never scans the timeline.
    last_assigned_event_id: Mapped[int | None] = mapped_column(BigInteger)
    # Open tickets assigned to this officer, kept by ``tickets.loads`` in the transaction that
    # changes a ticket and reconciled by a periodic job: choosing a duty officer reads one row
    # per candidate instead of counting their tickets.
    open_ticket_count: Mapped[int] = mapped_column(default=0, server_default="0")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    units: Mapped[list[Unit]] = relationship(secondary=officer_units)

    def has_role(self, role: str) -> bool:
        """True if the officer holds ``role``; the platform role only through its column."""
        if role == Role.PLATFORM_ADMIN:
            return bool(self.platform_admin)
        return role in (self.roles or [])

    @property
    def is_active(self) -> bool:  # Flask-Login: a deactivated officer cannot sign in
        return bool(self.active)


# Sign-in compares usernames in lower case, so they are unique in lower case across the
# deployment: ``ADMIN`` of one agency cannot shadow ``admin`` of another (migration 0015).
Index("uq_officers_username_lower", func.lower(Officer.username), unique=True)
