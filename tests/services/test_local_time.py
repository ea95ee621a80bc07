"""Local time has one room (``sla.clock``) and complainants one date format (Babel's)."""

from __future__ import annotations

import datetime as dt

import pytest
from babel.dates import format_datetime

from aduan.services.outbox.texts import DATE_TIME_PATTERN, format_local
from aduan.services.sla import clock
from aduan.services.sla.working_calendar import WorkingCalendar

# The names the product wrote by hand before Babel: Babel (CLDR) must give exactly these.
MONTHS = {
    "ms": ["Januari", "Februari", "Mac", "April", "Mei", "Jun", "Julai", "Ogos", "September",
           "Oktober", "November", "Disember"],
    "en": ["January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December"],
}  # fmt: skip


@pytest.mark.parametrize("language", ["ms", "en"])
def test_every_month_reads_day_month_year_time_in_the_tickets_language(app_ctx, language):
    for month, name in enumerate(MONTHS[language], start=1):
        moment = dt.datetime(2026, month, 3, 9, 5, tzinfo=dt.UTC)  # 17:05 in Malaysia
        text = format_local(moment, language)
        assert text == f"3 {name} 2026, 17:05"
        assert text == format_datetime(
            moment, DATE_TIME_PATTERN, tzinfo=clock.local_zone(), locale=language
        )


def test_each_citizen_language_reads_its_own_date_others_bahasa_and_no_date_is_a_dash(app_ctx):
    moment = dt.datetime(2026, 8, 31, 1, 0, tzinfo=dt.UTC)
    assert format_local(moment, "ms") == "31 Ogos 2026, 09:00"
    assert format_local(moment, "ta") == "31 ஆகஸ்ட் 2026, 09:00"
    assert format_local(moment, "zh") == "2026年8月31日 09:00"
    assert format_local(moment, "fr") == format_local(moment, "ms")  # not one of ours
    assert format_local(None, "en") == "-"


def test_the_timezone_setting_is_read_in_the_clock_and_used_everywhere(app_ctx, monkeypatch):
    moment = dt.datetime(2026, 3, 2, 16, 30, tzinfo=dt.UTC)
    assert clock.local_today(moment) == dt.date(2026, 3, 3)
    monkeypatch.setitem(app_ctx.config, "TIMEZONE", "UTC")
    assert clock.local_zone().key == "UTC"
    assert clock.local_today(moment) == dt.date(2026, 3, 2)
    assert format_local(moment, "ms") == "2 Mac 2026, 16:30"
    assert clock.local_moment(dt.date(2026, 3, 2), dt.time(9)).utcoffset() == dt.timedelta(0)
    assert clock.local_now().tzinfo == clock.local_zone()


@pytest.mark.parametrize("state", ["10", "02", "01"])
def test_previous_working_day_from_the_calendars_table_matches_a_day_by_day_walk(state):
    calendar = WorkingCalendar(state)
    day = dt.date(2024, 12, 1)
    while day < dt.date(2026, 2, 1):
        walked = day - dt.timedelta(days=1)
        while not calendar.is_working_day(walked):
            walked -= dt.timedelta(days=1)
        assert calendar.previous_working_day(day) == walked, day
        day += dt.timedelta(days=1)


def test_previous_working_day_crosses_into_the_year_before():
    # Selangor: Thu 1 Jan 2026 is New Year's Day, so before Fri 2 Jan comes Wed 31 Dec 2025.
    assert WorkingCalendar("10").previous_working_day(dt.date(2026, 1, 2)) == dt.date(2025, 12, 31)
