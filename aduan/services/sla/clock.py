"""SLA clock: deadlines and working time over timezone-aware datetimes.

This is the only place in the product that does deadline arithmetic, and the one place that
reads the agency-local time zone (the ``TIMEZONE`` setting): ``local_zone``, ``local_now``,
``local_today`` and ``local_moment`` are what every other module asks for local time. Apart from
those four, everything here is pure: calendars come from a provider and office hours are passed
in; nothing touches the database.

Definitions
-----------
Office hours
    Per agency: ``open`` to ``close`` local time in ``tz`` (default 08:00-17:00,
    ``Asia/Kuala_Lumpur``), given as :class:`OfficeHours`. A *working-day length* is
    ``close - open`` (9 hours by default).
"N working days after receipt"
    The office-close instant of the N-th working day after the *local date* of receipt, in the
    calendar of the owning unit's state. The day of receipt never counts, even when the ticket
    arrives at 08:00 on a working day; receipt on a rest day or after office hours is treated
    the same way (the next working day is day 1). N = 0 means "by office close today": the
    close of the receipt date if it is a working day and the office has not yet closed,
    otherwise the close of the next working day.
Working time
    Time inside office hours on working days. :func:`working_seconds_between` measures it and
    :func:`add_working_seconds` walks it forward; the two are inverses.
Pause and resume
    A ticket paused at t1 and resumed at t2 moves each open deadline forward by exactly the
    working time between t1 and t2. A deadline at office close shifted by whole working days
    stays at office close.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import current_app

from aduan.models.base import utcnow
from aduan.services.sla.working_calendar import WorkingCalendar, calendar_for, clear_calendar_cache

__all__ = [
    "OfficeHours",
    "SlaClock",
    "WorkingDuration",
    "add_working_seconds",
    "calendar_for",
    "clear_calendar_cache",
    "local_moment",
    "local_now",
    "local_today",
    "local_zone",
    "working_seconds_between",
]

MALAYSIA = ZoneInfo("Asia/Kuala_Lumpur")
_MICROS = 1_000_000


def local_zone() -> ZoneInfo:
    """The agency-local time zone: the ``TIMEZONE`` setting (Asia/Kuala_Lumpur by default)."""
    return ZoneInfo(current_app.config.get("TIMEZONE") or "Asia/Kuala_Lumpur")


def local_now() -> datetime:
    """Now, in the agency-local time zone."""
    return utcnow().astimezone(local_zone())


def local_today(at: datetime | None = None) -> date:
    """The agency-local date of ``at`` (now by default)."""
    return (at or utcnow()).astimezone(local_zone()).date()


def local_moment(day: date, at: time) -> datetime:
    """The instant of local time ``at`` on ``day`` in the agency-local zone."""
    return datetime.combine(day, at, tzinfo=local_zone())


@dataclass(frozen=True)
class OfficeHours:
    """Daily office hours of an agency, in local time of ``tz``."""

    open: time = time(8, 0)
    close: time = time(17, 0)
    tz: ZoneInfo = field(default=MALAYSIA)

    def __post_init__(self) -> None:
        if not self.open < self.close:
            raise ValueError(f"office must open before it closes: {self.open}-{self.close}")

    @property
    def day_micros(self) -> int:
        """Length of one working day in microseconds."""
        return _micros(_on(date(2000, 1, 3), self.close) - _on(date(2000, 1, 3), self.open))

    @property
    def day_seconds(self) -> float:
        """Length of one working day in seconds."""
        return self.day_micros / _MICROS

    def opening(self, day: date) -> datetime:
        """The office-open instant of ``day``."""
        return datetime.combine(day, self.open, tzinfo=self.tz)

    def closing(self, day: date) -> datetime:
        """The office-close instant of ``day``."""
        return datetime.combine(day, self.close, tzinfo=self.tz)


def _on(day: date, at: time) -> datetime:
    return datetime.combine(day, at)


def _micros(delta: timedelta) -> int:
    return (delta.days * 86_400 + delta.seconds) * _MICROS + delta.microseconds


def _require_aware(*instants: datetime) -> None:
    for instant in instants:
        if instant.tzinfo is None or instant.utcoffset() is None:
            raise ValueError(f"SLA arithmetic needs timezone-aware datetimes, got {instant!r}")


def _worked_on_day(calendar: WorkingCalendar, hours: OfficeHours, local: datetime) -> int:
    """Working microseconds on ``local``'s date before ``local`` (0 on a rest day)."""
    if not calendar.is_working_day(local.date()):
        return 0
    worked = _micros(local - hours.opening(local.date()))
    return min(max(worked, 0), hours.day_micros)


def _working_micros_between(
    calendar: WorkingCalendar, hours: OfficeHours, start: datetime, end: datetime
) -> int:
    _require_aware(start, end)
    a, b = start.astimezone(hours.tz), end.astimezone(hours.tz)
    # Position of x = day length x (working days before x's date) + time worked on x's date.
    whole_days = (
        calendar.working_days_between(a.date(), b.date())
        + calendar.is_working_day(a.date())
        - calendar.is_working_day(b.date())
    )
    return (
        whole_days * hours.day_micros
        + _worked_on_day(calendar, hours, b)
        - _worked_on_day(calendar, hours, a)
    )


def working_seconds_between(
    calendar: WorkingCalendar, hours: OfficeHours, start: datetime, end: datetime
) -> float:
    """Working seconds from ``start`` to ``end``; negative when ``end`` is before ``start``."""
    return _working_micros_between(calendar, hours, start, end) / _MICROS


def add_working_seconds(
    calendar: WorkingCalendar, hours: OfficeHours, instant: datetime, seconds: float
) -> datetime:
    """The earliest instant that is ``seconds`` (>= 0) of working time after ``instant``.

    Landing exactly on the end of a working day gives that day's office close, not the next
    day's opening. Zero seconds returns ``instant`` unchanged. The result is in ``hours.tz``.
    """
    if seconds < 0:
        raise ValueError(f"seconds must be >= 0, got {seconds}")
    _require_aware(instant)
    amount = round(seconds * _MICROS)
    if amount == 0:
        return instant
    local = instant.astimezone(hours.tz)
    day, length = local.date(), hours.day_micros
    target = _worked_on_day(calendar, hours, local) + amount
    today = length if calendar.is_working_day(day) else 0
    if target <= today:
        return hours.opening(day) + timedelta(microseconds=target)
    beyond = target - today
    full_days = -(-beyond // length) - 1
    landing = calendar.add_working_days(day, full_days + 1)
    return hours.opening(landing) + timedelta(microseconds=beyond - full_days * length)


@dataclass(frozen=True)
class WorkingDuration:
    """A span of working time; ``days``/``hours``/``minutes`` break down its absolute value.

    A day here is one working-day length (office hours), not 24 hours. ``overdue`` is only
    ever true for :meth:`SlaClock.remaining`, when the deadline has passed.
    """

    seconds: float
    days: int
    hours: int
    minutes: int
    overdue: bool = False

    @classmethod
    def of(cls, micros: int, day_micros: int, *, overdue: bool = False) -> WorkingDuration:
        """Break ``micros`` of working time into working days, hours and minutes."""
        days, rest = divmod(abs(micros), day_micros)
        hours, rest = divmod(rest, 3600 * _MICROS)
        return cls(micros / _MICROS, days, hours, rest // (60 * _MICROS), overdue)


class SlaClock:
    """Deadlines and working time for tickets, in the calendar of the owning unit's state."""

    def __init__(
        self,
        calendar_provider: Callable[[str], WorkingCalendar],
        hours: OfficeHours | None = None,
    ) -> None:
        self.calendar_provider = calendar_provider
        self.hours = hours or OfficeHours()

    def due_at(self, received_at: datetime, working_days: int, state_code: str) -> datetime:
        """Office close of the ``working_days``-th working day after the local receipt date."""
        if working_days < 0:
            raise ValueError(f"working_days must be >= 0, got {working_days}")
        _require_aware(received_at)
        calendar = self.calendar_provider(state_code)
        local = received_at.astimezone(self.hours.tz)
        day = local.date()
        if working_days == 0:
            open_today = calendar.is_working_day(day) and local.time() <= self.hours.close
            return self.hours.closing(day if open_today else calendar.add_working_days(day, 1))
        return self.hours.closing(calendar.add_working_days(day, working_days))

    def shift_for_pause(
        self, deadline: datetime, paused_at: datetime, resumed_at: datetime, state_code: str
    ) -> datetime:
        """``deadline`` moved forward by the working time between pause and resume."""
        if resumed_at < paused_at:
            raise ValueError("a ticket cannot resume before it was paused")
        calendar = self.calendar_provider(state_code)
        paused = _working_micros_between(calendar, self.hours, paused_at, resumed_at)
        return add_working_seconds(calendar, self.hours, deadline, paused / _MICROS)

    def elapsed(self, start: datetime, now: datetime, state_code: str) -> WorkingDuration:
        """Working time from ``start`` to ``now``."""
        calendar = self.calendar_provider(state_code)
        micros = _working_micros_between(calendar, self.hours, start, now)
        return WorkingDuration.of(micros, self.hours.day_micros)

    def remaining(self, deadline: datetime, now: datetime, state_code: str) -> WorkingDuration:
        """Working time left until ``deadline``; negative and ``overdue`` once it has passed."""
        calendar = self.calendar_provider(state_code)
        micros = _working_micros_between(calendar, self.hours, now, deadline)
        return WorkingDuration.of(micros, self.hours.day_micros, overdue=now > deadline)

    def fraction_used(
        self, start: datetime, deadline: datetime, now: datetime, state_code: str
    ) -> float:
        """Share of the working time from ``start`` to ``deadline`` used by ``now`` (may be > 1).

        A window with no working time counts as 0 until the deadline passes, then 1.
        """
        calendar = self.calendar_provider(state_code)
        total = _working_micros_between(calendar, self.hours, start, deadline)
        if total <= 0:
            return 1.0 if now > deadline else 0.0
        used = _working_micros_between(calendar, self.hours, start, now)
        return max(used, 0) / total

    def recompute(
        self,
        received_at: datetime,
        working_days: int,
        new_state_code: str,
        paused_seconds: float = 0.0,
    ) -> datetime:
        """Deadline after moving a ticket to a unit in another state.

        Counted from receipt in the new state's calendar, then shifted by the working time the
        ticket has spent paused so far.
        """
        deadline = self.due_at(received_at, working_days, new_state_code)
        calendar = self.calendar_provider(new_state_code)
        return add_working_seconds(calendar, self.hours, deadline, paused_seconds)
