"""What the two calendar forms share — the national overrides (``holidays``) and an agency's
office closures (``closures``): a dated day's fields, and writing one (audited, committed, and
every process's cached calendars dropped)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping

from aduan.extensions import db
from aduan.models import Officer
from aduan.services.admin import common as f
from aduan.services.sla.working_calendar import STATES
from aduan.services.tickets.deadlines import calendar_changed


def clean_day(form: Mapping, errors: f.Errors) -> tuple[dt.date | None, str | None, str]:
    """``(day, state_code or None for every state, name)`` from a calendar form."""
    day = f.date(form, "day", errors)
    state = f.choice(form, "state_code", errors, STATES, required=False)
    name = f.text(form, "name", errors, max_len=200)
    return day, state, name


def write(actor: Officer, entity: str, fields: tuple[str, ...], row, new: Callable, apply):
    """Create (``row`` None: ``new()``) or update a calendar row with ``apply(row)``; audited
    as ``entity``; commits and drops every process's cached calendars."""
    before = f.snapshot(row, fields) if row is not None else None
    if row is None:
        row = new()
        db.session.add(row)
    apply(row)
    db.session.flush()
    action = "update" if before else "create"
    f.audit(actor, entity, row.id, action, before, f.snapshot(row, fields))
    db.session.commit()
    calendar_changed()
    return row
