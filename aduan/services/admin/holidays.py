"""The national calendar's overrides (cuti peristiwa, cancelled holidays, replacement working
days), for the whole country or one state.

The override table is national data: every agency's deadlines read it, so only a platform
administrator changes it (``require_platform_admin``, checked here as well as on the pages);
an agency admin reads it and adds the agency's own closed days instead (``admin.closures``).
Every change is audited under the platform administrator's own agency (entity
``national_holiday``). After a change each process drops its cached calendars:
``deadlines.calendar_changed``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask_babel import lazy_gettext as _l

from aduan.errors import NotFound, PermissionDenied
from aduan.extensions import db
from aduan.models import HolidayOverride, Officer
from aduan.services.admin import calendar_days
from aduan.services.admin import common as f
from aduan.services.tickets.deadlines import calendar_changed
from aduan.vocabulary import Role

DUPLICATE_DAY = _l("There is already an override for this date and state.")
FIELDS = ("day", "state_code", "name", "is_holiday")
AUDIT_ENTITY = "national_holiday"


def require_platform_admin(actor: Officer) -> None:
    """``PermissionDenied`` unless ``actor`` is a platform administrator."""
    if not actor.has_role(Role.PLATFORM_ADMIN.value):
        raise PermissionDenied("only a platform administrator changes the national calendar")


def list_all(limit: int = 500) -> list[HolidayOverride]:
    """The national overrides, latest date first (every admin may read them)."""
    query = db.select(HolidayOverride).order_by(HolidayOverride.day.desc()).limit(limit)
    return list(db.session.scalars(query))


def get(override_id: int) -> HolidayOverride:
    """One national override, or ``NotFound``."""
    row = db.session.get(HolidayOverride, override_id)
    if row is None:
        raise NotFound("no such holiday override")
    return row


def values(row: HolidayOverride | None) -> dict[str, Any]:
    if row is None:
        return {"is_holiday": True, "state_code": ""}
    return {**f.snapshot(row, FIELDS), "state_code": row.state_code or ""}


def save(actor: Officer, form: Mapping, row: HolidayOverride | None = None) -> HolidayOverride:
    """Create or update an override and commit; then every process's calendars are dropped."""
    require_platform_admin(actor)
    errors: f.Errors = {}
    day, state, name = calendar_days.clean_day(form, errors)
    if day and "state_code" not in errors and _duplicate(day, state, row):
        f.add(errors, "day", DUPLICATE_DAY)
    f.fail_if(errors)

    def apply(override: HolidayOverride) -> None:
        override.day, override.state_code, override.name = day, state, name
        override.is_holiday = f.checkbox(form, "is_holiday")

    def new() -> HolidayOverride:
        return HolidayOverride(created_by_id=actor.id)

    return calendar_days.write(actor, AUDIT_ENTITY, FIELDS, row, new, apply)


def delete(actor: Officer, row: HolidayOverride) -> None:
    """Remove an override (audited with what it was) and commit; calendars are dropped."""
    require_platform_admin(actor)
    f.audit(actor, AUDIT_ENTITY, row.id, "delete", f.snapshot(row, FIELDS), None)
    db.session.delete(row)
    db.session.commit()
    calendar_changed()


def _duplicate(day, state: str | None, row: HolidayOverride | None) -> bool:
    query = db.select(HolidayOverride.id).where(HolidayOverride.day == day)
    query = query.where(
        HolidayOverride.state_code.is_(None)
        if state is None
        else HolidayOverride.state_code == state
    )
    if row is not None:
        query = query.where(HolidayOverride.id != row.id)
    return db.session.scalar(query) is not None
