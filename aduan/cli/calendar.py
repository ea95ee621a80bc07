"""``flask calendar``: check deadlines and working days from the command line, in a state's
national calendar or, with ``--agency CODE``, in that agency's (its office closures too)."""

from __future__ import annotations

import logging
from datetime import date, datetime

import click
from flask.cli import AppGroup

from aduan.services.sla.clock import OfficeHours, SlaClock
from aduan.services.sla.working_calendar import HolidayRule, WorkingCalendar, normalise_state

log = logging.getLogger(__name__)

calendar_cli = AppGroup(
    "calendar", help="Working days per state and SLA deadlines (the product's own arithmetic)."
)

HOURS = OfficeHours()


class StateCode(click.ParamType):
    """A Malaysian state as a code (01..16), abbreviation (KDH) or name (Kedah)."""

    name = "state"

    def convert(self, value, param, ctx):
        try:
            return normalise_state(value)
        except ValueError as exc:
            self.fail(str(exc), param, ctx)


def _load_rules() -> list[HolidayRule]:
    """The national overrides from the database."""
    from aduan.services.sla.holiday_rules import load_holiday_rules

    return list(load_holiday_rules())


def _load_closures(agency_code: str | None) -> list[HolidayRule]:
    """The office closures of the agency with ``agency_code`` (none without one)."""
    if agency_code is None:
        return []
    from aduan.extensions import db
    from aduan.models import Agency
    from aduan.services.sla.holiday_rules import load_office_closures

    agency = db.session.scalar(db.select(Agency).where(Agency.code == agency_code))
    if agency is None:
        raise click.BadParameter(f"no agency with code {agency_code!r}", param_hint="--agency")
    return load_office_closures(agency.id)


def _calendar(state_code: str, agency_code: str | None = None) -> WorkingCalendar:
    closures = _load_closures(agency_code)
    return WorkingCalendar(state_code, _load_rules(), closures)


AGENCY_OPTION = click.option(
    "--agency", "agency_code", default=None, metavar="CODE",
    help="Count in this agency's calendar: the state's plus the agency's office closures.",
)  # fmt: skip


def _parse_start(value: str) -> datetime:
    try:
        start = datetime.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(
            f"{value!r} is not an ISO-8601 date or time, e.g. 2025-01-02T09:30 or "
            "2025-01-02T09:30+08:00",
            param_hint="START",
        )
    return start.replace(tzinfo=HOURS.tz) if start.tzinfo is None else start


def _parse_month(value: str) -> date:
    try:
        return datetime.strptime(value, "%Y-%m").date()
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a month like 2025-01", param_hint="MONTH")


# ignore_unknown_options lets "-1" reach N (and its clear message) instead of "no such option".
@calendar_cli.command("due", context_settings={"ignore_unknown_options": True})
@click.argument("start")
@click.argument("working_days", metavar="N", type=int)
@click.option("--state", "state_code", type=StateCode(), required=True, help="01..16 or KDH")
@AGENCY_OPTION
def due_command(start: str, working_days: int, state_code: str, agency_code: str | None) -> None:
    """Print the deadline N working days after START (naive START is Malaysian time)."""
    received_at = _parse_start(start)
    if working_days < 0:
        raise click.BadParameter(f"must be 0 or more, got {working_days}", param_hint="N")
    calendar = _calendar(state_code, agency_code)
    clock = SlaClock(lambda _code: calendar, HOURS)
    click.echo(clock.due_at(received_at, working_days, state_code).isoformat())


@calendar_cli.command("days")
@click.argument("month")
@click.option("--state", "state_code", type=StateCode(), required=True, help="01..16 or KDH")
@AGENCY_OPTION
def days_command(month: str, state_code: str, agency_code: str | None) -> None:
    """Print every day of MONTH (YYYY-MM) as working, rest or holiday."""
    first = _parse_month(month)
    calendar = _calendar(state_code, agency_code)
    for day, is_working, holiday in calendar.month(first.year, first.month):
        if holiday and not is_working:
            kind = f"holiday: {holiday}"
        else:
            kind = "working" if is_working else "rest"
        click.echo(f"{day.isoformat()} {day:%a} {kind}")
