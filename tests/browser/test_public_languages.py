"""The status page in each of the four citizen languages, in a real browser: the page, its
labels, the ticket's status and dates in that language, the switcher offering all four, and a
screenshot of each (test-artifacts/screenshots/) to look at."""

from __future__ import annotations

import pytest

from aduan.extensions import db
from aduan.models import Ticket
from aduan.services.outbox.texts import format_local
from aduan.services.tickets import workflow
from tests.browser.conftest import save_screenshot
from tests.builders import gen_agency, gen_ticket, gen_unit
from tests.web.public.helpers import setup_agency

EXPECTED = {
    "ms": ("Semak status aduan", "Dalam Tindakan"),
    "en": ("Check the status of a complaint", "In progress"),
    "zh": ("查询投诉状态", "处理中"),
    "ta": ("புகாரின் நிலையைப் பார்க்கவும்", "நடவடிக்கையில்"),
}


def file_in_browser(page, live_server) -> str:
    page.goto(f"{live_server}/aduan/baru?lang=ms")
    page.select_option("#category", index=1)
    page.fill("#description", "Lampu jalan di Jalan Kenanga rosak sejak minggu lepas.")
    page.select_option("#state", "10")
    page.fill("#phone", "012-345 6789")
    page.click("button[type=submit]")
    return page.text_content("[data-reference]")


@pytest.mark.parametrize("language", ["ms", "en", "zh", "ta"])
def test_the_status_page_in_each_citizen_language(page, live_server, app_ctx, request, language):
    setup_agency()
    other = gen_agency(code="OTH")  # another agency's ticket is never shown
    gen_ticket(other, gen_unit(other), description="Pokok tumbang di Jalan Lain.")
    db.session.commit()
    reference = file_in_browser(page, live_server)
    db.session.expire_all()
    ticket = db.session.scalar(db.select(Ticket).where(Ticket.reference == reference))
    workflow.change_status(ticket, "dalam_tindakan")
    db.session.commit()

    heading, status = EXPECTED[language]
    page.goto(f"{live_server}/semak?ref={reference}&lang={language}")
    assert page.locator("html").get_attribute("lang") == language
    assert page.text_content("h1").strip() == heading
    page.fill("#answer", "6789")
    page.click("form[action='/semak'] button[type=submit]")
    assert page.text_content("[data-status]") == status
    main = page.text_content("main")
    assert reference in main
    assert format_local(ticket.received_at, language) in main  # "3 Disember 2026, …"
    assert "Pokok tumbang" not in main
    switcher = page.locator("nav.language").text_content()
    assert all(name in switcher for name in ("Bahasa Malaysia", "English", "中文", "தமிழ்"))
    save_screenshot(page, request.node, f"-{language}")
