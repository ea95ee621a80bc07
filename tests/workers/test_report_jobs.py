"""The reports' periodic jobs: a ticket change reaches the rollups on the next run, and the
reconciler rebuilds the recent days from the raw tables whatever the rollups held."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select

from aduan.models.reports import ReportDirtyTicket, ReportRollup
from aduan.services.reports import figures
from aduan.services.reports.scope import Period, Scope
from aduan.services.sla.clock import local_today
from aduan.services.tickets import workflow
from tests.builders import gen_agency, gen_ticket, gen_unit
from workers import (
    periodic,  # noqa: F401  (registers the schedule)
    report_jobs,
)
from workers.schedule import PERIODIC


def _received_today(agency_id: int) -> int:
    today = local_today()
    return figures.totals(Scope(agency_id, ""), Period(today, today))["received"]


def test_a_new_ticket_reaches_the_rollups_on_the_next_run(db):
    agency = gen_agency("RJA")
    ticket = gen_ticket(agency, gen_unit(agency), received_at=dt.datetime.now(dt.UTC))
    db.session.commit()
    assert _received_today(agency.id) == 0
    assert report_jobs.refresh_rollups() >= 1
    assert _received_today(agency.id) == 1
    assert db.session.scalar(select(func.count(ReportDirtyTicket.id))) == 0
    workflow.change_status(ticket, "diterima")
    workflow.commit()
    report_jobs.refresh_rollups()
    today = local_today()
    assert figures.totals(Scope(agency.id, ""), Period(today, today))["ack_judged"] == 1
    assert report_jobs.refresh_rollups() == 0  # nothing changed since: nothing to do


def test_the_reconciler_repairs_rollups_that_drifted(db):
    agency = gen_agency("RJB")
    gen_ticket(agency, gen_unit(agency), received_at=dt.datetime.now(dt.UTC))
    db.session.commit()
    report_jobs.refresh_rollups()
    db.session.execute(ReportRollup.__table__.update().values(received=7))
    db.session.commit()
    assert _received_today(agency.id) == 7
    report_jobs.reconcile_recent_days()
    assert _received_today(agency.id) == 1


def test_both_jobs_are_on_the_schedule():
    names = {p.name: p.func for p in PERIODIC}
    assert names["report-rollups"] == "workers.report_jobs:refresh_rollups"
    assert names["report-reconcile"] == "workers.report_jobs:reconcile_recent_days"
