"""One agency's office closures: days its offices are closed (in every state, or in one), which
are rest days in that agency's deadlines and duty roster only.

The agency admin's own calendar beside the national one (``admin.holidays``, read-only to
them). Scoped to the admin's agency by the tenancy rule; each change is audited (entity
``holiday``: the agency's own holidays) and drops every process's cached calendars.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask_babel import lazy_gettext as _l

from aduan.extensions import db
from aduan.models import OfficeClosure, Officer
from aduan.services.admin import calendar_days
from aduan.services.admin import common as f
from aduan.services.tickets.deadlines import calendar_changed

DUPLICATE_DAY = _l("Your offices are already closed on this date.")
FIELDS = ("day", "state_code", "name")
AUDIT_ENTITY = "holiday"


def list_for(agency_id: int, limit: int = 500) -> list[OfficeClosure]:
    """The agency's closures, latest date first."""
    query = db.select(OfficeClosure).where(OfficeClosure.agency_id == agency_id)
    return list(db.session.scalars(query.order_by(OfficeClosure.day.desc()).limit(limit)))


def get(closure_id: int | str, agency_id: int) -> OfficeClosure:
    """The agency's own closure; another agency's is not found (``NotFound``)."""
    return f.own(OfficeClosure, closure_id, agency_id)


def values(row: OfficeClosure | None) -> dict[str, Any]:
    if row is None:
        return {"state_code": ""}
    return {**f.snapshot(row, FIELDS), "state_code": row.state_code or ""}


def save(actor: Officer, form: Mapping, row: OfficeClosure | None = None) -> OfficeClosure:
    """Create or update a closure of the actor's agency and commit; calendars are dropped."""
    errors: f.Errors = {}
    day, state, name = calendar_days.clean_day(form, errors)
    if day and "state_code" not in errors and _duplicate(actor.agency_id, day, state, row):
        f.add(errors, "day", DUPLICATE_DAY)
    f.fail_if(errors)

    def apply(closure: OfficeClosure) -> None:
        closure.day, closure.state_code, closure.name = day, state, name

    def new() -> OfficeClosure:
        return OfficeClosure(agency_id=actor.agency_id, created_by_id=actor.id)

    return calendar_days.write(actor, AUDIT_ENTITY, FIELDS, row, new, apply)


def delete(actor: Officer, row: OfficeClosure) -> None:
    """Remove a closure (audited with what it was) and commit; calendars are dropped."""
    f.audit(actor, AUDIT_ENTITY, row.id, "delete", f.snapshot(row, FIELDS), None)
    db.session.delete(row)
    db.session.commit()
    calendar_changed()


def _duplicate(agency_id: int, day, state: str | None, row: OfficeClosure | None) -> bool:
    query = db.select(OfficeClosure.id).where(
        OfficeClosure.agency_id == agency_id, OfficeClosure.day == day
    )
    column = OfficeClosure.state_code
    query = query.where(column.is_(None) if state is None else column == state)
    if row is not None:
        query = query.where(OfficeClosure.id != row.id)
    return db.session.scalar(query) is not None
