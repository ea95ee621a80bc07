"""``flask calendar due|days --agency CODE``: the agency's calendar (its office closures), on
the real database, with a second agency that keeps the state's calendar."""

import datetime as dt

from aduan.models import OfficeClosure
from tests.builders import gen_agency


def _closed_and_open(db):
    closed, _other = gen_agency(code="MBX", state="10"), gen_agency(code="JKX", state="10")
    db.session.add(OfficeClosure(agency_id=closed.id, day=dt.date(2026, 7, 7), name="Tutup"))
    db.session.commit()


def test_due_counts_in_the_named_agencys_calendar_only(app, db):
    _closed_and_open(db)
    runner = app.test_cli_runner()
    due = ["calendar", "due", "2026-07-06T09:00", "1", "--state", "10"]
    assert runner.invoke(args=due).output.strip() == "2026-07-07T17:00:00+08:00"
    assert runner.invoke(args=[*due, "--agency", "JKX"]).output.strip() == (
        "2026-07-07T17:00:00+08:00"
    )
    assert runner.invoke(args=[*due, "--agency", "MBX"]).output.strip() == (
        "2026-07-08T17:00:00+08:00"
    )


def test_days_names_the_closure_and_an_unknown_agency_is_refused(app, db):
    _closed_and_open(db)
    runner = app.test_cli_runner()
    days = ["calendar", "days", "2026-07", "--state", "SGR"]
    assert "2026-07-07 Tue holiday: Tutup" in runner.invoke(args=[*days, "--agency", "MBX"]).output
    assert "2026-07-07 Tue working" in runner.invoke(args=[*days, "--agency", "JKX"]).output
    refused = runner.invoke(args=[*days, "--agency", "NOPE"])
    assert refused.exit_code == 2 and "no agency with code 'NOPE'" in refused.output
