"""A citizen in a real browser: file in BM with a photo, get the reference, check the status,
rate the service once the complaint is resolved."""

from __future__ import annotations

import re

import pytest

from aduan.extensions import db
from aduan.models import Ticket
from aduan.models.citizen import SurveyResponse
from aduan.services.tickets import workflow
from tests.web.public.helpers import PNG, setup_agency


@pytest.mark.browser_locale("ms-MY")
def test_file_check_and_rate_in_bm(page, live_server, app_ctx, tmp_path):
    setup_agency()
    photo = tmp_path / "lampu.png"
    photo.write_bytes(PNG)
    page.goto(f"{live_server}/bahasa/ms?next=/aduan/baru")
    page.select_option("#category", label="Kekurangan Kemudahan Awam")
    page.fill("#description", "Lampu jalan di Jalan Kenanga rosak sejak minggu lepas.")
    page.select_option("#state", "10")
    page.fill("#district", "Petaling")
    page.fill("#phone", "012-345 6789")
    page.set_input_files("#attachments", str(photo))
    page.click("button[type=submit]")
    reference = page.text_content("[data-reference]")
    assert re.fullmatch(r"ADU-\d{4}-[0-9A-Z]{6}", reference)

    page.goto(f"{live_server}/semak?ref={reference}")
    page.fill("#answer", "6789")
    page.click("form[action='/semak'] button[type=submit]")
    assert page.text_content("[data-status]") == "Baharu"

    db.session.expire_all()
    ticket = db.session.scalar(db.select(Ticket).where(Ticket.reference == reference))
    workflow.change_status(ticket, "dalam_tindakan")
    workflow.change_status(ticket, "selesai")
    db.session.commit()
    page.reload()
    other_tab = page.context.new_page()  # the same status page left open in a second tab
    other_tab.goto(page.url)
    page.check("input[name=rating][value='5']")  # five labelled choices, not a number box
    page.fill("#comment", "Cepat dan baik.")
    page.click("form[action='/semak/tinjauan'] button[type=submit]")
    assert "5 daripada 5" in page.text_content("main")
    # Rated: a thank-you with the rating instead of the form; objecting is still possible.
    assert page.locator("form[action='/semak/tinjauan']").count() == 0
    assert page.locator("[data-survey-rating='5']").is_visible()
    assert page.locator("form[action='/semak/bantah']").is_visible()

    other_tab.check("input[name=rating][value='1']")
    other_tab.click("form[action='/semak/tinjauan'] button[type=submit]")
    refusal = other_tab.locator("[data-survey-refused]")
    assert "hanya boleh diberi sekali" in refusal.text_content()
    assert "5 daripada 5" in other_tab.text_content("main")
    db.session.expire_all()
    (survey_row,) = db.session.scalars(db.select(SurveyResponse)).all()
    assert survey_row.rating == 5
