"""Who sees which figures, and over which period.

- a supervisor: the units in their scope (``tickets.access.unit_ids_in_scope``);
- a complaint manager (or the agency's admin): the whole agency;
- the platform administrator: every agency, each one's figures side by side.
An officer with none of these roles has no dashboard (their own figures are on their pages).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from aduan.errors import PermissionDenied, ValidationFailed
from aduan.extensions import db
from aduan.models import Agency, Officer
from aduan.services.sla.clock import local_today
from aduan.services.tickets import access
from aduan.vocabulary import Role

MAX_DAYS = 3 * 366
NOT_FOR_YOU = _l("Reports are for supervisors, complaint managers and administrators.")


@dataclass(frozen=True)
class Scope:
    """One agency's part of a report: ``unit_ids`` None means the whole agency."""

    agency_id: int
    agency_name: str
    unit_ids: tuple[int, ...] | None = None


@dataclass(frozen=True)
class Period:
    start: dt.date  # first day, inclusive
    end: dt.date  # last day, inclusive

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def previous(self) -> Period:
        """The period of the same length just before this one."""
        end = self.start - dt.timedelta(days=1)
        return Period(end - dt.timedelta(days=self.days - 1), end)


def scopes_for(officer: Officer) -> list[Scope]:
    """The parts of the dashboard ``officer`` may see, or ``PermissionDenied``."""
    if not officer.is_active:
        raise PermissionDenied(NOT_FOR_YOU)
    if officer.has_role(Role.PLATFORM_ADMIN.value):
        agencies = db.session.scalars(db.select(Agency).order_by(Agency.name))
        return [Scope(a.id, a.name) for a in agencies]
    agency = db.session.get(Agency, officer.agency_id)
    if officer.has_role("complaint_manager") or officer.has_role("admin"):
        return [Scope(agency.id, agency.name)]
    if officer.has_role("supervisor"):
        return [Scope(agency.id, agency.name, tuple(sorted(access.unit_ids_in_scope(officer))))]
    raise PermissionDenied(NOT_FOR_YOU)


def period_from(args) -> Period:
    """The period in ``from``/``to`` (ISO dates), this month so far by default; a clear
    ``ValidationFailed`` for a bad date, a reversed range or one longer than three years."""
    today = local_today()
    start = _date(args.get("from"), "from") or today.replace(day=1)
    end = _date(args.get("to"), "to") or max(today, start)
    if end < start:
        raise ValidationFailed(
            _l("The period ends before it starts."), errors={"to": ["before from"]}
        )
    if (end - start).days >= MAX_DAYS:
        raise ValidationFailed(
            _l("A report covers at most three years."), errors={"to": ["too long"]}
        )
    return Period(start, end)


def month_from(value: str | None) -> dt.date:
    """The first day of the month ``YYYY-MM`` (last month by default), or ``ValidationFailed``."""
    if not value:
        return (local_today().replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    try:
        return dt.datetime.strptime(value.strip(), "%Y-%m").date()
    except ValueError:
        raise ValidationFailed(
            _l('"%(value)s" is not a month (YYYY-MM).', value=value[:20]),
            errors={"month": ["not a month"]},
        )


def _date(value: str | None, field: str) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        raise ValidationFailed(
            _l('"%(value)s" is not a date (YYYY-MM-DD).', value=value[:20]),
            errors={field: ["not a date"]},
        )
