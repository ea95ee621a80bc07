"""The duty roster from the admin pages: a unit's weekly pattern and its exceptions.

Who is on duty on a date is decided in ``aduan.services.tickets.roster``; this only edits its rows.
"""

from __future__ import annotations

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


def add_exception(actor: Officer, unit: Unit, form: Mapping) -> RosterException:
    """One day off the pattern for one officer of the unit; audited; the caller commits."""
    errors: f.Errors = {}
    officer_id = f.choice(form, "officer_id", errors, [o.id for o in members(unit)])
    day = f.date(form, "day", errors)
    kind = f.choice(form, "kind", errors, KINDS)
    if officer_id and day and _exists(unit, int(officer_id), day):
        f.add(errors, "day", DUPLICATE)
    f.fail_if(errors)
    row = RosterException(unit_id=unit.id, officer_id=int(officer_id), day=day, kind=kind)
    db.session.add(row)
    db.session.flush()
    f.audit(actor, "roster_exception", row.id, "create", None, _exception_view(row))
    return row


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
