"""Holiday overrides from the database, as calendar rules."""

from __future__ import annotations

from aduan.extensions import db
from aduan.models import HolidayOverride
from aduan.services.sla.working_calendar import HolidayRule


def load_holiday_rules() -> list[HolidayRule]:
    rows = db.session.scalars(db.select(HolidayOverride).order_by(HolidayOverride.day))
    return [
        HolidayRule(day=r.day, state_code=r.state_code, name=r.name, is_holiday=r.is_holiday)
        for r in rows
    ]
