"""SLA clock: deadlines at office close, working time, pauses and transfers.

Concrete dates were checked against ``holidays==0.109``.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aduan.services.sla.clock import (
    OfficeHours,
    SlaClock,
    add_working_seconds,
    working_seconds_between,
)
from aduan.services.sla.working_calendar import STATES, HolidayRule, WorkingCalendar

KL = ZoneInfo("Asia/Kuala_Lumpur")
HOURS = OfficeHours()
DAY = 9 * 3600
PROPERTY = settings(max_examples=200, deadline=None, database=None)

_calendars: dict[str, WorkingCalendar] = {}


def calendar(state: str) -> WorkingCalendar:
    return _calendars.setdefault(state, WorkingCalendar(state))


def clock(rules=()) -> SlaClock:
    if rules:
        return SlaClock(lambda code: WorkingCalendar(code, rules), HOURS)
    return SlaClock(calendar, HOURS)


def kl(*args) -> datetime:
    return datetime(*args, tzinfo=KL)


def close_of(year, month, day) -> datetime:
    return kl(year, month, day, 17)


instants = st.datetimes(datetime(2023, 1, 1), datetime(2027, 12, 31), timezones=st.just(UTC))
states = st.sampled_from(sorted(STATES))
spans = st.integers(0, 200 * DAY).map(float)


# --- deadlines -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("state", "received", "n", "due"),
    [
        # Thu 2 Jan 2025: Selangor works Fri 3, rests Sat-Sun; Kedah rests Fri-Sat.
        ("10", kl(2025, 1, 2, 10), 1, close_of(2025, 1, 3)),
        ("02", kl(2025, 1, 2, 10), 1, close_of(2025, 1, 5)),
        ("10", kl(2025, 1, 2, 10), 3, close_of(2025, 1, 7)),
        # The day of receipt never counts, even at opening time.
        ("10", kl(2025, 1, 2, 8), 1, close_of(2025, 1, 3)),
        # After office hours: the next working day is still day 1.
        ("10", kl(2025, 1, 2, 18, 30), 1, close_of(2025, 1, 3)),
        # On a rest day (Sat 4 Jan): Monday is day 1.
        ("10", kl(2025, 1, 4, 10), 1, close_of(2025, 1, 6)),
        # Johor, Fri-Sat weekend in 2024: Sun 29, Mon 30, Tue 31 Dec.
        ("01", kl(2024, 12, 26, 9), 3, close_of(2024, 12, 31)),
        # Labour Day, Thu 1 May 2025, is skipped everywhere.
        ("14", kl(2025, 4, 30, 9), 1, close_of(2025, 5, 2)),
        # Selangor Sultan's birthday, Wed 11 Dec 2024, is skipped only in Selangor.
        ("10", kl(2024, 12, 10, 9), 1, close_of(2024, 12, 12)),
        ("14", kl(2024, 12, 10, 9), 1, close_of(2024, 12, 11)),
        # Complex cases: 365 working days.
        ("10", kl(2025, 1, 2, 10), 365, close_of(2026, 7, 7)),
        # N = 0: today's close while the office is open, else the next working day's.
        ("10", kl(2025, 1, 2, 10), 0, close_of(2025, 1, 2)),
        ("10", kl(2025, 1, 2, 18), 0, close_of(2025, 1, 3)),
        ("10", kl(2025, 1, 4, 10), 0, close_of(2025, 1, 6)),
    ],
)
def test_due_at(state, received, n, due):
    deadline = clock().due_at(received, n, state)
    assert deadline == due
    assert deadline.utcoffset() == timedelta(hours=8)


def test_due_at_uses_the_local_date_of_a_utc_instant():
    # 2025-01-02T17:30Z is Fri 3 Jan 01:30 in Kuala Lumpur: Friday is the receipt date.
    received = datetime(2025, 1, 2, 17, 30, tzinfo=UTC)
    assert clock().due_at(received, 1, "10") == close_of(2025, 1, 6)


def test_due_at_honours_overrides():
    cuti = HolidayRule(date(2025, 1, 6), "10", "Cuti Peristiwa", is_holiday=True)
    assert clock([cuti]).due_at(kl(2025, 1, 4, 10), 1, "10") == close_of(2025, 1, 7)


def test_due_at_refuses_naive_datetimes_and_negative_days():
    with pytest.raises(ValueError, match="timezone-aware"):
        clock().due_at(datetime(2025, 1, 2, 10), 1, "10")
    with pytest.raises(ValueError):
        clock().due_at(kl(2025, 1, 2, 10), -1, "10")


def test_office_hours_must_open_before_closing():
    with pytest.raises(ValueError):
        OfficeHours(time(17), time(8), KL)


@PROPERTY
@given(state=states, received=instants, n=st.integers(0, 400))
def test_deadline_is_office_close_on_a_working_day(state, received, n):
    deadline = clock().due_at(received, n, state)
    local = deadline.astimezone(KL)
    assert local.time() == time(17)
    assert calendar(state).is_working_day(local.date())
    assert deadline >= received
    if n:
        receipt_day = received.astimezone(KL).date()
        assert calendar(state).working_days_between(receipt_day, local.date()) == n


@PROPERTY
@given(state=states, received=instants, n=st.integers(0, 399), more=st.integers(1, 50))
def test_deadline_is_monotonic_in_n(state, received, n, more):
    earlier = clock().due_at(received, n, state)
    later = clock().due_at(received, n + more, state)
    assert earlier <= later
    if n:
        assert earlier < later


# --- working time ----------------------------------------------------------------------------


def test_working_seconds_within_one_day_and_across_a_weekend():
    selangor = calendar("10")
    assert working_seconds_between(selangor, HOURS, kl(2025, 1, 2, 9), kl(2025, 1, 2, 11)) == 7200
    # Fri 16:00 -> Mon 09:00: one hour on Friday, one on Monday.
    assert working_seconds_between(selangor, HOURS, kl(2025, 1, 3, 16), kl(2025, 1, 6, 9)) == 7200
    # Fri 16:00 -> Mon 09:00 in Kedah: Sun is a full day, Mon one hour; Fri is a rest day.
    kedah = calendar("02")
    assert working_seconds_between(kedah, HOURS, kl(2025, 1, 3, 16), kl(2025, 1, 6, 9)) == (
        DAY + 3600
    )


def test_working_seconds_outside_office_hours_is_zero():
    selangor = calendar("10")
    assert working_seconds_between(selangor, HOURS, kl(2025, 1, 2, 17), kl(2025, 1, 3, 8)) == 0
    assert working_seconds_between(selangor, HOURS, kl(2025, 1, 4, 0), kl(2025, 1, 5, 23)) == 0


def test_add_working_seconds_lands_on_close_not_next_opening():
    selangor = calendar("10")
    assert add_working_seconds(selangor, HOURS, kl(2025, 1, 3, 16), 3600) == kl(2025, 1, 3, 17)
    assert add_working_seconds(selangor, HOURS, kl(2025, 1, 3, 16), 3601) == kl(2025, 1, 6, 8, 0, 1)


def slow_working_seconds(cal: WorkingCalendar, start: datetime, end: datetime) -> float:
    """Day-by-day reference implementation."""
    a, b = start.astimezone(KL), end.astimezone(KL)
    total, day = timedelta(), a.date()
    while day <= b.date():
        if cal.is_working_day(day):
            opens, closes = HOURS.opening(day), HOURS.closing(day)
            overlap = min(b, closes) - max(a, opens)
            total += max(overlap, timedelta())
        day += timedelta(days=1)
    return total.total_seconds()


@PROPERTY
@given(state=states, start=instants, length=st.timedeltas(timedelta(0), timedelta(days=60)))
def test_working_seconds_between_matches_the_day_by_day_sum(state, start, length):
    cal = calendar(state)
    end = start + length
    expected = slow_working_seconds(cal, start, end)
    assert working_seconds_between(cal, HOURS, start, end) == pytest.approx(expected, abs=1e-6)
    assert working_seconds_between(cal, HOURS, end, start) == pytest.approx(-expected, abs=1e-6)


@PROPERTY
@given(state=states, start=instants, seconds=spans | st.floats(0, 100 * DAY).map(round))
def test_add_working_seconds_inverts_working_seconds_between(state, start, seconds):
    cal = calendar(state)
    later = add_working_seconds(cal, HOURS, start, seconds)
    assert later >= start
    assert working_seconds_between(cal, HOURS, start, later) == seconds


@PROPERTY
@given(state=states, start=instants, length=st.timedeltas(timedelta(0), timedelta(days=60)))
def test_working_seconds_between_inverts_add_working_seconds(state, start, length):
    cal = calendar(state)
    end = start + length
    back = add_working_seconds(cal, HOURS, start, working_seconds_between(cal, HOURS, start, end))
    # Same position in working time, and no later than the original instant.
    assert working_seconds_between(cal, HOURS, back, end) == 0
    assert back <= end


# --- pause, resume, transfer -----------------------------------------------------------------


@PROPERTY
@given(
    state=states,
    received=instants,
    n=st.integers(1, 60),
    pause_offset=spans,
    pause_length=st.timedeltas(timedelta(0), timedelta(days=45)),
)
def test_pausing_shifts_a_deadline_by_exactly_the_paused_working_time(
    state, received, n, pause_offset, pause_length
):
    cal, sla = calendar(state), clock()
    deadline = sla.due_at(received, n, state)
    paused_at = add_working_seconds(cal, HOURS, received, pause_offset)
    resumed_at = paused_at + pause_length
    shifted = sla.shift_for_pause(deadline, paused_at, resumed_at, state)
    paused = working_seconds_between(cal, HOURS, paused_at, resumed_at)
    assert working_seconds_between(cal, HOURS, deadline, shifted) == paused
    if paused % DAY == 0:
        assert shifted.astimezone(KL).time() == time(17)


@PROPERTY
@given(state=states, received=instants, n=st.integers(1, 60), days=st.integers(0, 30))
def test_whole_day_pause_keeps_the_deadline_at_office_close(state, received, n, days):
    sla = clock()
    deadline = sla.due_at(received, n, state)
    # Paused from one office close to the close `days` working days later.
    paused_at = sla.due_at(received, 1, state)
    resumed_at = sla.due_at(paused_at, days, state) if days else paused_at
    shifted = sla.shift_for_pause(deadline, paused_at, resumed_at, state)
    assert shifted == sla.due_at(received, n + days, state)


def test_pause_over_a_weekend_costs_nothing():
    sla = clock()
    deadline = close_of(2025, 1, 7)
    assert sla.shift_for_pause(deadline, kl(2025, 1, 3, 17), kl(2025, 1, 6, 8), "10") == deadline


def test_pause_of_two_hours_moves_the_deadline_into_the_next_day():
    sla = clock()
    shifted = sla.shift_for_pause(close_of(2025, 1, 7), kl(2025, 1, 3, 9), kl(2025, 1, 3, 11), "10")
    assert shifted == kl(2025, 1, 8, 10)


def test_resume_before_pause_is_refused():
    with pytest.raises(ValueError):
        clock().shift_for_pause(close_of(2025, 1, 7), kl(2025, 1, 3), kl(2025, 1, 2), "10")


def test_recompute_counts_from_receipt_in_the_new_state_then_adds_the_pause():
    sla = clock()
    received = kl(2025, 1, 2, 10)
    assert sla.due_at(received, 1, "10") == close_of(2025, 1, 3)
    assert sla.recompute(received, 1, "KDH", 0) == close_of(2025, 1, 5)
    assert sla.recompute(received, 1, "KDH", 2 * 3600) == kl(2025, 1, 6, 10)
    assert sla.recompute(received, 1, "KDH", 2 * DAY) == close_of(2025, 1, 7)


# --- progress --------------------------------------------------------------------------------


def test_elapsed_breaks_working_time_into_days_hours_minutes():
    spent = clock().elapsed(kl(2025, 1, 2, 10), kl(2025, 1, 6, 11, 30), "10")
    # Thu 10-17 (7h) + Fri (9h) + Mon 8-11:30 (3.5h) = 19.5h = 2 days 1h 30m.
    assert spent.seconds == 19.5 * 3600
    assert (spent.days, spent.hours, spent.minutes, spent.overdue) == (2, 1, 30, False)


def test_remaining_before_and_after_the_deadline():
    sla = clock()
    left = sla.remaining(close_of(2025, 1, 7), kl(2025, 1, 6, 16), "10")
    assert (left.seconds, left.days, left.hours, left.overdue) == (DAY + 3600, 1, 1, False)
    late = sla.remaining(close_of(2025, 1, 7), kl(2025, 1, 8, 10), "10")
    assert late.seconds == -2 * 3600
    assert (late.days, late.hours, late.overdue) == (0, 2, True)
    # After office close on the deadline day: no working time lost yet, but overdue.
    evening = sla.remaining(close_of(2025, 1, 7), kl(2025, 1, 7, 20), "10")
    assert (evening.seconds, evening.overdue) == (0, True)


def test_fraction_used():
    sla = clock()
    start, deadline = kl(2025, 1, 2, 8), close_of(2025, 1, 3)
    assert sla.fraction_used(start, deadline, kl(2025, 1, 2, 8), "10") == 0
    assert sla.fraction_used(start, deadline, kl(2025, 1, 2, 17), "10") == 0.5
    assert sla.fraction_used(start, deadline, kl(2025, 1, 3, 17), "10") == 1
    assert sla.fraction_used(start, deadline, kl(2025, 1, 6, 12, 30), "10") == 1.25
    empty = (kl(2025, 1, 4, 9), kl(2025, 1, 4, 10))  # inside a Saturday
    assert sla.fraction_used(*empty, kl(2025, 1, 4, 9, 30), "10") == 0
    assert sla.fraction_used(*empty, kl(2025, 1, 4, 11), "10") == 1
