"""The status page tells the truth (issue #14 item 2): the officer's reasons, the interim reply,
the resolution summary, the complainant's attachments and the refused ones, and the deadline
line that fits the state the ticket is in — for a merged duplicate, where it is handled."""

from __future__ import annotations

import datetime as dt

from aduan.extensions import db
from aduan.models import Message, Ticket
from aduan.services.intake.attachments import store_attachments
from aduan.services.tickets import extending, merging, workflow
from channels.base import InboundAttachment
from tests.web.public.helpers import complaint, csrf, setup_agency, with_file
from tests.web.public.test_status import _check


def _page(client, ticket: Ticket, lang: str = "ms") -> str:
    token = csrf(client, f"/semak?lang={lang}")
    assert _check(client, token, ticket.reference, "6789").status_code == 302
    return client.get(f"/semak/status?lang={lang}").get_data(as_text=True)


def _file(client, data: dict) -> Ticket:
    assert client.post("/aduan/baru", data=data, content_type="multipart/form-data").status_code
    return db.session.scalars(db.select(Ticket).order_by(Ticket.id.desc())).first()


def test_reasons_interim_reply_summary_attachments_and_deadline_wording(client):
    _, category = setup_agency()
    ticket = _file(client, with_file(complaint(csrf(client), category)))
    message = db.session.scalar(db.select(Message).where(Message.ticket_id == ticket.id))
    refused = InboundAttachment("virus.exe", "application/x-msdownload", "stored:" + "0" * 64)
    store_attachments(ticket, message, (refused,))  # as intake refuses one from a channel
    db.session.commit()
    html = _page(client, ticket)
    assert "Lampiran anda: foto.png" in html
    assert "Lampiran tidak diterima: virus.exe" in html
    assert 'data-deadline="expected"' in html

    workflow.change_status(ticket, "dalam_tindakan")
    workflow.change_status(ticket, "menunggu_pengadu", reason="Nyatakan nombor tiang lampu")
    workflow.commit()
    html = _page(client, ticket)
    assert 'data-deadline="paused"' in html and "Nyatakan nombor tiang lampu" in html

    workflow.change_status(ticket, "dalam_tindakan")
    extending.extend(
        ticket, None, "Menunggu alat ganti", ticket.resolve_due_at + dt.timedelta(days=10)
    )
    workflow.change_status(ticket, "selesai", reason="Lampu telah diganti.")
    workflow.commit()
    html = _page(client, ticket)
    assert "Dipanjangkan — <span data-status-reason>Menunggu alat ganti</span>" in html
    assert "Jawapan interim bagi aduan" in html  # the interim reply itself, as sent
    assert "Selesai — <span data-status-reason>Lampu telah diganti.</span>" in html
    assert 'data-deadline="resolved"' in html and 'data-deadline="expected"' not in html
    assert "<dt>Diselesaikan pada</dt>" in html


def test_a_merged_duplicate_names_the_complaint_that_handles_it(client):
    _, category = setup_agency()
    duplicate = _file(client, complaint(csrf(client), category))
    target = _file(client, complaint(csrf(client), category))
    merging.merge(duplicate, target, None)
    db.session.commit()
    html = _page(client, duplicate)
    assert 'data-deadline="merged"' in html and target.reference in html
    assert "merged into" not in html  # the internal reason is not shown in English
