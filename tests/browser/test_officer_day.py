"""The officer's day in Chromium (issue #17): the list first, the bulk bar on ticking, sortable
columns, the search scope, live updates, the split view, ``?``, saved views, notifications."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from aduan.extensions import db
from aduan.models.routing import Notification
from aduan.services.outbox.officer_notices import notify
from tests.browser.test_inbox import sign_in
from tests.builders import gen_agency, gen_officer, gen_ticket, gen_unit


@pytest.fixture
def desk(db):
    """An officer (English) with five open tickets in their unit and one closed."""
    agency = gen_agency()
    unit = gen_unit(agency, name="Unit Jalan")
    officer = gen_officer(agency, [unit], username="pegawai.hari", locale="en")
    tickets = [gen_ticket(agency, unit, subject=f"Longkang tersumbat {i}") for i in range(5)]
    closed = gen_ticket(agency, unit, subject="Longkang sudah dibaiki")
    closed.status = "ditutup"
    db.session.commit()
    return agency, unit, officer, tickets, closed


def test_the_list_comes_first_and_the_bulk_bar_appears_when_rows_are_ticked(
    page, live_server, desk
):
    _, _, officer, tickets, _ = desk
    sign_in(page, live_server, officer.username)
    expect(page.locator("tr.ticket-row")).to_have_count(5)
    expect(page.locator("#f-status")).to_be_hidden()  # filters folded away
    expect(page.locator("#bulk-form")).to_be_hidden()
    page.locator("summary", has_text="Filters").click()
    expect(page.locator("#f-status")).to_be_visible()
    page.check(f"#pick-{tickets[1].reference}")
    expect(page.locator("#bulk-form")).to_be_visible()
    expect(page.locator("#bulk-ticked")).to_have_text("1")
    page.select_option("#bulk-action", "assign")
    expect(page.locator("#bulk-assignee")).to_be_visible()
    expect(page.locator("#bulk-status")).to_be_hidden()
    page.click("#bulk-clear")
    expect(page.locator("#bulk-form")).to_be_hidden()


def test_sorting_by_reference_both_ways(page, live_server, desk):
    _, _, officer, tickets, _ = desk
    references = sorted(t.reference for t in tickets)
    sign_in(page, live_server, officer.username)
    page.click("th.sortable a[data-sort=reference]")
    expect(page.locator("th[aria-sort=ascending]")).to_contain_text("Reference")
    expect(page.locator("tr.ticket-row a.reference")).to_have_text(references)
    page.click("th.sortable a[data-sort=reference]")
    expect(page.locator("th[aria-sort=descending]")).to_contain_text("Reference")
    expect(page.locator("tr.ticket-row a.reference")).to_have_text(references[::-1])


def test_search_this_queue_or_everything_i_can_see(page, live_server, desk):
    _, _, officer, tickets, closed = desk
    sign_in(page, live_server, officer.username)
    page.fill("#q", "dibaiki")
    page.keyboard.press("Enter")
    expect(page.locator("tr.ticket-row")).to_have_count(0)
    expect(page.locator("#empty-queue")).to_be_visible()
    page.select_option("#scope", "all")
    page.click("#search-form button[type=submit] >> nth=0")
    expect(page.locator("tr.ticket-row")).to_have_count(1)
    expect(page.locator("tr.ticket-row")).to_contain_text(closed.reference)


def test_the_list_and_counts_update_without_a_reload(page, live_server, desk, app):
    agency, unit, officer, tickets, _ = desk
    app.config["INBOX_POLL_SECONDS"] = 1
    try:
        sign_in(page, live_server, officer.username)
        expect(page.locator("tr.ticket-row")).to_have_count(5)
        expect(page.locator("[data-queue-count=unit]")).to_have_text("5")
        page.locator("#q").focus()  # what the officer is doing is left alone
        newcomer = gen_ticket(agency, unit, subject="Pokok tumbang baru")
        db.session.commit()
        expect(page.locator("tr.ticket-row")).to_have_count(6, timeout=8000)
        expect(page.locator("tr.ticket-row", has_text=newcomer.reference)).to_be_visible()
        expect(page.locator("[data-queue-count=unit]")).to_have_text("6")
        expect(page.locator("#q")).to_be_focused()
        page.check(f"#pick-{tickets[0].reference}")  # while rows are ticked: no refresh
        newcomer.status = "ditutup"
        db.session.commit()
        page.wait_for_timeout(2500)
        expect(page.locator("tr.ticket-row")).to_have_count(6)
        expect(page.locator(f"#pick-{tickets[0].reference}")).to_be_checked()
    finally:
        app.config.pop("INBOX_POLL_SECONDS", None)


def test_live_endpoint_answers_304_to_an_unchanged_etag(page, live_server, desk):
    _, _, officer, _, _ = desk
    sign_in(page, live_server, officer.username)
    live = page.locator("#live-poll").get_attribute("hx-get")
    tag = re.search(r"etag=([0-9a-f]+)", live).group(1)
    unchanged = page.request.get(live_server + live)
    assert unchanged.status == 204
    again = page.request.get(
        f"{live_server}/inbox/live?queue=unit", headers={"If-None-Match": f'"{tag}"'}
    )
    assert again.status == 304


def test_split_view_opens_the_ticket_beside_the_list(page, live_server, desk):
    _, _, officer, tickets, _ = desk
    sign_in(page, live_server, officer.username)
    page.click("#view-split")
    expect(page).to_have_url(re.compile(r"view=split"))
    first = page.locator("tr.ticket-row").first
    reference = first.get_attribute("data-reference")
    first.locator("a.reference").click()
    expect(page.locator("#ticket-pane h1")).to_contain_text(reference)
    expect(page).to_have_url(re.compile(r"/inbox\?.*view=split"))  # still the list
    expect(page.locator("tr.ticket-row").first).to_have_class(re.compile("selected"))
    page.keyboard.press("j")
    page.keyboard.press("Enter")
    second = page.locator("tr.ticket-row").nth(1).get_attribute("data-reference")
    expect(page.locator("#ticket-pane h1")).to_contain_text(second)


def test_question_mark_shows_the_keyboard_shortcuts(page, live_server, desk):
    _, _, officer, _, _ = desk
    sign_in(page, live_server, officer.username)
    expect(page.locator("#shortcuts")).to_be_hidden()
    page.keyboard.press("?")
    expect(page.locator("#shortcuts")).to_be_visible()
    expect(page.locator("#shortcuts")).to_contain_text("Keyboard shortcuts")
    page.keyboard.press("Escape")
    expect(page.locator("#shortcuts")).to_be_hidden()


def test_a_saved_view_comes_back_with_its_filters(page, live_server, desk):
    _, _, officer, _, closed = desk
    sign_in(page, live_server, officer.username)
    page.goto(f"{live_server}/inbox?queue=recently_closed&sort=reference&dir=desc")
    page.fill("#view-name", "Baru ditutup")
    page.click("text=Save view")
    expect(page.locator(".flash-success")).to_contain_text("View saved")
    page.goto(f"{live_server}/inbox")
    page.click("a[data-saved-view='Baru ditutup']")
    expect(page).to_have_url(re.compile(r"queue=recently_closed"))
    expect(page.locator("tr.ticket-row")).to_have_count(1)
    expect(page.locator("th[aria-sort=descending]")).to_contain_text("Reference")
    page.click("button[aria-label='Delete the view Baru ditutup']")
    expect(page.locator("a[data-saved-view]")).to_have_count(0)


def test_notifications_grouped_with_local_time_links_and_mark_all_read(page, live_server, desk):
    _, _, officer, tickets, _ = desk
    for n in range(3):  # one held message, told three times
        notify(officer, "message_held", ticket=tickets[0], title_ms=f"Ditahan {n}",
               title_en=f"Message held {n}", dedupe_key=f"held-{n}")  # fmt: skip
    for level in (1, 2):  # two escalation levels at once
        notify(officer, "sla_breach", ticket=tickets[1], title_ms="Dilanggar",
               title_en=f"Deadline missed (level {level})")  # fmt: skip
    db.session.commit()
    assert db.session.scalar(db.select(db.func.count(Notification.id))) == 2
    sign_in(page, live_server, officer.username)
    expect(page.locator("#notification-count")).to_have_text("2")
    page.click("a.notifications")
    groups = page.locator("li.notification-group")
    expect(groups).to_have_count(2)
    expect(groups.first).to_contain_text("Deadline missed (level 2)")
    expect(page.locator("[data-repeats='3']")).to_be_visible()
    expect(groups.first.locator("time")).to_have_text(re.compile(r"^\d{1,2} \w+ \d{4}, \d\d:\d\d$"))
    page.click("text=Mark all as read")
    expect(page.locator("#notification-count")).to_have_text("0")
    groups.nth(1).locator("a.reference").click()
    expect(page.locator("h1")).to_contain_text(tickets[0].reference)
    page.goto(f"{live_server}/inbox/notifications/preferences")
    page.uncheck("input[name=email]")
    page.check("input[name=digest]")
    page.click("button:text-is('Save')")
    expect(page.locator(".flash-success")).to_contain_text("preferences saved")
    expect(page.locator("input[name=digest]")).to_be_checked()
