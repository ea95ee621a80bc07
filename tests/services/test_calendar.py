"""Working-day calendar: per-state weekends, state holidays, admin overrides.

Every concrete date below was checked against ``holidays==0.109`` (``holidays.Malaysia``).
"""

from __future__ import annotations

import time
from datetime import date, timedelta

import holidays
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aduan.services.sla.working_calendar import (
    STATES,
    HolidayRule,
    WorkingCalendar,
    calendar_for,
    clear_calendar_cache,
    normalise_state,
)

PROPERTY = settings(max_examples=200, deadline=None, database=None)


def working_days(state: str, start: date, end: date, rules=()) -> list[date]:
    calendar = WorkingCalendar(state, rules)
    days = (start + timedelta(days=i) for i in range((end - start).days + 1))
    return [day for day in days if calendar.is_working_day(day)]


# --- states ----------------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["2", "02", "KDH", "kdh", "Kedah", " kedah ", 2])
def test_normalise_state_accepts_code_abbreviation_and_name(value):
    assert normalise_state(value) == "02"


@pytest.mark.parametrize("value", ["", "0", "17", "XX", "Singapore", "1.0"])
def test_normalise_state_rejects_unknown_values_listing_valid_codes(value):
    with pytest.raises(ValueError, match="01 JHR.*16 PJY"):
        normalise_state(value)


def test_states_cover_the_sixteen_codes_of_the_holidays_package():
    assert list(STATES) == list(holidays.Malaysia.subdivisions)
    assert STATES["14"] == ("KUL", "WP Kuala Lumpur")


# --- weekends --------------------------------------------------------------------------------


@pytest.mark.parametrize("state", ["02", "03", "11"])
def test_kedah_kelantan_terengganu_rest_on_friday_and_saturday(state):
    # Thu 2 .. Wed 8 January 2025 has no holiday in these states.
    week = working_days(state, date(2025, 1, 2), date(2025, 1, 8))
    assert [day.strftime("%a") for day in week] == ["Thu", "Sun", "Mon", "Tue", "Wed"]


def test_selangor_rests_on_saturday_and_sunday():
    week = working_days("10", date(2025, 1, 2), date(2025, 1, 8))
    assert [day.strftime("%a") for day in week] == ["Thu", "Fri", "Mon", "Tue", "Wed"]


def test_johor_rested_on_friday_saturday_in_2024():
    week = working_days("01", date(2024, 3, 1), date(2024, 3, 7))
    assert [day.strftime("%a") for day in week] == ["Sun", "Mon", "Tue", "Wed", "Thu"]


def test_johor_rests_on_saturday_sunday_since_2025():
    week = working_days("01", date(2025, 1, 2), date(2025, 1, 8))
    assert [day.strftime("%a") for day in week] == ["Thu", "Fri", "Mon", "Tue", "Wed"]


def test_johor_deadline_across_the_weekend_change():
    johor = WorkingCalendar("JHR")
    # Fri 27 and Sat 28 Dec 2024 rest, Sun 29 .. Tue 31 work.
    assert johor.add_working_days(date(2024, 12, 26), 3) == date(2024, 12, 31)
    # Fri 3 Jan 2025 is a working day under the new weekend.
    assert johor.add_working_days(date(2025, 1, 2), 1) == date(2025, 1, 3)


# --- holidays --------------------------------------------------------------------------------


def test_national_holiday_is_a_rest_day_in_every_state():
    for state in STATES:
        calendar = WorkingCalendar(state)
        assert not calendar.is_working_day(date(2025, 5, 1))
        assert calendar.holiday_name(date(2025, 5, 1)) == "Labor Day"


def test_selangor_only_holiday_is_a_working_day_in_kuala_lumpur():
    sultans_birthday = date(2024, 12, 11)  # a Wednesday
    selangor, kuala_lumpur = WorkingCalendar("10"), WorkingCalendar("14")
    assert not selangor.is_working_day(sultans_birthday)
    assert selangor.holiday_name(sultans_birthday) == "Birthday of The Sultan of Selangor"
    assert kuala_lumpur.is_working_day(sultans_birthday)
    assert kuala_lumpur.holiday_name(sultans_birthday) is None


def test_kedah_only_holiday_on_a_sunday_is_a_working_day_in_kelantan():
    sultans_birthday = date(2024, 6, 30)  # a Sunday: a working day in both states otherwise
    assert not WorkingCalendar("02").is_working_day(sultans_birthday)
    assert WorkingCalendar("03").is_working_day(sultans_birthday)


def test_holiday_name_is_none_on_an_ordinary_weekend():
    assert WorkingCalendar("10").holiday_name(date(2025, 1, 4)) is None


# --- overrides -------------------------------------------------------------------------------


def test_added_override_makes_a_cuti_peristiwa():
    rule = HolidayRule(date(2025, 1, 6), "10", "Cuti Peristiwa", is_holiday=True)
    selangor = WorkingCalendar("10", [rule])
    assert not selangor.is_working_day(date(2025, 1, 6))
    assert selangor.holiday_name(date(2025, 1, 6)) == "Cuti Peristiwa"
    assert selangor.add_working_days(date(2025, 1, 2), 2) == date(2025, 1, 7)
    assert WorkingCalendar("14", [rule]).is_working_day(date(2025, 1, 6))


def test_removed_override_makes_a_holiday_a_working_day():
    thaipusam = date(2025, 2, 11)
    rule = HolidayRule(thaipusam, "14", "Thaipusam cancelled", is_holiday=False)
    assert not WorkingCalendar("14").is_working_day(thaipusam)
    kuala_lumpur = WorkingCalendar("KUL", [rule])
    assert kuala_lumpur.is_working_day(thaipusam)
    assert kuala_lumpur.holiday_name(thaipusam) is None
    assert kuala_lumpur.add_working_days(date(2025, 2, 10), 1) == thaipusam


def test_removed_override_on_a_weekend_declares_a_replacement_working_day():
    saturday = date(2025, 1, 4)
    rule = HolidayRule(saturday, None, "Replacement working day", is_holiday=False)
    assert WorkingCalendar("10", [rule]).is_working_day(saturday)


def test_national_override_applies_everywhere_and_state_rule_wins():
    day = date(2025, 1, 6)
    national = HolidayRule(day, None, "Cuti Umum Tambahan", is_holiday=True)
    selangor_works = HolidayRule(day, "SGR", "Selangor works", is_holiday=False)
    assert not WorkingCalendar("14", [national, selangor_works]).is_working_day(day)
    assert WorkingCalendar("10", [national, selangor_works]).is_working_day(day)


# --- arithmetic ------------------------------------------------------------------------------


def test_add_zero_working_days_keeps_a_working_day_and_skips_a_rest_day():
    selangor = WorkingCalendar("10")
    assert selangor.add_working_days(date(2025, 1, 2), 0) == date(2025, 1, 2)
    assert selangor.add_working_days(date(2025, 1, 4), 0) == date(2025, 1, 6)


def test_add_negative_working_days_is_refused():
    with pytest.raises(ValueError):
        WorkingCalendar("10").add_working_days(date(2025, 1, 2), -1)


def test_working_days_between_counts_the_end_not_the_start():
    selangor = WorkingCalendar("10")
    assert selangor.working_days_between(date(2025, 1, 2), date(2025, 1, 7)) == 3
    assert selangor.working_days_between(date(2025, 1, 7), date(2025, 1, 2)) == -3
    assert selangor.working_days_between(date(2025, 1, 2), date(2025, 1, 2)) == 0


def test_365_working_days_spans_into_2026():
    # Checked by walking holidays.Malaysia(...).is_working_day day by day.
    assert WorkingCalendar("10").add_working_days(date(2025, 1, 2), 365) == date(2026, 7, 7)
    assert WorkingCalendar("01").add_working_days(date(2025, 1, 2), 365) == date(2026, 7, 8)


def test_365_working_days_is_fast_after_warm_up():
    selangor = WorkingCalendar("10")
    selangor.add_working_days(date(2025, 1, 2), 365)
    started = time.perf_counter()
    for _ in range(1000):
        selangor.add_working_days(date(2025, 1, 2), 365)
    assert (time.perf_counter() - started) / 1000 < 0.0005


def test_month_lists_every_day_with_its_status():
    days = WorkingCalendar("10").month(2025, 2)
    assert len(days) == 28
    assert days[0] == (date(2025, 2, 1), False, None)
    assert days[10] == (date(2025, 2, 11), False, "Thaipusam")
    assert days[11] == (date(2025, 2, 12), True, None)
    assert len(WorkingCalendar("10").month(2024, 12)) == 31


def test_calendar_for_caches_per_state_until_cleared():
    clear_calendar_cache()
    calls = []

    def loader():
        calls.append(1)
        return [HolidayRule(date(2025, 1, 6), None, "Cuti", is_holiday=True)]

    first = calendar_for("KDH", loader)
    assert calendar_for("02", loader) is first
    assert len(calls) == 1
    assert not first.is_working_day(date(2025, 1, 6))
    clear_calendar_cache()
    assert calendar_for("02", loader) is not first
    assert len(calls) == 2
    clear_calendar_cache()


# --- properties against the package, day by day ----------------------------------------------

_PACKAGE = {code: holidays.Malaysia(subdiv=code, years=range(2023, 2030)) for code in STATES}


def walk(state: str, start: date, n: int) -> date:
    """The slow, obvious answer: step one date at a time."""
    package, day, counted = _PACKAGE[state], start, 0
    while counted < n:
        day += timedelta(days=1)
        counted += package.is_working_day(day)
    return day


@PROPERTY
@given(
    state=st.sampled_from(sorted(STATES)),
    start=st.dates(date(2023, 1, 1), date(2027, 12, 31)),
    n=st.integers(1, 400),
)
def test_add_working_days_agrees_with_walking_the_package(state, start, n):
    calendar = WorkingCalendar(state)
    due = calendar.add_working_days(start, n)
    assert due == walk(state, start, n)
    assert calendar.working_days_between(start, due) == n
