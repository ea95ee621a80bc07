"""A citizen in a real browser on one agency's own pages: from the landing page to agency B's
form, the complaint becomes B's ticket, acknowledged from B's mailbox, checked on B's status
page under B's name and hotline."""

from __future__ import annotations

import re

from aduan.extensions import db
from aduan.models import OutboundMessage, Ticket
from tests.web.public.helpers import setup_agency, setup_second_agency


def test_file_with_agency_b_and_check_on_b_s_status_page(page, live_server, app_ctx):
    default, _ = setup_agency()
    b, _ = setup_second_agency()

    page.goto(f"{live_server}/")
    page.click("[data-agency='MBPJ'] a[href='/a/MBPJ/aduan/baru']")
    assert page.text_content(".brand") == "Majlis Bandaraya Petaling Jaya"
    assert page.text_content("[data-hotline]") == "1-800-22-8000"
    page.select_option("#category", label="Fallen tree")
    page.fill("#description", "A fallen tree blocks Jalan Gasing near the school.")
    page.select_option("#state", "10")
    page.fill("#email", "siti@mel.my")
    page.click("form[action='/a/MBPJ/aduan/baru'] button[type=submit]")
    reference = page.text_content("[data-reference]")
    assert re.fullmatch(r"ADU-\d{4}-[0-9A-Z]{6}", reference)

    db.session.expire_all()
    ticket = db.session.scalar(db.select(Ticket).where(Ticket.reference == reference))
    assert ticket.agency_id == b.id and ticket.agency_id != default.id
    [ack] = db.session.scalars(
        db.select(OutboundMessage).where(OutboundMessage.ticket_id == ticket.id)
    ).all()
    assert (ack.purpose, ack.to_handle, ack.account_key) == (
        "acknowledgement", "siti@mel.my", "mbpj-mail"
    )  # fmt: skip
    assert reference in ack.body
    link = f"https://aduan.test/a/MBPJ/semak?ref={reference}"
    assert link in ack.body

    page.click("text=Check the status")  # the confirmation's link: B's status page
    assert page.url.startswith(f"{live_server}/a/MBPJ/semak")
    assert page.input_value("#reference") == reference
    page.fill("#answer", "siti")
    page.click("form[action='/a/MBPJ/semak'] button[type=submit]")
    assert page.url == f"{live_server}/a/MBPJ/semak/status"
    assert page.text_content("[data-status]") == "New"
    assert page.text_content("[data-ticket-agency]") == "Majlis Bandaraya Petaling Jaya"
    assert page.text_content(".brand") == "Majlis Bandaraya Petaling Jaya"
    assert page.text_content("[data-hotline]") == "1-800-22-8000"
