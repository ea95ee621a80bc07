"""An agency's office closure is a rest day in that agency's calendar only: its duty roster
and its daily-handling look-back skip the day; another agency in the same state works."""

import datetime as dt

from aduan.models import OfficeClosure
from aduan.services.sla import daily_handling
from aduan.services.tickets import deadlines, roster
from tests.builders_routing import gen_org

MONDAY, TUESDAY, WEDNESDAY = dt.date(2026, 3, 2), dt.date(2026, 3, 3), dt.date(2026, 3, 4)


def _close(db, agency, day, state=None):
    db.session.add(OfficeClosure(agency_id=agency.id, day=day, state_code=state, name="Tutup"))
    db.session.commit()
    deadlines.calendar_changed()


def test_nobody_of_the_closed_agency_is_on_duty_but_the_other_agency_works(db):
    closed_agency, closed_unit, *_ = gen_org(state="10")
    _other, other_unit, *_ = gen_org(state="10")
    assert roster.on_duty(closed_unit, TUESDAY)
    _close(db, closed_agency, TUESDAY)
    assert roster.on_duty(closed_unit, TUESDAY) == []
    assert roster.on_duty(other_unit, TUESDAY)


def test_the_previous_working_day_skips_only_the_own_agencys_closure(db):
    closed_agency, *_ = gen_org(state="10")
    other, *_ = gen_org(state="10")
    _close(db, closed_agency, TUESDAY, state="10")
    assert daily_handling.previous_working_day("10", WEDNESDAY, closed_agency.id) == MONDAY
    assert daily_handling.previous_working_day("10", WEDNESDAY, other.id) == TUESDAY
    assert daily_handling.previous_working_day("02", WEDNESDAY, closed_agency.id) == TUESDAY


def test_an_agency_without_closures_shares_the_states_national_calendar(db):
    agency, *_ = gen_org(state="10")
    assert deadlines.calendar("10", agency.id) is deadlines.calendar("10")
