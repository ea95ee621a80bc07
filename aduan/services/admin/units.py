"""Units of the admin's agency: code, name, state (01–16), parent unit and head officer."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask_babel import lazy_gettext as _l

from aduan.extensions import db
from aduan.models import Officer, Unit
from aduan.services.admin import common as f
from aduan.services.sla.working_calendar import STATES
from aduan.services.tenancy import scoped

PARENT_CYCLE = _l("A unit cannot sit below itself.")
FIELDS = ("code", "name", "state_code", "parent_id", "head_officer_id", "active")


def list_for(agency_id: int) -> list[Unit]:
    return list(db.session.scalars(scoped(db.select(Unit), Unit, agency_id).order_by(Unit.code)))


def officers_of(agency_id: int) -> list[Officer]:
    return list(
        db.session.scalars(scoped(db.select(Officer), Officer, agency_id).order_by(Officer.name))
    )


def values(unit: Unit | None) -> dict[str, Any]:
    if unit is None:
        return {"active": True, "state_code": ""}
    return {name: "" if (v := getattr(unit, name)) is None else v for name in FIELDS}


def save(actor: Officer, form: Mapping, unit: Unit | None = None) -> Unit:
    """Create or update a unit of the actor's agency; audited; the caller commits."""
    agency_id = actor.agency_id
    errors: f.Errors = {}
    code = f.text(form, "code", errors, max_len=30)
    name = f.text(form, "name", errors, max_len=200)
    state = f.choice(form, "state_code", errors, STATES)
    units = {str(u.id): u for u in list_for(agency_id)}
    parent_id = f.choice(form, "parent_id", errors, units, required=False)
    head_id = f.choice(
        form, "head_officer_id", errors, [o.id for o in officers_of(agency_id)], required=False
    )
    if code and _code_taken(agency_id, code, unit):
        f.add(errors, "code", f.IN_USE)
    if unit is not None and parent_id and _is_below(units, units[parent_id], unit.id):
        f.add(errors, "parent_id", PARENT_CYCLE)
    f.fail_if(errors)
    before = _snapshot(unit)
    if unit is None:
        unit = Unit(agency_id=agency_id)
        db.session.add(unit)
    unit.code, unit.name, unit.state_code = code, name, state
    unit.parent_id = int(parent_id) if parent_id else None
    unit.head_officer_id = int(head_id) if head_id else None
    unit.active = f.checkbox(form, "active")
    db.session.flush()
    f.audit(actor, "unit", unit.id, "update" if before else "create", before, _snapshot(unit))
    return unit


def _snapshot(unit: Unit | None) -> dict[str, Any] | None:
    return f.snapshot(unit, FIELDS) if unit is not None else None


def _code_taken(agency_id: int, code: str, unit: Unit | None) -> bool:
    query = db.select(Unit.id).where(Unit.agency_id == agency_id, Unit.code == code)
    if unit is not None:
        query = query.where(Unit.id != unit.id)
    return db.session.scalar(query) is not None


def _is_below(units: dict[str, Unit], candidate: Unit, unit_id: int) -> bool:
    """True when ``candidate`` is ``unit_id`` itself or one of its descendants."""
    seen: set[int] = set()
    node: Unit | None = candidate
    while node is not None and node.id not in seen:
        if node.id == unit_id:
            return True
        seen.add(node.id)
        node = units.get(str(node.parent_id)) if node.parent_id else None
    return False
