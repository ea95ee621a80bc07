"""Admin pages in human words in a real browser (issue #17 item 7): roles, channels and
channel settings by name with hints, SLA numbers with their unit, and leave as a date range."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from aduan.extensions import db
from aduan.models.routing import RosterException
from tests.browser.test_inbox import sign_in
from tests.builders import gen_agency, gen_officer, gen_totp, gen_unit, totp_code


@pytest.fixture
def admin_desk(db):
    agency = gen_agency()
    unit = gen_unit(agency, name="Unit Kejuruteraan")
    admin = gen_officer(agency, [unit], roles=("admin",), username="admin.words", locale="en")
    manager = gen_officer(agency, [unit], roles=("complaint_manager",), name="Pengurus Zaleha")
    gen_totp(admin)
    db.session.commit()
    return agency, unit, admin, manager


def _sign_in_admin(page, base: str, admin) -> None:
    sign_in(page, base, admin.username)
    expect(page).to_have_url(re.compile(r"/login/two-factor"))
    page.fill("#code", totp_code(admin))
    page.click("text=Continue")
    expect(page).to_have_url(re.compile(r"/inbox$"))


def test_roles_channels_settings_and_deadlines_are_in_words(page, live_server, admin_desk):
    _, _, admin, _ = admin_desk
    _sign_in_admin(page, live_server, admin)
    page.goto(f"{live_server}/admin/officers")
    row = page.locator("tr", has_text="Pengurus Zaleha")
    expect(row).to_contain_text("Complaint manager")
    expect(page.locator("main")).not_to_contain_text("complaint_manager")

    page.goto(f"{live_server}/admin/channels")
    expect(page.locator("main")).to_contain_text("WhatsApp (Meta Cloud API)")
    expect(page.locator("main")).not_to_contain_text("whatsapp_cloud")
    page.click("text=E-mail")
    expect(page.locator("label[for=f-s_imap_url]")).to_have_text("Incoming mail server (IMAP)")
    expect(page.locator("#s_imap_url-hint")).to_contain_text("imaps://user:password@")
    expect(page.locator("label[for=f-s_smtp_url]")).to_have_text("Outgoing mail server (SMTP)")
    expect(page.locator("main")).not_to_contain_text("imap_url")

    page.goto(f"{live_server}/admin/sla-profiles")
    expect(page.locator("main table")).to_contain_text("15 working days")
    expect(page.locator("main table")).to_contain_text("1 working day")


def test_leave_is_entered_as_a_date_range(page, live_server, admin_desk):
    _, unit, admin, manager = admin_desk
    _sign_in_admin(page, live_server, admin)
    page.goto(f"{live_server}/admin/roster/{unit.id}")
    page.select_option("#f-officer_id", label=manager.name)
    page.fill("#f-day", "2026-07-10")
    page.fill("#f-until", "2026-07-08")
    page.click("form[action$='/exceptions'] button[type=submit]")
    expect(page.locator("#until-error")).to_contain_text("cannot be before the first day")
    expect(page.locator("#f-day")).to_have_value("2026-07-10")  # nothing typed is lost

    page.select_option("#f-officer_id", label=manager.name)
    page.fill("#f-day", "2026-07-06")
    page.fill("#f-until", "2026-07-10")
    page.click("form[action$='/exceptions'] button[type=submit]")
    expect(page.locator(".flash-success")).to_be_visible()
    for day in ("2026-07-06", "2026-07-07", "2026-07-08", "2026-07-09", "2026-07-10"):
        expect(page.locator("tr", has_text=day)).to_contain_text("Leave")
    db.session.expire_all()
    days = db.session.scalars(
        db.select(RosterException.day).where(RosterException.officer_id == manager.id)
    ).all()
    assert len(days) == 5
