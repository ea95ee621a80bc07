"""What every admin form service shares: field cleaning with per-field errors, agency scoping
and the settings audit trail (``AdminAuditLog``).

Cleaners read a plain mapping (the posted form) and add translated messages to ``errors``
under the field's name; a service raises ``ValidationFailed`` with all of them at once.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from flask_babel import lazy_gettext as _l

from aduan.errors import NotFound, ValidationFailed
from aduan.extensions import db
from aduan.models import Officer
from aduan.models.admin import AdminAuditLog
from aduan.services import tenancy

REQUIRED = _l("This field is required.")
TOO_LONG = _l("This is too long.")
WHOLE_NUMBER = _l("Enter a whole number greater than zero.")
NOT_NEGATIVE = _l("Enter a whole number of zero or more.")
BAD_CHOICE = _l("Choose one of the options.")
BAD_TIME = _l("Enter a time as HH:MM.")
BAD_DATE = _l("Enter a date as YYYY-MM-DD.")
IN_USE = _l("This is already in use.")

Errors = dict[str, list[str]]


def fail_if(errors: Errors, message: str = "the form is not valid") -> None:
    """Raise ``ValidationFailed`` carrying every field error collected."""
    if errors:
        raise ValidationFailed(message, errors=errors)


def add(errors: Errors, field: str, message) -> None:
    errors.setdefault(field, []).append(str(message))


def text(form: Mapping, name: str, errors: Errors, *, max_len: int, required=True) -> str:
    value = str(form.get(name) or "").strip()
    if required and not value:
        add(errors, name, REQUIRED)
    elif len(value) > max_len:
        add(errors, name, TOO_LONG)
    return value


def integer(form: Mapping, name: str, errors: Errors, *, minimum: int = 1) -> int | None:
    """A whole number ≥ ``minimum`` (1: positive), or None with an error."""
    raw = str(form.get(name) or "").strip()
    if not raw:
        add(errors, name, REQUIRED)
        return None
    try:
        value = int(raw)
    except ValueError:
        value = None
    if value is None or value < minimum or value > 100_000:
        add(errors, name, WHOLE_NUMBER if minimum >= 1 else NOT_NEGATIVE)
        return None
    return value


def choice(form: Mapping, name: str, errors: Errors, options, *, required=True) -> str | None:
    value = str(form.get(name) or "").strip()
    if not value:
        if required:
            add(errors, name, REQUIRED)
        return None
    if value not in {str(o) for o in options}:
        add(errors, name, BAD_CHOICE)
        return None
    return value


def choices(form, name: str, errors: Errors, options) -> list[str]:
    """Several values (checkboxes / multi-select); ``form`` must offer ``getlist``."""
    values = [str(v) for v in form.getlist(name)] if hasattr(form, "getlist") else []
    allowed = {str(o) for o in options}
    if any(v not in allowed for v in values):
        add(errors, name, BAD_CHOICE)
        return []
    return list(dict.fromkeys(values))


def time_of_day(form: Mapping, name: str, errors: Errors) -> dt.time | None:
    raw = str(form.get(name) or "").strip()
    try:
        return dt.time.fromisoformat(raw) if raw else _missing(errors, name)
    except ValueError:
        add(errors, name, BAD_TIME)
        return None


def date(form: Mapping, name: str, errors: Errors, *, required=True) -> dt.date | None:
    raw = str(form.get(name) or "").strip()
    if not raw:
        return _missing(errors, name) if required else None
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        add(errors, name, BAD_DATE)
        return None


def checkbox(form: Mapping, name: str) -> bool:
    return str(form.get(name) or "") in ("1", "on", "true", "y")


def _missing(errors: Errors, name: str) -> None:
    add(errors, name, REQUIRED)
    return None


def own(model, row_id: int | str | None, agency_id: int):
    """The row of ``model`` with that id in the admin's agency (the tenancy rule), else
    ``NotFound`` (no leak). A national row is never an agency admin's to change."""
    row = None if tenancy.is_national(model) else tenancy.get_scoped(model, row_id, agency_id)
    if row is None:
        raise NotFound("not found")
    return row


def audit(
    actor: Officer,
    entity: str,
    entity_id: int | None,
    action: str,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> AdminAuditLog:
    """Record one admin change (no secrets, no hashes: callers pass safe snapshots)."""
    row = AdminAuditLog(
        agency_id=actor.agency_id,
        actor_id=actor.id,
        entity=entity,
        entity_id=entity_id,
        action=action,
        before=_jsonable(before),
        after=_jsonable(after),
    )
    db.session.add(row)
    return row


def snapshot(row, fields: tuple[str, ...]) -> dict[str, Any]:
    return {name: getattr(row, name) for name in fields}


def _jsonable(values: dict[str, Any] | None) -> dict[str, Any] | None:
    if values is None:
        return None
    return {
        k: v.isoformat() if isinstance(v, dt.date | dt.time | dt.datetime) else v
        for k, v in values.items()
    }


def changed(before: dict[str, Any], after: dict[str, Any]) -> bool:
    return _jsonable(before) != _jsonable(after)
