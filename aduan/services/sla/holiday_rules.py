"""The national holiday overrides and one agency's office closures, as calendar rules."""

from __future__ import annotations

from aduan.extensions import db
from aduan.models import HolidayOverride, OfficeClosure
from aduan.services.sla.working_calendar import HolidayRule


def load_holiday_rules() -> list[HolidayRule]:
    """The national override table (every agency's calendar reads it)."""
    rows = db.session.scalars(db.select(HolidayOverride).order_by(HolidayOverride.day))
    return [
        HolidayRule(day=r.day, state_code=r.state_code, name=r.name, is_holiday=r.is_holiday)
        for r in rows
    ]


def load_office_closures(agency_id: int) -> list[HolidayRule]:
    """Agency ``agency_id``'s closed days, as holidays (in every state, or in one)."""
    query = db.select(OfficeClosure).where(OfficeClosure.agency_id == agency_id)
    rows = db.session.scalars(query.order_by(OfficeClosure.day))
    return [
        HolidayRule(day=r.day, state_code=r.state_code, name=r.name, is_holiday=True) for r in rows
    ]
