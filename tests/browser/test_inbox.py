"""The officer inbox in a real browser: sign in, search, reply, status, merge, language, lock."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from aduan.extensions import db
from aduan.models import Message, Ticket
from aduan.models.base import utcnow
from aduan.services.tickets import deadlines
from tests.builders import PASSWORD, gen_agency, gen_complainant, gen_officer, gen_ticket, gen_unit


@pytest.fixture
def desk(db):
    """One agency, one unit, an officer, and two tickets from the same complainant."""
    agency = gen_agency()
    unit = gen_unit(agency, name="Unit Jalan")
    officer = gen_officer(
        agency, [unit], username="pegawai.browser", name="Pegawai Ujian", locale="en"
    )
    person = gen_complainant(agency, email="aminah@example.my", name="Aminah")
    ticket = gen_ticket(agency, unit, subject="Lampu jalan rosak", complainant=person)
    duplicate = gen_ticket(agency, unit, subject="Lampu jalan masih rosak", complainant=person)
    db.session.add(
        Message(ticket_id=ticket.id, direction="in", channel="email", sender=person.email,
                body="Lampu padam berhampiran sekolah kebangsaan")
    )  # fmt: skip
    db.session.add(
        Message(ticket_id=duplicate.id, direction="in", channel="email", sender=person.email,
                body="Masih gelap di simpang tiga")
    )  # fmt: skip
    db.session.commit()
    return officer, ticket, duplicate


def sign_in(page, base: str, username: str, password: str = PASSWORD) -> None:
    page.goto(f"{base}/login")
    page.fill("#username", username)
    page.fill("#password", password)
    page.click("button[type=submit]")
    # The click returns once the next page commits; its deferred scripts (the keyboard
    # shortcuts among them) run before "load", so wait for it before pressing keys.
    page.wait_for_load_state("load")


def open_ticket(page, base: str, ticket: Ticket) -> None:
    page.goto(f"{base}/inbox/tickets/{ticket.reference}")
    expect(page.locator("h1")).to_contain_text(ticket.reference)


def test_sign_in_and_find_a_ticket_by_a_word_in_a_message(page, live_server, desk):
    officer, ticket, _ = desk
    sign_in(page, live_server, officer.username)
    expect(page).to_have_url(re.compile(r"/inbox$"))
    page.keyboard.press("/")  # the search shortcut
    expect(page.locator("#q")).to_be_focused()
    page.keyboard.type("sekolah")
    page.keyboard.press("Enter")
    rows = page.locator("tr.ticket-row")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(ticket.reference)
    rows.first.locator("a.reference").click()
    expect(page.locator("#timeline")).to_contain_text("Lampu padam berhampiran sekolah")


def test_reply_shows_in_the_timeline(page, live_server, desk):
    officer, ticket, _ = desk
    sign_in(page, live_server, officer.username)
    open_ticket(page, live_server, ticket)
    page.keyboard.press("r")  # the reply shortcut
    expect(page.locator("#reply-body")).to_be_focused()
    page.keyboard.type("Kami akan membaiki lampu dalam masa tiga hari.")
    page.click("text=Send reply")
    expect(page.locator(".flash-success")).to_contain_text("Reply queued")
    expect(page.locator("#timeline")).to_contain_text("Kami akan membaiki lampu")


def test_change_status(page, live_server, desk):
    officer, ticket, _ = desk
    sign_in(page, live_server, officer.username)
    open_ticket(page, live_server, ticket)
    page.select_option("#new-status", "dalam_tindakan")
    page.click("text=Save status")
    expect(page.locator("#ticket-status")).to_have_text("In progress")


def test_waiting_on_the_complainant_pauses_the_sla_badge(page, live_server, desk):
    officer, ticket, _ = desk
    ticket.received_at = utcnow()  # well inside its deadline
    deadlines.recompute(ticket)
    db.session.commit()
    sign_in(page, live_server, officer.username)
    open_ticket(page, live_server, ticket)
    badge = page.locator(".ticket-facts [data-sla]")
    expect(badge).to_have_attribute("data-sla", "ok")
    expect(badge).to_contain_text("left")
    for status in ("dalam_tindakan", "menunggu_pengadu"):
        page.select_option("#new-status", status)
        page.click("text=Save status")
    expect(page.locator("#ticket-status")).to_have_text("Waiting on complainant")
    expect(badge).to_have_attribute("data-sla", "paused")
    expect(badge).to_have_text(re.compile(r"^Paused · \d+d \d+h left$"))
    frozen = badge.text_content()
    page.goto(f"{live_server}/inbox")  # the queue shows the same frozen badge
    row = page.locator("tr.ticket-row", has_text=ticket.reference)
    expect(row.locator("[data-sla]")).to_have_text(frozen)


def test_merge_a_duplicate(page, live_server, desk):
    officer, ticket, duplicate = desk
    sign_in(page, live_server, officer.username)
    open_ticket(page, live_server, ticket)
    page.fill("#merge-duplicate", duplicate.reference)
    page.click("button:text-is('Merge')")
    expect(page.locator(".flash-success")).to_contain_text("Duplicate merged")
    expect(page.locator("#timeline")).to_contain_text("Masih gelap di simpang tiga")
    open_ticket(page, live_server, duplicate)
    expect(page.locator("#ticket-status")).to_have_text("Closed")
    expect(page.locator(".notice")).to_contain_text(ticket.reference)


def test_switch_language(page, live_server, desk):
    officer, ticket, _ = desk
    sign_in(page, live_server, officer.username)
    expect(page.locator("h1")).to_have_text("Inbox")
    page.click("text=Bahasa Malaysia")
    expect(page.locator("h1")).to_have_text("Peti masuk")
    expect(page.locator("html")).to_have_attribute("lang", "ms")
    page.click("text=English")
    expect(page.locator("h1")).to_have_text("Inbox")


def test_failed_sign_ins_lock_the_account(page, live_server, desk):
    officer, _, _ = desk
    for _ in range(5):
        sign_in(page, live_server, officer.username, "salah")
        expect(page.locator(".flash-error")).to_contain_text("Wrong username or password")
    sign_in(page, live_server, officer.username)  # the right password, but locked now
    expect(page.locator(".flash-error")).to_contain_text("locked")
    expect(page).to_have_url(re.compile(r"/login"))
