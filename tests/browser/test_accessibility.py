"""Every officer and citizen page, in Bahasa Malaysia and in English, in Chromium: axe-core
finds no critical or serious violation and the console shows no CSP refusal (issue #17). At
390 px no officer page scrolls sideways; at 1366×768 the default inbox shows ten tickets."""

from __future__ import annotations

import pytest

from aduan.extensions import db
from aduan.models.routing import Notification
from aduan.services.citizen import status as citizen_status
from tests.browser.audit import axe_violations, csp_errors, sideways_overflow, watch_console
from tests.browser.test_inbox import sign_in
from tests.builders import (
    gen_agency,
    gen_category,
    gen_complainant,
    gen_officer,
    gen_ticket,
    gen_unit,
)

PHONE = "012-345 6789"
LOCALES = {"ms": "ms-MY", "en": "en-GB"}
# Officer pages (signed in as an officer who is also the agency's admin) and citizen pages.
OFFICER_PAGES = [
    "/inbox", "/inbox?view=split", "/inbox?queue=overdue&status=baharu", "/inbox/tickets/{ref}",
    "/inbox/tickets/{closed}", "/inbox/notifications", "/inbox/new", "/inbox/bulk",
]  # fmt: skip
CITIZEN_PAGES = [
    "/", "/aduan/baru", "/semak", "status", "/piagam", "/a/{code}/aduan/baru", "/a/{code}/semak",
    "/a/{code}/piagam", "/login",
]  # fmt: skip


@pytest.fixture
def world(db):
    """An agency with a unit, a category, an officer (BM or EN), a few tickets, notices."""
    agency = gen_agency(code="AXE")
    unit = gen_unit(agency, name="Unit Jalan")
    agency.triage_unit_id = unit.id
    gen_category(agency, "BPA-03")
    person = gen_complainant(agency, phone="+60123456789", name="Aminah")
    tickets = [
        gen_ticket(agency, unit, subject=f"Lampu jalan rosak {i}", complainant=person)
        for i in range(12)
    ]
    closed = gen_ticket(agency, unit, subject="Sudah selesai", complainant=person)
    closed.status = "ditutup"
    citizen_status.set_contact_check(tickets[0], citizen_status.contact_hint("phone", PHONE))
    db.session.commit()
    return agency, unit, tickets, closed


def _officer(agency, unit, locale: str):
    officer = gen_officer(
        agency, [unit], roles=("officer", "admin"), username=f"axe.{locale}", locale=locale
    )
    db.session.add(Notification(officer_id=officer.id, kind="assigned",
                                title_ms="Tiket baharu", title_en="New ticket"))  # fmt: skip
    db.session.commit()
    return officer


def _audit(page, url: str, seen: list[str]) -> None:
    response = page.goto(url)
    assert response is not None and response.ok, f"{url}: {response and response.status}"
    page.wait_for_load_state("networkidle")
    violations = axe_violations(page)
    assert not violations, f"{url}: {violations}"
    assert not csp_errors(seen), f"{url}: {csp_errors(seen)}"


def _page_params(pages):
    return [
        pytest.param(path, lang, {"locale": LOCALES[lang]}, id=f"{lang}:{path}")
        for path in pages
        for lang in LOCALES
    ]


@pytest.mark.parametrize(("path", "lang", "page"), _page_params(OFFICER_PAGES), indirect=["page"])
def test_officer_page_passes_axe_without_csp_errors(page, live_server, world, path, lang):
    agency, unit, tickets, closed = world
    officer = _officer(agency, unit, lang)
    seen = watch_console(page)
    sign_in(page, live_server, officer.username)
    _audit(page, live_server + path.format(ref=tickets[0].reference, closed=closed.reference), seen)
    assert page.locator("html").get_attribute("lang") == lang
    if path == "/inbox?view=split":  # the split view with a ticket open in its pane
        page.locator("tr.ticket-row a.reference").first.click()
        page.locator("#ticket-pane #ticket-status").wait_for()
        assert not axe_violations(page) and not csp_errors(seen)
    if path == "/inbox":  # the shortcuts dialog and the bulk bar, opened
        page.keyboard.press("?")
        assert page.locator("#shortcuts").is_visible()
        assert not axe_violations(page)
        page.keyboard.press("Escape")
        page.locator("input.bulk-pick").first.check()
        assert page.locator("#bulk-form").is_visible()
        assert not axe_violations(page) and not csp_errors(seen)


@pytest.mark.parametrize(("path", "lang", "page"), _page_params(CITIZEN_PAGES), indirect=["page"])
def test_citizen_page_passes_axe_without_csp_errors(page, live_server, world, path, lang):
    agency, _, tickets, _ = world
    seen = watch_console(page)
    if path == "status":  # the status page of a complaint, opened with its answer
        page.goto(f"{live_server}/semak?ref={tickets[0].reference}")
        page.fill("#answer", "6789")
        page.click("form[action='/semak'] button[type=submit]")
        page.locator("[data-status]").wait_for()
        assert page.locator("html").get_attribute("lang") == lang
        assert not axe_violations(page) and not csp_errors(seen)
        return
    _audit(page, live_server + path.format(code=agency.code), seen)
    assert page.locator("html").get_attribute("lang") == lang


PHONE_VIEW = {"viewport": {"width": 390, "height": 844}, "locale": "ms-MY"}


@pytest.mark.parametrize("page", [PHONE_VIEW], indirect=True)
def test_no_officer_page_scrolls_sideways_on_a_phone(page, live_server, world):
    agency, unit, tickets, closed = world
    officer = _officer(agency, unit, "ms")
    sign_in(page, live_server, officer.username)
    wide = {}
    for path in [*OFFICER_PAGES, "/admin"]:
        response = page.goto(
            live_server + path.format(ref=tickets[0].reference, closed=closed.reference)
        )
        assert response.ok, f"{path}: {response.status}"
        overflow = sideways_overflow(page)
        if overflow > 0:
            wide[path] = overflow
    assert not wide, f"wider than 390 px: {wide}"
    page.goto(f"{live_server}/inbox")  # and the list is still there, one card per ticket
    assert page.locator("tr.ticket-row").first.is_visible()


@pytest.mark.parametrize("page", [{"viewport": {"width": 1366, "height": 768}}], indirect=True)
def test_the_default_inbox_shows_ten_tickets_without_scrolling(page, live_server, world):
    agency, unit, _, _ = world
    officer = _officer(agency, unit, "ms")
    sign_in(page, live_server, officer.username)
    page.goto(f"{live_server}/inbox")
    heights = page.locator("tr.ticket-row").evaluate_all(
        "rows => rows.map(r => r.getBoundingClientRect().bottom)"
    )
    visible = [bottom for bottom in heights if bottom <= 768]
    page.screenshot(path="test-artifacts/screenshots/inbox-1366x768.png")
    assert len(visible) >= 10, f"only {len(visible)} rows above the fold: {heights[:12]}"
