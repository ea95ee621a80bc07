"""The dashboard's workload (``reports.live.book_and_workload``): open tickets per officer and
who is on duty, the oldest untouched tickets and the daily-handling misses — of the agency
(or the supervisor's units) asked for, never another's."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from aduan.models.routing import RosterPattern
from aduan.services.reports import live
from aduan.services.reports.scope import Scope
from tests.builders import gen_agency, gen_officer, gen_ticket, gen_unit

ZONE = ZoneInfo("Asia/Kuala_Lumpur")  # the deployment's time zone in the tests
NOW = dt.datetime(2026, 2, 11, 10, 0, tzinfo=ZONE)  # a Wednesday, Tuesday worked


def _at(day: int, hour: int = 9) -> dt.datetime:
    return dt.datetime(2026, 2, day, hour, 0, tzinfo=ZONE)


def _ticket(agency, unit, assignee, received: dt.datetime, touched=None, status=None):
    ticket = gen_ticket(agency, unit, received_at=received)
    ticket.assignee_id = assignee.id if assignee else None
    ticket.last_officer_action_at = touched
    if status:
        ticket.status = status
    return ticket


def test_the_workload_counts_each_officers_open_tickets_misses_and_oldest(db):
    a, b = gen_agency("RWA"), gen_agency("RWB")
    street, drains = gen_unit(a, "10"), gen_unit(a, "10")
    aminah = gen_officer(a, units=[street], name="Aminah")
    badrul = gen_officer(a, units=[drains], name="Badrul")
    other = gen_officer(b, units=[gen_unit(b, "10")], name="Chong")
    db.session.add(RosterPattern(unit_id=street.id, officer_id=aminah.id, weekday=2))
    untouched = _ticket(a, street, aminah, _at(2))  # assigned, nothing done since: a miss
    _ticket(a, street, aminah, _at(9), touched=_at(10, 15))  # handled on Tuesday
    stale = _ticket(a, drains, badrul, dt.datetime(2026, 1, 5, 9, tzinfo=ZONE),
                    touched=_at(5))  # fmt: skip
    _ticket(a, street, None, _at(11, 8))  # unassigned, received today
    _ticket(a, street, aminah, _at(3), status="ditutup")  # closed: no longer anyone's work
    _ticket(b, None, other, _at(1))  # another agency's
    db.session.commit()

    book, work = live.book_and_workload(Scope(a.id, ""), NOW)
    assert book["open"] == 4
    assert [(o.name, n, duty) for o, n, duty in work["officers"]] == [
        ("Aminah", 2, True),
        ("Badrul", 1, False),
    ]
    assert work["handling_misses"] == 2
    assert [t.id for t in work["oldest"]][:2] == [untouched.id, stale.id]
    assert len(work["oldest"]) == 4

    book, work = live.book_and_workload(Scope(a.id, "", (drains.id,)), NOW)
    assert book["open"] == 1 and work["handling_misses"] == 1
    assert [(o.name, n) for o, n, _duty in work["officers"]] == [("Badrul", 1)]
    assert live.book_and_workload(Scope(a.id, ""), NOW, detail=False)[1] is None
