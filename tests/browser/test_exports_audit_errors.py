"""Exports, the audit log and the error pages in a real browser (issues #15, #17 items 3 and 5):
a queue export's progress page polls until "ready" and its file downloads; the audit page's
filters; error pages in BM and EN with a way back; a transfer out of scope returns to the
queue saying where the ticket went."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from playwright.sync_api import expect

from aduan.models.admin import AdminAuditLog
from tests.browser.test_inbox import sign_in
from tests.builders import gen_agency, gen_officer, gen_ticket, gen_totp, gen_unit, totp_code
from tests.web.exports.helpers import run_jobs
from workers.worker import AppWorker


@pytest.fixture
def office(db):
    agency = gen_agency(code="ZIR")
    unit1, unit2 = gen_unit(agency, name="Unit Satu"), gen_unit(agency, name="Unit Dua")
    officer = gen_officer(agency, [unit1], username="pegawai.eksport", name="Pegawai Eksport",
                          locale="en")  # fmt: skip
    admin = gen_officer(agency, [unit1], roles=("admin",), username="admin.audit",
                        name="Admin Audit", locale="en")  # fmt: skip
    clerk = gen_officer(agency, [unit1], roles=("admin",), name="Kerani Tetapan")
    gen_totp(admin)  # admin pages need two-factor sign-in
    tickets = [gen_ticket(agency, unit1, subject=f"Longkang {n}") for n in range(3)]
    other = gen_agency(code="KUA")
    gen_ticket(other, gen_unit(other), subject="Longkang agensi lain")
    at = dt.datetime(2026, 3, 2, 1, 0, tzinfo=dt.UTC)
    for actor, name in ((clerk, "Unit Baru"), (admin, "Unit Lain")):
        db.session.add(AdminAuditLog(agency_id=agency.id, actor_id=actor.id, entity="unit",
                                     entity_id=unit1.id, action="update",
                                     before={"name": "Lama"}, after={"name": name},
                                     created_at=at))  # fmt: skip
    db.session.commit()
    return {"officer": officer, "admin": admin, "clerk": clerk, "tickets": tickets,
            "unit2": unit2}  # fmt: skip


def test_a_queue_export_reaches_ready_and_downloads(page, live_server, office, app,
                                                    monkeypatch):  # fmt: skip
    monkeypatch.setattr(AppWorker, "_app", app)
    sign_in(page, live_server, office["officer"].username)
    page.goto(f"{live_server}/inbox?q=longkang")
    page.click("#export-panel summary")  # folded, so the list stays first
    page.select_option("#export-format", "csv")
    page.click("#export-form button[type=submit]")
    expect(page.locator("#export-progress")).to_have_attribute("data-state", "queued")
    run_jobs()  # a burst worker, here (RQ's signal handlers need the main thread)
    expect(page.locator("#export-progress")).to_have_attribute("data-state", "ready",
                                                               timeout=15_000)  # fmt: skip
    expect(page.locator("#export-bar")).to_have_attribute("value", "100")
    with page.expect_download() as download:
        page.click("#export-download")
    with open(download.value.path(), encoding="utf-8-sig") as handle:
        rows = list(csv.reader(io.StringIO(handle.read())))
    assert sorted(r[0] for r in rows[1:]) == sorted(t.reference for t in office["tickets"])


def test_the_audit_page_filters_by_who(page, live_server, office):
    sign_in(page, live_server, office["admin"].username)
    page.fill("#code", totp_code(office["admin"]))
    page.click("button[type=submit]")
    page.goto(f"{live_server}/admin/audit")
    rows = page.locator("tr.audit-entry")
    expect(rows).to_have_count(2)
    expect(page.locator("#audit-entries")).to_contain_text("name: Lama → Unit Baru")
    expect(page.locator("#audit-entries")).to_contain_text("2 March 2026, 09:00")
    page.select_option("#f-who", label="Kerani Tetapan")
    page.click("#audit-filters button[type=submit]")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Kerani Tetapan")
    expect(rows.first).to_contain_text("Changed unit “Unit Baru”")


@pytest.mark.browser_locale("ms-MY")
def test_a_citizens_error_page_in_malay_then_english_leads_home(page, live_server, office):
    page.goto(f"{live_server}/tiada-halaman-ini")
    expect(page.locator("html")).to_have_attribute("lang", "ms")
    expect(page.locator("h1")).to_have_text("Halaman tidak dijumpai")
    page.click("a.language-link[lang=en]")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("h1")).to_have_text("Page not found")
    page.click("#error-back")
    expect(page).to_have_url(f"{live_server}/")


def test_an_officers_error_page_leads_back_to_the_queue(page, live_server, office):
    sign_in(page, live_server, office["officer"].username)
    page.goto(f"{live_server}/inbox/tickets/ADU-2026-ZZZZZZ")
    expect(page.locator("h1")).to_have_text("Page not found")
    expect(page.locator(".officer-name")).to_have_text("Pegawai Eksport")
    page.click("#error-back")
    expect(page).to_have_url(f"{live_server}/inbox")


def test_a_transfer_out_of_scope_returns_to_the_queue_with_where_it_went(page, live_server,
                                                                        office):  # fmt: skip
    ticket = office["tickets"][0]
    sign_in(page, live_server, office["officer"].username)
    page.goto(f"{live_server}/inbox/tickets/{ticket.reference}")
    transfer = page.locator("form[action$='/transfer']")
    transfer.locator("select[name=unit_id]").select_option(label="Unit Dua")
    transfer.locator("button[type=submit]").click()
    expect(page).to_have_url(f"{live_server}/inbox")
    expect(page.locator(".flash-success")).to_contain_text(
        f"Ticket {ticket.reference} went to Unit Dua, outside your units"
    )
    expect(page.locator("#ticket-rows")).not_to_contain_text(ticket.reference)
