"""Working-day calendar of one Malaysian state.

Which days are working days depends on the state (see docs/domain.md, "Working days depend on
the state"): Kedah, Kelantan and Terengganu rest on Friday-Saturday, Johor did so until the end
of 2024, and every state has its own holidays. The ``holidays`` package knows all of that, but
only when asked *per date*: its ``weekend`` attribute is a single set and is wrong for the
Friday-Saturday states, so this module never reads it.

Holidays declared after the package release we ship (cuti peristiwa) and corrections come from
the national override table, passed in as :class:`HolidayRule` values. One agency's own office
closures are layered on top (``closures``): its calendar is the state's plus its closed days,
and a closure wins over any national rule for that date (a closed office does not work).

Each year is turned once into a table of working-day flags plus a running count, so counting
and adding working days is a binary search rather than a walk over dates.
"""

from __future__ import annotations

import bisect
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache

import holidays

STATES: dict[str, tuple[str, str]] = {
    "01": ("JHR", "Johor"),
    "02": ("KDH", "Kedah"),
    "03": ("KTN", "Kelantan"),
    "04": ("MLK", "Melaka"),
    "05": ("NSN", "Negeri Sembilan"),
    "06": ("PHG", "Pahang"),
    "07": ("PNG", "Pulau Pinang"),
    "08": ("PRK", "Perak"),
    "09": ("PLS", "Perlis"),
    "10": ("SGR", "Selangor"),
    "11": ("TRG", "Terengganu"),
    "12": ("SBH", "Sabah"),
    "13": ("SWK", "Sarawak"),
    "14": ("KUL", "WP Kuala Lumpur"),
    "15": ("LBN", "WP Labuan"),
    "16": ("PJY", "WP Putrajaya"),
}

_STATE_ALIASES: dict[str, str] = {
    alias.casefold(): code
    for code, (abbrev, name) in STATES.items()
    for alias in (code, abbrev, name)
}

DayInfo = tuple[date, bool, str | None]


def normalise_state(value: str | int) -> str:
    """Return the two-digit state code for a code ("2", "02"), abbreviation ("KDH") or name.

    Raises ``ValueError`` naming the valid codes when ``value`` is not a Malaysian state.
    """
    text = str(value).strip()
    if text.isdigit():
        text = text.zfill(2)
    code = _STATE_ALIASES.get(text.casefold())
    if code is None:
        valid = ", ".join(f"{c} {abbrev}" for c, (abbrev, _name) in STATES.items())
        raise ValueError(f"unknown state {value!r}; use a code or abbreviation: {valid}")
    return code


@dataclass(frozen=True)
class HolidayRule:
    """An admin override of the package calendar for one date.

    ``is_holiday=True`` adds a holiday (e.g. a cuti peristiwa). ``is_holiday=False`` makes the
    date a working day, whatever the package says -- including a weekend day, which is how a
    replacement working day is declared. ``state_code=None`` applies to every state.
    """

    day: date
    state_code: str | None
    name: str
    is_holiday: bool


@lru_cache(maxsize=512)
def _package_year(state_code: str, year: int) -> tuple[bytes, dict[date, str]]:
    """Working-day flags (one byte per day of ``year``) and holiday names from ``holidays``."""
    calendar = holidays.Malaysia(subdiv=state_code, years=year)
    first = date(year, 1, 1)
    days = (date(year + 1, 1, 1) - first).days
    # Per-date is_working_day: the package's per-date weekend is right, its .weekend is not.
    flags = bytes(calendar.is_working_day(first + timedelta(days=i)) for i in range(days))
    names = {day: name for day, name in calendar.items() if day.year == year}
    return flags, names


@dataclass(frozen=True)
class _Year:
    first: date
    flags: bytes
    # counts[i] = number of working days among the first i days of the year.
    counts: tuple[int, ...]

    def index(self, day: date) -> int:
        return (day - self.first).days

    @property
    def total(self) -> int:
        return self.counts[-1]

    def nth_working_day(self, k: int) -> date:
        """The k-th (1-based) working day of the year; ``k`` must be in 1..total."""
        return self.first + timedelta(days=bisect.bisect_left(self.counts, k) - 1)


class WorkingCalendar:
    """Working days of one state: the ``holidays`` package plus the national overrides, and
    for one agency its office closures on top."""

    def __init__(
        self,
        state_code: str,
        rules: Iterable[HolidayRule] = (),
        closures: Iterable[HolidayRule] = (),
    ) -> None:
        self.state_code = normalise_state(state_code)
        self._overrides = _applicable_overrides(self.state_code, rules) | _applicable_overrides(
            self.state_code, closures
        )
        self._years: dict[int, _Year] = {}
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"WorkingCalendar({self.state_code!r}, overrides={len(self._overrides)})"

    def is_working_day(self, day: date) -> bool:
        """True if ``day`` is a working day in this state."""
        year = self._year(day.year)
        return bool(year.flags[year.index(day)])

    def holiday_name(self, day: date) -> str | None:
        """The holiday's name (override first, then the package), or None for any other day."""
        rule = self._overrides.get(day)
        if rule is not None:
            return rule.name if rule.is_holiday else None
        return _package_year(self.state_code, day.year)[1].get(day)

    def add_working_days(self, day: date, n: int) -> date:
        """The n-th working day strictly after ``day``.

        ``n == 0`` returns ``day`` itself when it is a working day, else the next working day.
        """
        if n < 0:
            raise ValueError(f"n must be >= 0, got {n}")
        if n == 0:
            return day if self.is_working_day(day) else self.add_working_days(day, 1)
        year = self._year(day.year)
        remaining = n - (year.total - year.counts[year.index(day) + 1])
        while remaining > 0:
            year = self._year(year.first.year + 1)
            if remaining <= year.total:
                return year.nth_working_day(remaining)
            remaining -= year.total
        return year.nth_working_day(year.total + remaining)

    def previous_working_day(self, day: date) -> date:
        """The last working day strictly before ``day`` (daily handling looks back to it)."""
        year = self._year(day.year)
        before = year.counts[year.index(day)]
        while before == 0:  # none earlier this year: the last one of an earlier year
            year = self._year(year.first.year - 1)
            before = year.total
        return year.nth_working_day(before)

    def working_days_between(self, start: date, end: date) -> int:
        """Working days ``d`` with ``start < d <= end``; negative when ``end`` is before ``start``.

        So ``working_days_between(d, add_working_days(d, n)) == n`` for every ``n >= 1``.
        """
        if end < start:
            return -self.working_days_between(end, start)
        first, last = self._year(start.year), self._year(end.year)
        after_start = first.total - first.counts[first.index(start) + 1]
        through_end = last.counts[last.index(end) + 1]
        if start.year == end.year:
            return through_end - first.counts[first.index(start) + 1]
        between = sum(self._year(n).total for n in range(start.year + 1, end.year))
        return after_start + between + through_end

    def month(self, year: int, month: int) -> list[DayInfo]:
        """Every day of the month as ``(date, is_working, holiday_name or None)``."""
        first = date(year, month, 1)
        following = date(year + month // 12, month % 12 + 1, 1)
        days = (first + timedelta(days=i) for i in range((following - first).days))
        return [(day, self.is_working_day(day), self.holiday_name(day)) for day in days]

    def _year(self, number: int) -> _Year:
        year = self._years.get(number)
        if year is None:
            with self._lock:
                year = self._years.get(number) or self._build_year(number)
                self._years[number] = year
        return year

    def _build_year(self, number: int) -> _Year:
        flags = bytearray(_package_year(self.state_code, number)[0])
        first = date(number, 1, 1)
        for day, rule in self._overrides.items():
            if day.year == number:
                flags[(day - first).days] = not rule.is_holiday
        counts = [0]
        for flag in flags:
            counts.append(counts[-1] + flag)
        return _Year(first, bytes(flags), tuple(counts))


def _applicable_overrides(state_code: str, rules: Iterable[HolidayRule]) -> dict[date, HolidayRule]:
    """Rules for this state by date; a state rule beats a national one on the same date."""
    national: dict[date, HolidayRule] = {}
    local: dict[date, HolidayRule] = {}
    for rule in rules:
        if rule.state_code is None:
            national[rule.day] = rule
        elif normalise_state(rule.state_code) == state_code:
            local[rule.day] = rule
    return national | local


# Keyed by (state, agency id); None is the national calendar of the state.
_calendars: dict[tuple[str, int | None], WorkingCalendar] = {}
_calendars_lock = threading.Lock()


def calendar_for(
    state_code: str,
    rules_loader: Callable[[], Iterable[HolidayRule]],
    agency_id: int | None = None,
    closures_loader: Callable[[], Iterable[HolidayRule]] | None = None,
) -> WorkingCalendar:
    """The cached calendar of a state (of one agency in it when ``agency_id`` is given: the
    national one plus what ``closures_loader`` returns); the loaders are called only when it is
    first built. An agency without closures shares the state's national calendar.

    Call :func:`clear_calendar_cache` after the overrides or the closures change.
    """
    code = normalise_state(state_code)
    if agency_id is None or closures_loader is None:
        return _cached((code, None), lambda: WorkingCalendar(code, rules_loader()))
    return _cached((code, agency_id), lambda: _agency_calendar(code, rules_loader, closures_loader))


def _agency_calendar(
    code: str,
    rules_loader: Callable[[], Iterable[HolidayRule]],
    closures_loader: Callable[[], Iterable[HolidayRule]],
) -> WorkingCalendar:
    closures = list(closures_loader())
    if not closures:
        return _cached((code, None), lambda: WorkingCalendar(code, rules_loader()))
    return WorkingCalendar(code, rules_loader(), closures)


def _cached(key: tuple[str, int | None], build: Callable[[], WorkingCalendar]) -> WorkingCalendar:
    calendar = _calendars.get(key)
    if calendar is None:
        calendar = build()
        with _calendars_lock:
            calendar = _calendars.setdefault(key, calendar)
    return calendar


def clear_calendar_cache() -> None:
    """Forget every cached calendar, e.g. after an admin edits the overrides or closures."""
    with _calendars_lock:
        _calendars.clear()
