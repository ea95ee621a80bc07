"""The reports dashboard in a real browser, for a supervisor and a complaint manager: the
figures are the seeded ones, a figure opens its ticket list, the CSV download parses."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

from playwright.sync_api import expect

from tests.browser.test_inbox import sign_in
from tests.web.reports.builders import seed_reports


def _value(page, table: str, measure: str):
    return page.locator(f"{table} tr[data-measure='{measure}'] td.value").first


def test_a_manager_reads_the_figures_follows_one_and_downloads_the_csv(page, live_server, db):
    seeded = seed_reports()
    sign_in(page, live_server, "lp.pengurus")
    page.goto(f"{live_server}/reports")
    expect(page.locator("h1")).to_have_text(re.compile("Laporan|Reports"))
    volume = f"#volume-{seeded.agency_id}"
    expect(_value(page, volume, "received")).to_have_text("5")
    expect(_value(page, volume, "resolved")).to_have_text("1")
    expect(_value(page, f"#satisfaction-{seeded.agency_id}", "average")).to_have_text("4.0")
    expect(page.locator("svg.chart").first).to_be_visible()
    expect(page.get_by_text("Unit Kuarza")).to_have_count(0)  # the other agency's unit

    page.locator("table[data-breakdown='channel']").evaluate(
        "t => t.closest('details').open = true"
    )
    page.locator("table[data-breakdown='channel'] tr", has_text="SMS").locator("a").click()
    expect(page).to_have_url(re.compile(r"/inbox\?.*channel=sms"))
    expect(page.locator("tr.ticket-row")).to_have_count(1)
    expect(page.locator("tr.ticket-row")).to_contain_text(seeded.references["sms"])

    page.goto(f"{live_server}/reports")
    with page.expect_download() as waiting:
        page.click("#export-csv")
    text = Path(waiting.value.path()).read_text(encoding="utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    totals = {r[4]: r[5] for r in rows[1:] if r[1] == "total"}
    assert totals["received"] == "5" and totals["resolved"] == "1"


def test_a_supervisor_sees_their_units_and_their_figure_opens_their_tickets(page, live_server, db):
    seeded = seed_reports()
    sign_in(page, live_server, "lp.penyelia")
    page.goto(f"{live_server}/reports")
    volume = f"#volume-{seeded.agency_id}"
    expect(_value(page, volume, "received")).to_have_text("3")
    expect(page.get_by_text("Unit Sisa")).to_have_count(0)
    _value(page, volume, "received").locator("a").click()
    expect(page).to_have_url(re.compile(r"/inbox\?.*queue=all"))
    expect(page.locator("tr.ticket-row")).to_have_count(3)
