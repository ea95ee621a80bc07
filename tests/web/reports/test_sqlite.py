"""The reports on the development database (SQLite, ``make run``): a dashboard over several
months (its chart by week) and the monthly PDF (its chart by day). SQLite returned the days of
the rollups' UNION ALL as text, and both pages failed with a server error."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re

from flask_migrate import upgrade

from aduan.services.reports import rollups
from aduan.services.sla.clock import local_moment, local_today
from tests.builders import gen_agency, gen_officer, gen_ticket, gen_unit, login
from tests.conftest import make_app
from tests.web.inbox.conftest import FreshClient
from tests.web.reports.test_monthly import _pdf_text


def _first_of_month_before(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 - months
    return dt.date(index // 12, index % 12 + 1, 1)


def test_on_sqlite_a_three_month_dashboard_and_the_monthly_pdf_show_the_agencys_figures(
    tmp_path,
):
    from aduan.extensions import db

    app = make_app(f"sqlite:///{tmp_path / 'dev.db'}", tmp_path)
    with app.app_context():
        upgrade(directory="alembic")
        mine, other = gen_agency("LPA"), gen_agency("LPB")
        unit, their_unit = gen_unit(mine), gen_unit(other)
        manager = gen_officer(mine, roles=("officer", "complaint_manager"), username="lp.pengurus")
        db.session.commit()
        today = local_today()
        months = [_first_of_month_before(today, n) for n in (3, 2, 1)]
        for count, month in enumerate(months, start=1):  # 1, 2 and 3 tickets: 6 in all
            for _ in range(count):
                at = local_moment(month + dt.timedelta(days=9), dt.time(10))
                gen_ticket(mine, unit, received_at=at)
        for _ in range(5):  # the other agency's, in the last month: never counted for LPA
            gen_ticket(other, their_unit, received_at=local_moment(months[2], dt.time(10)))
        db.session.commit()
        rollups.refresh_all()
        client = FreshClient(app, app.response_class, use_cookies=True)
        login(client, manager)
        end = months[2] + dt.timedelta(days=27)
        period = {"from": months[0].isoformat(), "to": end.isoformat()}

        page = client.get("/reports", query_string=period)
        assert page.status_code == 200
        assert mine.name in page.text and other.name not in page.text
        export = client.get("/reports/export.csv", query_string=period)
        rows = list(csv.reader(io.StringIO(export.get_data(as_text=True).lstrip("\ufeff"))))
        received = [r for r in rows if r[1] == "total" and r[4] == "received"]
        assert [(r[0], r[5]) for r in received] == [(mine.name, "6")]

        pdf = client.get(f"/reports/monthly.pdf?month={months[2]:%Y-%m}")
        assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
        text = _pdf_text(pdf.data, tmp_path)
        assert mine.name in text and other.name not in text
        received = [line for line in text.splitlines() if line.strip().startswith("Diterima")]
        assert received and re.findall(r"\d+", received[0])[0] == "3", received  # last month's
        db.session.remove()
        db.engine.dispose()
