"""An officer's own account in a real browser (issue #17 item 4): change the password, reset it
by e-mail (a real SMTP server receives the link), two-factor sign-in required for admins with
recovery codes, and "signed in on these devices" with revoke."""

from __future__ import annotations

import email
import re
from email import policy

import pyotp
import pytest
import redis as redis_lib
from playwright.sync_api import expect
from rq import Queue

from aduan.extensions import db
from aduan.models import Officer
from aduan.services.channel_config.accounts import save_account
from tests.browser.test_inbox import sign_in
from tests.builders import PASSWORD, gen_agency, gen_officer, gen_unit
from tests.conftest import REDIS_URL
from workers.worker import AppWorker

pytest_plugins = ["tests.channels.conftest_email"]

NEW_PASSWORD = "Kenanga-lamp-post-47-rosak"


@pytest.fixture
def office(db):
    agency = gen_agency()
    unit = gen_unit(agency)
    officer = gen_officer(agency, [unit], username="aminah.pegawai", name="Aminah Pegawai",
                          email="aminah@mbdj.gov.my", locale="en")  # fmt: skip
    admin = gen_officer(agency, [unit], roles=("admin",), username="rahman.admin",
                        name="Rahman Pentadbir", email="rahman@mbdj.gov.my",
                        locale="en")  # fmt: skip
    db.session.commit()
    return agency, officer, admin


def _second_browser(browser):
    context = browser.new_context(locale="en", timezone_id="Asia/Kuala_Lumpur")
    context.set_default_timeout(10_000)
    return context, context.new_page()


def test_an_officer_changes_their_password_and_their_other_browser_is_signed_out(
    page, browser, live_server, office
):
    _, officer, _ = office
    context, other = _second_browser(browser)
    try:
        sign_in(other, live_server, officer.username)
        expect(other).to_have_url(re.compile(r"/inbox$"))
        sign_in(page, live_server, officer.username)
        page.click("a.officer-name")
        expect(page.locator("h1")).to_have_text("My account")
        page.fill("#f-current", PASSWORD)
        page.fill("#f-password", "password1234")
        page.fill("#f-confirm", "password1234")
        page.click("text=Change password")
        expect(page.locator("#password-error")).to_contain_text("too easy to guess")
        page.fill("#f-current", "not my password")
        page.fill("#f-password", NEW_PASSWORD)
        page.fill("#f-confirm", NEW_PASSWORD)
        page.click("text=Change password")
        expect(page.locator("#current-error")).to_contain_text("current password is not right")
        page.fill("#f-current", PASSWORD)
        page.fill("#f-password", NEW_PASSWORD)
        page.fill("#f-confirm", NEW_PASSWORD)
        page.click("text=Change password")
        expect(page.locator(".flash-success")).to_contain_text("Your password is changed")
        page.goto(f"{live_server}/inbox")  # this browser stays signed in
        expect(page).to_have_url(re.compile(r"/inbox$"))
        other.goto(f"{live_server}/inbox")  # the other one is signed out
        expect(other).to_have_url(re.compile(r"/login"))
        sign_in(other, live_server, officer.username, PASSWORD)
        expect(other.locator(".flash-error")).to_contain_text("Wrong username or password")
        sign_in(other, live_server, officer.username, NEW_PASSWORD)
        expect(other).to_have_url(re.compile(r"/inbox$"))
    finally:
        context.close()


def _run_jobs(app, monkeypatch) -> None:
    monkeypatch.setattr(AppWorker, "_app", app)
    connection = redis_lib.Redis.from_url(REDIS_URL)
    queues = [Queue(f"test-{name}", connection=connection) for name in ("default", "outbound")]
    AppWorker(queues, connection=connection).work(burst=True)


def test_a_forgotten_password_is_reset_with_a_single_use_link_sent_by_email(
    page, live_server, office, smtp_server, app, monkeypatch
):
    agency, officer, _ = office
    save_account(agency, "email", {"smtp_url": smtp_server.url,
                                   "mail_from": "Aduan MBDJ <aduan@mbdj.gov.my>"})  # fmt: skip
    db.session.commit()
    page.goto(f"{live_server}/login")
    page.click("#forgot-password")
    page.fill("#identifier", "nobody@nowhere.test")
    page.click("text=Send me a link")
    unknown_answer = page.locator(".flash-success").inner_text()
    page.fill("#identifier", "AMINAH@mbdj.gov.my")
    page.click("text=Send me a link")
    expect(page.locator(".flash-success")).to_have_text(unknown_answer)  # the same answer
    _run_jobs(app, monkeypatch)

    [mail] = smtp_server.handler.received  # one mail: the unknown address got none
    assert mail.rcpt_tos == ["aminah@mbdj.gov.my"]
    parsed = email.message_from_bytes(mail.original_content, policy=policy.default)
    text = parsed.get_body(("plain",)).get_content()
    assert "reset the Aduan password of aminah.pegawai" in text
    token = re.search(r"/login/reset/([A-Za-z0-9_-]+)", text).group(1)
    link = f"{live_server}/login/reset/{token}"

    page.goto(link)
    page.fill("#password", NEW_PASSWORD)
    page.fill("#confirm", "something else entirely")
    page.click("text=Save the new password")
    expect(page.locator("#password-error")).to_contain_text("not the same")
    page.fill("#password", NEW_PASSWORD)
    page.fill("#confirm", NEW_PASSWORD)
    page.click("text=Save the new password")
    expect(page.locator(".flash-success")).to_contain_text("Your password is changed")
    sign_in(page, live_server, officer.username, NEW_PASSWORD)
    expect(page).to_have_url(re.compile(r"/inbox$"))

    page.goto(link)  # single use
    expect(page.locator(".flash-error")).to_contain_text("expired or was used already")
    assert page.locator("#password").count() == 0


def test_an_admin_must_set_up_two_factor_before_admin_pages_and_then_signs_in_with_it(
    page, live_server, office
):
    _, _, admin = office
    sign_in(page, live_server, admin.username)
    page.goto(f"{live_server}/admin/officers")
    expect(page).to_have_url(re.compile(r"/account/two-factor"))
    expect(page.locator("#two-factor-required")).to_be_visible()
    expect(page.locator("#totp-qr svg")).to_be_visible()  # drawn here, no image service
    secret = page.locator("#totp-secret").inner_text()
    page.fill("#code", "000000" if pyotp.TOTP(secret).now() != "000000" else "111111")
    page.click("text=Switch two-factor sign-in on")
    expect(page.locator(".flash-error")).to_contain_text("That code is not right")
    page.fill("#code", pyotp.TOTP(secret).now())
    page.click("text=Switch two-factor sign-in on")
    codes = page.locator("#recovery-codes code").all_inner_texts()
    assert len(codes) == 10 and len(set(codes)) == 10
    page.click("text=I have kept them, continue")
    expect(page).to_have_url(re.compile(r"/admin/officers"))

    page.click("text=Sign out")
    sign_in(page, live_server, admin.username)
    expect(page).to_have_url(re.compile(r"/login/two-factor"))
    page.fill("#code", "123 456")
    page.click("text=Continue")
    expect(page.locator(".flash-error")).to_contain_text("That code is not right")
    page.fill("#code", codes[0])  # lost phone: a recovery code
    page.click("text=Continue")
    expect(page).to_have_url(re.compile(r"/inbox$"))
    page.goto(f"{live_server}/admin/officers")
    expect(page).to_have_url(re.compile(r"/admin/officers"))

    page.click("text=Sign out")
    sign_in(page, live_server, admin.username)
    page.fill("#code", codes[0])  # used once already
    page.click("text=Continue")
    expect(page.locator(".flash-error")).to_contain_text("That code is not right")
    page.fill("#code", codes[1])
    page.click("text=Continue")
    expect(page).to_have_url(re.compile(r"/inbox$"))
    page.goto(f"{live_server}/account")
    expect(page.locator("#two-factor-state")).to_contain_text("Unused recovery codes: 8")


def test_an_officer_may_switch_on_two_factor_and_is_then_asked_for_a_code(
    page, live_server, office
):
    _, officer, _ = office
    sign_in(page, live_server, officer.username)
    page.goto(f"{live_server}/account")
    expect(page.locator("#two-factor-state")).to_contain_text("Optional")
    page.click("#two-factor-section >> text=Set up two-factor sign-in")
    secret = page.locator("#totp-secret").inner_text()
    page.fill("#code", pyotp.TOTP(secret).now())
    page.click("text=Switch two-factor sign-in on")
    expect(page.locator("#recovery-codes code")).to_have_count(10)
    page.click("text=Sign out")
    sign_in(page, live_server, officer.username)
    expect(page).to_have_url(re.compile(r"/login/two-factor"))
    db.session.expire_all()
    step_used = db.session.get(Officer, officer.id).totp_last_step
    totp = pyotp.TOTP(secret)
    fresh = totp.at((step_used + 1) * 30)  # the code used to enrol cannot be used again
    page.fill("#code", fresh)
    page.click("text=Continue")
    expect(page).to_have_url(re.compile(r"/inbox$"))


def test_signed_in_devices_are_listed_and_another_one_is_signed_out(
    page, browser, live_server, office
):
    _, officer, _ = office
    context, other = _second_browser(browser)
    try:
        sign_in(other, live_server, officer.username)
        expect(other).to_have_url(re.compile(r"/inbox$"))
        sign_in(page, live_server, officer.username)
        page.goto(f"{live_server}/account")
        rows = page.locator("tr.device-row")
        expect(rows).to_have_count(2)
        expect(page.locator("tr.current-device")).to_contain_text("(this device)")
        page.locator("tr.device-row:not(.current-device) button").click()
        expect(page.locator(".flash-success")).to_contain_text("That device is signed out")
        expect(page.locator("tr.device-row")).to_have_count(1)
        other.goto(f"{live_server}/inbox")
        expect(other).to_have_url(re.compile(r"/login"))
        page.goto(f"{live_server}/inbox")  # this one is untouched
        expect(page).to_have_url(re.compile(r"/inbox$"))
    finally:
        context.close()
