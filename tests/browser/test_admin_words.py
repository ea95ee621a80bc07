"""Admin pages in human words in a real browser (issue #17 item 7): roles, channels and
channel settings by name with hints, SLA numbers with their unit, leave as a date range, and
"test connection" against the fake provider servers (the real SDKs talk to them)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from aduan.extensions import db
from aduan.models import ChannelAccount
from aduan.models.routing import RosterException
from aduan.services.channel_config.accounts import save_account
from tests.browser.test_inbox import sign_in
from tests.builders import gen_agency, gen_officer, gen_totp, gen_unit, totp_code
from tests.fakes.telegram import fake_telegram
from tests.fakes.twilio import fake_twilio

pytest_plugins = ["tests.channels.conftest_email"]


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


def test_test_connection_signs_in_to_the_provider_and_records_the_result(
    page, live_server, admin_desk
):
    agency, _, admin, _ = admin_desk
    with fake_telegram() as telegram, fake_twilio() as twilio:
        bot = save_account(
            agency,
            "telegram",
            {"bot_token": "123:abc", "webhook_secret": "s", "api_base_url": telegram.url},
            key="mbdj-bot",
        )
        sms = save_account(
            agency,
            "sms",
            {
                "account_sid": "AC" + "1" * 32,
                "auth_token": "t0k",
                "sms_number": "+60312345678",
                "api_base_url": twilio.url,
            },
            key="mbdj-sms",
        )
        db.session.commit()
        _sign_in_admin(page, live_server, admin)
        page.goto(f"{live_server}/admin/channels/{bot.id}")
        page.click("#test-connection button")
        expect(page.locator(".flash-success")).to_contain_text("Connection works: @aduan_test_bot")
        assert telegram.last("/getMe").path == "/bot123:abc/getMe"  # the real client, our token

        telegram.mode = "forbidden"
        page.click("#test-connection button")
        expect(page.locator(".flash-error")).to_contain_text("Connection failed")
        expect(page.locator("#account-last-error")).to_contain_text("connection test")

        page.goto(f"{live_server}/admin/channels/{sms.id}")
        page.click("#test-connection button")
        expect(page.locator(".flash-success")).to_contain_text("Aduan ujian (active)")
        assert twilio.last(".json").auth == ("AC" + "1" * 32, "t0k")

    db.session.expire_all()
    assert db.session.get(ChannelAccount, sms.id).last_success_at is not None
    assert "forbidden" in db.session.get(ChannelAccount, bot.id).last_error.lower()


def test_test_connection_logs_in_to_the_mailbox_and_the_mail_server(
    page, live_server, admin_desk, dovecot, smtp_server
):
    agency, _, admin, _ = admin_desk
    box = save_account(
        agency,
        "email",
        {
            "imap_url": dovecot.url("INBOX"),
            "smtp_url": smtp_server.url,
            "mail_from": "Aduan <aduan@mbdj.gov.my>",
        },
        key="mbdj-mail",
    )
    wrong = save_account(agency, "email", {"imap_url": dovecot.url("INBOX", password="salah")},
                         key="mbdj-wrong")  # fmt: skip
    db.session.commit()
    _sign_in_admin(page, live_server, admin)
    page.goto(f"{live_server}/admin/channels/{box.id}")
    page.click("#test-connection button")
    expect(page.locator(".flash-success")).to_contain_text("IMAP INBOX")
    expect(page.locator(".flash-success")).to_contain_text("SMTP 127.0.0.1: 250")
    page.goto(f"{live_server}/admin/channels/{wrong.id}")
    page.click("#test-connection button")
    expect(page.locator(".flash-error")).to_contain_text("IMAP login")
    expect(page.locator(".flash-error")).not_to_contain_text("salah")  # no password shown
