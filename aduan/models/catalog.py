"""What an agency promises: categories, SLA profiles, holiday overrides and office closures."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from aduan.extensions import db
from aduan.models.base import JSONType, UTCDateTime, utcnow


class SlaProfile(db.Model):
    """Targets in working days; every number is the agency's to set (domain.md defaults)."""

    __tablename__ = "sla_profiles"
    __tenant__ = "agency"  # aduan/services/tenancy.py
    __table_args__ = (UniqueConstraint("agency_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    acknowledge_days: Mapped[int] = mapped_column(default=1)
    first_response_days: Mapped[int] = mapped_column(default=7)
    resolve_days: Mapped[int] = mapped_column(default=15)
    resolve_days_complex: Mapped[int] = mapped_column(default=365)
    warn_fractions: Mapped[list] = mapped_column(JSONType, default=lambda: [0.5, 0.8])
    warn_days_before: Mapped[int] = mapped_column(default=1)


class Category(db.Model):
    __tablename__ = "categories"
    __tenant__ = "agency"  # aduan/services/tenancy.py
    __table_args__ = (UniqueConstraint("agency_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"), index=True)
    code: Mapped[str] = mapped_column(String(30))
    name_ms: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))
    default_unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id", ondelete="SET NULL"))
    sla_profile_id: Mapped[int | None] = mapped_column(
        ForeignKey("sla_profiles.id", ondelete="SET NULL")
    )
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    sla_profile: Mapped[SlaProfile | None] = relationship()

    def name(self, locale: str = "ms") -> str:
        return self.name_en if locale.startswith("en") else self.name_ms


class HolidayOverride(db.Model):
    """A holiday declared after the release we ship (cuti peristiwa), or one cancelled.

    ``state_code`` None means national. ``is_holiday`` False turns that date into a working day.
    National data: every agency's deadlines read it, so only platform administrators edit it;
    an agency's own closed days are ``OfficeClosure`` rows.
    """

    __tablename__ = "holiday_overrides"
    __tenant__ = "national"  # aduan/services/tenancy.py

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[dt.date] = mapped_column(index=True)
    state_code: Mapped[str | None] = mapped_column(String(2))
    name: Mapped[str] = mapped_column(String(200))
    is_holiday: Mapped[bool] = mapped_column(Boolean, default=True)
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("officers.id", ondelete="SET NULL")
    )
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class OfficeClosure(db.Model):
    """A day one agency's offices are closed (a staff retreat, a flood, a move): a rest day in
    that agency's deadlines only, never in another agency's.

    ``state_code`` None closes every office of the agency; a code closes its offices (units) in
    that state. The national calendar is ``HolidayOverride``, edited by platform administrators.
    """

    __tablename__ = "office_closures"
    __tenant__ = "agency"  # aduan/services/tenancy.py
    __table_args__ = (
        UniqueConstraint("agency_id", "day", "state_code", name="uq_office_closures_day"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"), index=True)
    day: Mapped[dt.date]
    state_code: Mapped[str | None] = mapped_column(String(2))
    name: Mapped[str] = mapped_column(String(200))
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("officers.id", ondelete="SET NULL")
    )
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
