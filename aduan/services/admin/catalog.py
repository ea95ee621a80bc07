"""Categories (with default unit and SLA profile) and SLA profiles of the admin's agency."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask_babel import lazy_gettext as _l

from aduan.extensions import db
from aduan.models import Category, Officer, SlaProfile, Unit
from aduan.services.admin import common as f
from aduan.services.tenancy import scoped

COMPLEX_BELOW_NORMAL = _l("Must be at least the normal resolution days.")
RESOLVE_BELOW_ACK = _l("Must be at least the acknowledgement days.")
CATEGORY_FIELDS = ("code", "name_ms", "name_en", "default_unit_id", "sla_profile_id", "active")
PROFILE_FIELDS = (
    "name",
    "acknowledge_days",
    "first_response_days",
    "resolve_days",
    "resolve_days_complex",
    "warn_days_before",
)


def categories(agency_id: int) -> list[Category]:
    query = scoped(db.select(Category), Category, agency_id).order_by(Category.code)
    return list(db.session.scalars(query))


def profiles(agency_id: int) -> list[SlaProfile]:
    query = scoped(db.select(SlaProfile), SlaProfile, agency_id)
    return list(db.session.scalars(query.order_by(SlaProfile.name)))


def units(agency_id: int) -> list[Unit]:
    query = scoped(db.select(Unit), Unit, agency_id).order_by(Unit.code)
    return list(db.session.scalars(query))


def category_values(category: Category | None) -> dict[str, Any]:
    if category is None:
        return {"active": True}
    return {n: "" if (v := getattr(category, n)) is None else v for n in CATEGORY_FIELDS}


def profile_values(profile: SlaProfile | None) -> dict[str, Any]:
    if profile is None:
        return {"acknowledge_days": 1, "first_response_days": 7, "resolve_days": 15}
    return f.snapshot(profile, PROFILE_FIELDS)


def save_category(actor: Officer, form: Mapping, category: Category | None = None) -> Category:
    """Create or update a category; audited; the caller commits."""
    agency_id = actor.agency_id
    errors: f.Errors = {}
    code = f.text(form, "code", errors, max_len=30)
    if code and _taken(Category, Category.code, code, agency_id, category):
        f.add(errors, "code", f.IN_USE)
    unit_ids, profile_ids = _ids(units(agency_id)), _ids(profiles(agency_id))
    data = {
        "code": code,
        "name_ms": f.text(form, "name_ms", errors, max_len=200),
        "name_en": f.text(form, "name_en", errors, max_len=200),
        "default_unit_id": _id(f.choice(form, "default_unit_id", errors, unit_ids, required=False)),
        "sla_profile_id": _id(
            f.choice(form, "sla_profile_id", errors, profile_ids, required=False)
        ),
        "active": f.checkbox(form, "active"),
    }
    f.fail_if(errors)
    return _store(actor, "category", Category, category, data, CATEGORY_FIELDS)


def save_profile(actor: Officer, form: Mapping, profile: SlaProfile | None = None) -> SlaProfile:
    """Create or update an SLA profile: positive whole days, complex ≥ normal ≥ acknowledge."""
    errors: f.Errors = {}
    name = f.text(form, "name", errors, max_len=100)
    if name and _taken(SlaProfile, SlaProfile.name, name, actor.agency_id, profile):
        f.add(errors, "name", f.IN_USE)
    days = {field: f.integer(form, field, errors) for field in PROFILE_FIELDS[1:5]}
    days["warn_days_before"] = f.integer(form, "warn_days_before", errors, minimum=0)
    normal, complex_ = days["resolve_days"], days["resolve_days_complex"]
    if normal and complex_ and complex_ < normal:
        f.add(errors, "resolve_days_complex", COMPLEX_BELOW_NORMAL)
    if normal and days["acknowledge_days"] and normal < days["acknowledge_days"]:
        f.add(errors, "resolve_days", RESOLVE_BELOW_ACK)
    f.fail_if(errors)
    return _store(actor, "sla_profile", SlaProfile, profile, {"name": name, **days}, PROFILE_FIELDS)


def _store(actor: Officer, entity: str, model, row, data: dict, fields: tuple[str, ...]):
    before = f.snapshot(row, fields) if row is not None else None
    if row is None:
        row = model(agency_id=actor.agency_id)
        db.session.add(row)
    for key, value in data.items():
        setattr(row, key, value)
    db.session.flush()
    f.audit(
        actor, entity, row.id, "update" if before else "create", before, f.snapshot(row, fields)
    )
    return row


def _ids(rows) -> list[int]:
    return [row.id for row in rows]


def _id(value: str | None) -> int | None:
    return int(value) if value else None


def _taken(model, column, value: str, agency_id: int, row) -> bool:
    query = db.select(model.id).where(model.agency_id == agency_id, column == value)
    if row is not None:
        query = query.where(model.id != row.id)
    return db.session.scalar(query) is not None
