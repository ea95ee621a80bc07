"""Bulk action from the queue in a real browser: tick rows, change status, read the report."""

from __future__ import annotations

from playwright.sync_api import expect

from aduan.extensions import db
from aduan.models import Ticket
from tests.browser.test_inbox import desk, sign_in  # noqa: F401 (fixture)


def test_tick_two_rows_and_change_their_status(page, live_server, desk):  # noqa: F811
    officer, ticket, duplicate = desk
    sign_in(page, live_server, officer.username)
    rows = page.locator("tr.ticket-row")
    expect(rows).to_have_count(2)
    rows.nth(0).locator("input.bulk-pick").check()  # by hand
    page.evaluate("document.activeElement.blur()")
    page.keyboard.press("j")  # focus the first row...
    page.keyboard.press("j")  # ...then the second
    page.keyboard.press("x")  # and tick it from the keyboard
    expect(rows.nth(1).locator("input.bulk-pick")).to_be_checked()
    expect(page.locator("#pick-all")).to_be_checked()
    page.uncheck("#pick-all")  # "select all on this page" clears and ticks every row
    expect(page.locator("input.bulk-pick:checked")).to_have_count(0)
    page.check("#pick-all")
    expect(page.locator("input.bulk-pick:checked")).to_have_count(2)
    page.select_option("#bulk-action", "status")
    page.select_option("#bulk-status", "dalam_tindakan")
    page.click("text=Apply to ticked tickets")
    report = page.locator(".bulk-report")
    expect(report).to_contain_text("Done: every ticket was changed.")
    expect(report).to_contain_text(ticket.reference)
    expect(report).to_contain_text(duplicate.reference)
    db.session.expire_all()
    assert {db.session.get(Ticket, t.id).status for t in (ticket, duplicate)} == {"dalam_tindakan"}
