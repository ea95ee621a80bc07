"""The duty roster from the admin pages: a unit's weekly pattern and its exceptions.

Who is on duty on a date is decided in ``aduan.services.tickets.roster``; this only edits its rows.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from flask_babel import lazy_gettext as _l

from aduan.errors import NotFound
from aduan.extensions import db
from aduan.models import Officer, Unit, officer_units
from aduan.models.routing import RosterException, RosterPattern
from aduan.services.admin import common as f

KINDS = ("leave", "extra")
DUPLICATE = _l("This officer already has an exception on that day.")
RANGE_BACKWARDS = _l("The last day cannot be before the first day.")
RANGE_TOO_LONG = _l("At most 366 days at a time.")
MAX_RANGE_DAYS = 366
WEEKDAYS = range(7)


def members(unit: Unit) -> list[Officer]:
    """Officers of the unit (the only ones who can be rostered there)."""
    query = (
        db.select(Officer)
        .join(officer_units, officer_units.c.officer_id == Officer.id)
        .where(officer_units.c.unit_id == unit.id, Officer.agency_id == unit.agency_id)
        .order_by(Officer.name)
    )
    return list(db.session.scalars(query))


def pattern(unit: Unit) -> set[tuple[int, int]]:
    """``{(officer_id, weekday)}`` of the weekly pattern."""
    rows = db.session.execute(
        db.select(RosterPattern.officer_id, RosterPattern.weekday).where(
            RosterPattern.unit_id == unit.id
        )
    )
    return {(officer_id, weekday) for officer_id, weekday in rows}


def exceptions(unit: Unit) -> list[RosterException]:
    query = db.select(RosterException).where(RosterException.unit_id == unit.id)
    return list(db.session.scalars(query.order_by(RosterException.day.desc())))


def save_pattern(actor: Officer, unit: Unit, form: Mapping) -> None:
    """Replace the weekly pattern with the ticked ``p_<officer>_<weekday>`` boxes; audited."""
    wanted = {
        (officer.id, day)
        for officer in members(unit)
        for day in WEEKDAYS
        if f.checkbox(form, f"p_{officer.id}_{day}")
    }
    current = pattern(unit)
    for officer_id, day in current - wanted:
        db.session.execute(
            db.delete(RosterPattern).where(
                RosterPattern.unit_id == unit.id,
                RosterPattern.officer_id == officer_id,
                RosterPattern.weekday == day,
            )
        )
    for officer_id, day in sorted(wanted - current):
        db.session.add(RosterPattern(unit_id=unit.id, officer_id=officer_id, weekday=day))
    if wanted != current:
        f.audit(actor, "roster_pattern", unit.id, "update", _as_map(current), _as_map(wanted))
    db.session.flush()


def add_exception(actor: Officer, unit: Unit, form: Mapping) -> list[RosterException]:
    """Days off the pattern for one officer of the unit, from ``day`` to ``until`` (inclusive;
    one day when ``until`` is empty), at most ``MAX_RANGE_DAYS``; days already recorded are
    left as they are. Each new day is audited; the caller commits."""
    errors: f.Errors = {}
    officer_id = f.choice(form, "officer_id", errors, [o.id for o in members(unit)])
    day = f.date(form, "day", errors)
    until = f.date(form, "until", errors, required=False)
    kind = f.choice(form, "kind", errors, KINDS)
    days = _days(day, until or day, errors) if day else []
    new_days = [d for d in days if not (officer_id and _exists(unit, int(officer_id), d))]
    if days and not new_days:
        f.add(errors, "day", DUPLICATE)
    f.fail_if(errors)
    rows = []
    for each in new_days:
        row = RosterException(unit_id=unit.id, officer_id=int(officer_id), day=each, kind=kind)
        db.session.add(row)
        db.session.flush()
        f.audit(actor, "roster_exception", row.id, "create", None, _exception_view(row))
        rows.append(row)
    return rows


def _days(first: dt.date, last: dt.date, errors: f.Errors) -> list[dt.date]:
    if last < first:
        f.add(errors, "until", RANGE_BACKWARDS)
        return []
    count = (last - first).days + 1
    if count > MAX_RANGE_DAYS:
        f.add(errors, "until", RANGE_TOO_LONG)
        return []
    return [first + dt.timedelta(days=n) for n in range(count)]


def delete_exception(actor: Officer, unit: Unit, exception_id: int) -> None:
    row = db.session.get(RosterException, exception_id)
    if row is None or row.unit_id != unit.id:
        raise NotFound("no such roster exception")
    f.audit(actor, "roster_exception", row.id, "delete", _exception_view(row), None)
    db.session.delete(row)


def _exists(unit: Unit, officer_id: int, day) -> bool:
    query = db.select(RosterException.id).where(
        RosterException.unit_id == unit.id,
        RosterException.officer_id == officer_id,
        RosterException.day == day,
    )
    return db.session.scalar(query) is not None


def _as_map(cells: set[tuple[int, int]]) -> dict[str, Any]:
    out: dict[str, list[int]] = {}
    for officer_id, day in sorted(cells):
        out.setdefault(str(officer_id), []).append(day)
    return out


def _exception_view(row: RosterException) -> dict[str, Any]:
    return {"unit_id": row.unit_id, "officer_id": row.officer_id, "day": row.day, "kind": row.kind}
