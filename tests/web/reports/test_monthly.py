"""The monthly report: the PDF (agency header, period, page numbers, the figures on page 1,
rendered by pdftoppm) and the first-working-day job that tells the complaint managers."""

from __future__ import annotations

import datetime as dt
import re
import subprocess

from sqlalchemy import func, select

from aduan.models import Agency, Officer, OutboundMessage
from aduan.models.routing import Notification
from aduan.services.reports import monthly
from aduan.services.sla.clock import local_moment, local_today
from tests.builders import login
from tests.web.reports.builders import seed_quality, seed_reports


def _pdf_text(data: bytes, tmp_path, first: int = 1, last: int = 1) -> str:
    path = tmp_path / "report.pdf"
    path.write_bytes(data)
    subprocess.run(["pdftoppm", "-png", "-r", "40", "-f", "1", "-l", "1", str(path),
                    str(tmp_path / "page")], check=True)  # fmt: skip
    assert list(tmp_path.glob("page*.png"))  # it renders
    return subprocess.run(
        ["pdftotext", "-layout", "-f", str(first), "-l", str(last), str(path), "-"],
        check=True, capture_output=True, text=True,
    ).stdout  # fmt: skip


def test_the_monthly_pdf_has_the_agency_the_period_and_the_figures_on_page_one(
    db, client, tmp_path
):
    seeded = seed_reports()
    login(client, seeded.officers["manager"])
    month = local_today().strftime("%Y-%m")
    response = client.get(f"/reports/monthly.pdf?month={month}")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    text = _pdf_text(response.data, tmp_path)
    name = db.session.get(Agency, seeded.agency_id).name
    assert name in text and f"{month}-01" in text
    assert "Halaman 1" in text or "Page 1" in text
    received = [
        line for line in text.splitlines() if line.strip().startswith(("Diterima", "Received"))
    ]
    assert received and re.findall(r"\d+", received[0])[0] == "5", received
    assert client.get("/reports/monthly.pdf?month=2026-13").status_code == 422
    other = db.session.get(Agency, seeded.other_agency_id)
    login(client, db.session.scalar(select(Officer).where(Officer.username == "lpb.pengurus")))
    theirs = _pdf_text(client.get(f"/reports/monthly.pdf?month={month}").data, tmp_path)
    assert other.name in theirs and name not in theirs


def test_the_job_tells_each_manager_once_on_the_first_working_day_only(db):
    seeded = seed_reports()
    agency = db.session.get(Agency, seeded.agency_id)
    first = monthly.first_working_day(agency, dt.date(2026, 6, 15))
    second = first + dt.timedelta(days=1)
    assert monthly.send_monthly_reports(local_moment(second, dt.time(9))) == 0
    assert monthly.send_monthly_reports(local_moment(first, dt.time(6))) == 0  # too early
    told = monthly.send_monthly_reports(local_moment(first, dt.time(9)))
    assert told == 2  # the manager of each of the two agencies
    assert monthly.send_monthly_reports(local_moment(first, dt.time(10))) == 0  # once
    notes = db.session.scalars(select(Notification).where(Notification.kind == "monthly_report"))
    bodies = [n.body for n in notes]
    assert all("/reports/monthly.pdf?month=2026-05" in b for b in bodies)
    mails = db.session.scalar(select(func.count(OutboundMessage.id)))
    assert mails >= 1  # by e-mail too, through the outbox door


def test_the_monthly_pdf_has_the_service_quality_figures_and_their_trend(db, client, tmp_path):
    seeded = seed_reports()
    seed_quality(seeded)
    login(client, seeded.officers["manager"])
    month = local_today().strftime("%Y-%m")
    response = client.get(f"/reports/monthly.pdf?month={month}")
    pages = subprocess.run(["pdfinfo", "-"], input=response.data, capture_output=True,
                           check=True).stdout.decode()  # fmt: skip
    last = int(re.search(r"Pages:\s+(\d+)", pages).group(1))
    text = _pdf_text(response.data, tmp_path, 1, last)
    assert "Kualiti perkhidmatan" in text or "Service quality" in text

    def row(*starts: str) -> list[str]:
        found = [line.strip() for line in text.splitlines() if line.strip().startswith(starts)]
        assert found, starts
        return found[0].split()

    assert row("Penilaian kaunter", "Counter ratings")[-2:] == ["3", "0"]  # none the month before
    assert row("Purata penilaian (1–5)", "Mean rating (1–5)")[-2:] == ["3.67", "—"]
    assert row("Lawatan pembeli misteri", "Mystery-shopping visits")[-2] == "1"
    assert row("Skor pembeli misteri (0–100)", "Mystery-shopping score (0–100)")[-2] == "50.0"
    assert "".join(row("Tindakan kini", "Actions now")).endswith("1/1/1")  # open/overdue/done
    assert row("Kaunter Alfa") == ["Kaunter", "Alfa", "3", "3.67", "1", "1", "50.0"]
    assert "Kaunter Beta" not in text  # agency B's point
    assert row(month) == [month, "3", "3.67", "66.7%", "1", "50.0"]  # the trend's last month
