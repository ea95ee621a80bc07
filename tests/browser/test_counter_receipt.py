"""Counter entry in a real browser (issue #17 item 6): the officer sets type, category, state,
district, priority group and attachments, and prints a receipt slip in the citizen's language
with the reference, the PIN (anonymous), the deadlines and the status page as text and QR code;
the slip's PIN then opens the citizen's status page."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from aduan.extensions import db
from aduan.models import Attachment, Ticket
from tests.browser.test_inbox import sign_in
from tests.builders import gen_officer
from tests.web.public.helpers import PNG, setup_agency


@pytest.fixture
def counter(db):
    agency, category = setup_agency()
    officer = gen_officer(agency, username="pegawai.kaunter", name="Pegawai Kaunter", locale="en")
    db.session.commit()
    return agency, category, officer


def _ticket(reference: str) -> Ticket:
    db.session.expire_all()
    return db.session.scalar(db.select(Ticket).where(Ticket.reference == reference))


def test_a_counter_entry_sets_every_field_and_prints_an_english_slip(
    page, live_server, counter, tmp_path
):
    _, category, officer = counter
    photo = tmp_path / "longkang.png"
    photo.write_bytes(PNG)
    sign_in(page, live_server, officer.username)
    page.click("text=New complaint (counter or telephone)")
    page.select_option("#f-type", "pertanyaan")
    page.select_option("#f-category", label=category.name_en)
    page.select_option("#f-state", "10")
    page.fill("#f-district", "Petaling")
    page.select_option("#f-priority", "warga_emas")
    page.fill("#f-description", "Longkang tersumbat di hadapan rumah, air melimpah ke jalan.")
    page.fill("#f-name", "Encik Tan")
    page.fill("#f-phone", "012-345 6789")
    page.select_option("#f-language", "en")
    page.set_input_files("#f-files", str(photo))
    page.click("text=Record complaint")

    slip = page.locator("#receipt-slip")
    expect(slip).to_contain_text("Complaint received")
    reference = slip.locator("[data-reference]").inner_text()
    assert re.fullmatch(r"ADU-\d{4}-[0-9A-Z]{6}", reference)
    expect(slip.locator("[data-answer]")).to_contain_text("last four characters")
    assert slip.locator("[data-pin]").count() == 0  # the phone's last digits answer instead
    expect(slip.locator("[data-acknowledge]")).to_contain_text("We acknowledge your complaint")
    expect(slip.locator("[data-resolve]")).to_contain_text("We expect to resolve it by")
    expect(slip.locator("[data-status-link]")).to_have_text(
        f"https://aduan.test/semak?ref={reference}"
    )
    expect(slip.locator("[data-qr] svg")).to_be_visible()
    page.emulate_media(media="print")  # on paper: the slip alone
    expect(page.locator(".receipt-actions")).to_be_hidden()
    expect(slip).to_be_visible()
    page.emulate_media(media="screen")

    ticket = _ticket(reference)
    assert (ticket.type, ticket.category_id, ticket.state_code, ticket.district) == (
        "pertanyaan", category.id, "10", "Petaling",
    )  # fmt: skip
    assert ticket.priority_group == "warga_emas" and ticket.language == "en"
    [attachment] = db.session.scalars(
        db.select(Attachment).where(Attachment.ticket_id == ticket.id)
    )
    assert attachment.content_type == "image/png"

    page.goto(f"{live_server}/semak?ref={reference}")  # what the citizen does with the slip
    page.fill("#answer", "6789")
    page.click("form[action='/semak'] button[type=submit]")
    expect(page.locator("[data-status]")).to_be_visible()


def test_an_anonymous_walk_in_gets_a_malay_slip_with_a_pin_that_opens_the_status_page(
    page, live_server, counter
):
    _, _, officer = counter
    sign_in(page, live_server, officer.username)  # the officer's screen is in English
    page.goto(f"{live_server}/inbox/new")
    page.fill("#f-description", "Lampu isyarat di simpang empat tidak berfungsi.")
    page.click("text=Record complaint")
    slip = page.locator("#receipt-slip")
    expect(slip).to_have_attribute("lang", "ms")
    expect(slip).to_contain_text("Aduan diterima")
    expect(slip.locator("[data-acknowledge]")).to_contain_text("hari bekerja")
    reference = slip.locator("[data-reference]").inner_text()
    pin = slip.locator("[data-pin]").inner_text()
    assert re.fullmatch(r"\d{6}", pin)
    expect(page.locator("h1")).to_have_text("Receipt slip for the citizen")  # officer: English

    page.goto(f"{live_server}/semak?ref={reference}")
    page.fill("#answer", pin)
    page.click("form[action='/semak'] button[type=submit]")
    expect(page.locator("[data-status]")).to_be_visible()


def test_a_file_that_is_not_a_photo_or_pdf_is_refused_and_the_typing_is_kept(
    page, live_server, counter, tmp_path
):
    _, category, officer = counter
    fake = tmp_path / "gambar.png"
    fake.write_bytes(b"MZ\x90\x00 not a picture")
    sign_in(page, live_server, officer.username)
    page.goto(f"{live_server}/inbox/new")
    page.select_option("#f-category", label=category.name_en)
    page.fill("#f-description", "Jalan berlubang besar di Jalan Meranti.")
    page.set_input_files("#f-files", str(fake))
    page.click("text=Record complaint")
    expect(page.locator("#files-error")).to_contain_text("Only photos")
    expect(page.locator("#f-description")).to_have_value("Jalan berlubang besar di Jalan Meranti.")
    expect(page.locator("#f-category")).to_have_value(str(category.id))
    assert db.session.scalar(db.select(db.func.count(Ticket.id))) == 0
