"""A citizen in a real browser: file in BM with a photo, get the reference, check the status,
rate the service once the complaint is resolved."""

from __future__ import annotations

import re

import pytest

from aduan.extensions import db
from aduan.models import Ticket
from aduan.services import workflow
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
    page.fill("#rating", "5")
    page.fill("#comment", "Cepat dan baik.")
    page.click("form[action='/semak/tinjauan'] button[type=submit]")
    assert "5 daripada 5" in page.text_content("main")
