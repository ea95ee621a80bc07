"""The monthly report: on the first working day of each month (in the agency's state
calendar, from 07:30 local time), each agency's complaint managers are told — an in-app
notification and an e-mail, both by ``officer_notices.notify`` (the e-mail leaves through
the outbox door) — that last month's report is ready, with
its download link (``/reports/monthly.pdf?month=YYYY-MM``). The PDF is made from the rollups
when opened, so the mail carries no personal data and no attachment. Once per manager per
month (the notification's dedupe key), so the job is safe to run every hour and twice.
"""

from __future__ import annotations

import datetime as dt
import logging
import time

from flask import current_app
from sqlalchemy import select

from aduan.extensions import db
from aduan.models import Agency, Officer
from aduan.services.outbox.officer_notices import notify
from aduan.services.reports import dashboard, pdf
from aduan.services.reports.scope import Scope
from aduan.services.sla.clock import local_now
from aduan.services.tickets import deadlines

log = logging.getLogger(__name__)
SEND_FROM = dt.time(7, 30)


def first_working_day(agency: Agency, day: dt.date) -> dt.date:
    """The first working day of ``day``'s month in the agency's calendar."""
    calendar = deadlines.calendar(agency.state_code, agency.id)
    return calendar.add_working_days(day.replace(day=1), 0)


def last_month(day: dt.date) -> dt.date:
    """The first day of the month before ``day``'s."""
    return (day.replace(day=1) - dt.timedelta(days=1)).replace(day=1)


def agency_pdf(agency: Agency, month: dt.date) -> bytes:
    """The agency's monthly report PDF for the month of ``month``."""
    period = pdf.month_period(month)
    parts = dashboard.build([Scope(agency.id, agency.name)], period, detail=False)
    return pdf.render(parts, period, agency.name)


def send_monthly_reports(now: dt.datetime | None = None) -> int:
    """Tell every agency's complaint managers that last month's report is ready, on the first
    working day of the month. Returns the managers told."""
    local = (now or local_now()).astimezone(local_now().tzinfo)
    if local.time() < SEND_FROM:
        return 0
    told = 0
    for agency in db.session.scalars(select(Agency).order_by(Agency.id)).all():
        if first_working_day(agency, local.date()) != local.date():
            continue
        month = last_month(local.date())
        started = time.monotonic()
        size = len(agency_pdf(agency, month))  # made once here: a failure shows in the job
        log.info("monthly_report agency=%s month=%s bytes=%s seconds=%.2f", agency.id,
                 f"{month:%Y-%m}", size, time.monotonic() - started)  # fmt: skip
        for manager in _managers(agency):
            told += _tell(agency, manager, month)
    db.session.commit()
    return told


def _managers(agency: Agency) -> list[Officer]:
    officers = db.session.scalars(
        select(Officer).where(Officer.agency_id == agency.id, Officer.active.is_(True))
    )
    return [o for o in officers if o.has_role("complaint_manager")]


def _tell(agency: Agency, manager: Officer, month: dt.date) -> int:
    base = current_app.config.get("PUBLIC_BASE_URL", "")
    link = f"{base}/reports/monthly.pdf?month={month:%Y-%m}"
    title_ms = f"Laporan bulanan {month:%m/%Y} sedia: {agency.name}"
    title_en = f"Monthly report {month:%m/%Y} ready: {agency.name}"
    note = notify(
        manager, "monthly_report", title_ms=title_ms, title_en=title_en,
        body_ms=f"Muat turun: {link}", body_en=f"Download: {link}",
        dedupe_key=f"monthly-report:{agency.id}:{month:%Y-%m}:{manager.id}",
    )  # fmt: skip
    return 0 if note is None else 1
