"""The status page: verification, constant answers, the public timeline, replies."""

from __future__ import annotations

import re
import statistics
import time

from aduan.extensions import db
from aduan.models import Message, Ticket
from tests.web.public.helpers import complaint, csrf, setup_agency

WRONG = "Kami tidak dapat mengesahkan butiran ini"  # BM: the default language


def _file(client) -> Ticket:
    _, category = setup_agency()
    client.post("/aduan/baru", data=complaint(csrf(client), category))
    return db.session.scalars(db.select(Ticket)).one()


def _check(client, token, reference, answer, **environ):
    data = {"csrf_token": token, "reference": reference, "answer": answer, "code": ""}
    return client.post("/semak", data=data, environ_base=environ)


def test_right_answer_opens_the_status_and_wrong_does_not(client):
    ticket = _file(client)
    token = csrf(client, "/semak?lang=en")
    wrong = _check(client, token, ticket.reference, "0000")
    assert wrong.status_code == 200 and WRONG in wrong.get_data(as_text=True)
    assert client.get("/semak/status").status_code == 302
    right = _check(client, token, ticket.reference.lower(), "6789")
    assert right.status_code == 302 and right.headers["Location"].endswith("/semak/status")
    html = client.get("/semak/status").get_data(as_text=True)
    assert ticket.reference in html and 'data-status="baharu"' in html
    assert "Baharu" in html and "Lampu jalan" in html


def test_missing_and_existing_references_answer_alike(client):
    ticket = _file(client)
    token = csrf(client, "/semak?lang=en")
    existing = _check(client, token, ticket.reference, "1111").get_data(as_text=True)
    missing = _check(client, token, "ADU-2026-AAAAAA", "1111").get_data(as_text=True)
    strip = re.compile(r'value="[^"]*"')
    assert strip.sub("", existing) == strip.sub("", missing)


def test_enumeration_is_rate_limited_and_never_differs(client):
    ticket = _file(client)
    token = csrf(client, "/semak?lang=en")
    codes = set()
    for n in range(12):
        reference = ticket.reference if n == 3 else f"ADU-2026-{n:06d}"
        response = _check(client, token, reference, "1234")
        codes.add(response.status_code)
    assert codes == {200, 429}


def test_timing_of_existing_and_missing_references_is_close(client, app, monkeypatch):
    monkeypatch.setitem(app.config, "PUBLIC_LOOKUP_LIMIT", "1000 per minute")
    ticket = _file(client)
    token = csrf(client, "/semak?lang=en")

    def median(reference):
        samples = []
        for _ in range(30):
            start = time.perf_counter()
            _check(client, token, reference, "1234")
            samples.append(time.perf_counter() - start)
        return statistics.median(samples)

    existing, missing = median(ticket.reference), median("ADU-2026-AAAAAA")
    assert abs(existing - missing) < max(existing, missing) * 0.5 + 0.005


def test_internal_notes_never_shown_and_replies_thread(client):
    ticket = _file(client)
    db.session.add(
        Message(ticket_id=ticket.id, direction="note", channel="web", body="RAHSIA nota dalaman")
    )
    db.session.commit()
    token = csrf(client, "/semak")
    _check(client, token, ticket.reference, "6789")
    html = client.get("/semak/status").get_data(as_text=True)
    assert "RAHSIA" not in html
    form_id = re.search(r'name="form_id" type="hidden" value="([0-9a-f]{32})"', html).group(1)
    data = {"csrf_token": token, "form_id": form_id, "text": "Ada kemas kini: lampu masih rosak."}
    assert client.post("/semak/balas", data=data).status_code == 302
    assert client.post("/semak/balas", data=data).status_code == 302  # double submit
    assert db.session.scalar(db.select(db.func.count(Ticket.id))) == 1
    replies = db.session.scalars(
        db.select(Message).where(Message.ticket_id == ticket.id, Message.direction == "in")
    ).all()
    assert [m.body for m in replies][-1] == "Ada kemas kini: lampu masih rosak." and len(
        replies
    ) == 2
    assert "masih rosak" in client.get("/semak/status").get_data(as_text=True)


def test_after_rating_the_page_thanks_and_a_second_rating_is_refused(client):
    from aduan.models.citizen import SurveyResponse
    from aduan.services.tickets import workflow

    ticket = _file(client)
    workflow.change_status(ticket, "dalam_tindakan")
    workflow.change_status(ticket, "selesai")
    db.session.commit()
    token = csrf(client, "/semak")  # in BM, the default
    _check(client, token, ticket.reference, "6789")
    assert 'action="/semak/tinjauan"' in client.get("/semak/status").get_data(as_text=True)
    rate = {"csrf_token": token, "rating": "4", "comment": "Baik"}
    assert client.post("/semak/tinjauan", data=rate).status_code == 302
    html = client.get("/semak/status").get_data(as_text=True)
    assert 'action="/semak/tinjauan"' not in html and "penilaian 4 daripada 5" in html
    again = client.post("/semak/tinjauan", data={**rate, "rating": "1"})
    html = again.get_data(as_text=True)
    assert again.status_code == 409 and "Anda telah menilai aduan ini" in html
    assert "penilaian 4 daripada 5" in html and 'action="/semak/bantah"' in html
    db.session.expire_all()
    assert db.session.scalar(db.select(SurveyResponse.rating)) == 4


def _reply(client, token: str, text: str):
    html = client.get("/semak/status").get_data(as_text=True)
    form_id = re.search(r'name="form_id" type="hidden" value="([0-9a-f]{32})"', html).group(1)
    data = {"csrf_token": token, "form_id": form_id, "text": text}
    return client.post("/semak/balas", data=data)


def _finish(ticket: Ticket, *statuses: str, days_ago: int = 0) -> None:
    import datetime as dt

    from aduan.models.base import utcnow
    from aduan.services.tickets import workflow

    at = utcnow() - dt.timedelta(days=days_ago)
    for status in statuses:
        workflow.change_status(ticket, status, reason="Bukan bidang kuasa", at=at)
    db.session.commit()


def test_a_thank_you_long_after_the_finish_opens_a_linked_new_complaint(client):
    from aduan.models import OutboundMessage, TicketEvent

    old = _file(client)
    _finish(old, "luar_bidang_kuasa", days_ago=120)
    token = csrf(client, "/semak")
    _check(client, token, old.reference, "6789")
    page = client.get("/semak/status").get_data(as_text=True)
    assert "akan membuka aduan baharu" in page  # said before the citizen writes
    assert _reply(client, token, "Terima kasih atas maklum balas.").status_code == 302
    db.session.expire_all()
    old, new = db.session.scalars(db.select(Ticket).order_by(Ticket.id)).all()
    assert old.status == "luar_bidang_kuasa"  # not re-opened 120 days on
    assert new.status == "baharu" and new.complainant_id == old.complainant_id
    assert new.description == "Terima kasih atas maklum balas."
    links = db.session.execute(
        db.select(TicketEvent.ticket_id, TicketEvent.kind).where(
            TicketEvent.kind.in_(("follows_up", "followed_up_by"))
        )
    ).all()
    assert sorted(links) == sorted([(new.id, "follows_up"), (old.id, "followed_up_by")])
    ack = db.session.scalar(
        db.select(OutboundMessage).where(
            OutboundMessage.ticket_id == new.id, OutboundMessage.purpose == "acknowledgement"
        )
    )
    assert ack is not None and new.reference in ack.body
    html = client.get("/semak/status").get_data(as_text=True)
    assert f"membuka aduan baharu, nombor rujukan {new.reference}" in html
    assert "Terima kasih atas maklum balas" not in html  # it is the new complaint's message
    client.post("/semak/keluar", data={"csrf_token": token})
    assert _check(client, token, new.reference, "6789").status_code == 302  # same details


def test_a_reply_to_a_closed_complaint_opens_a_new_one_and_says_so(client):
    old = _file(client)
    _finish(old, "dalam_tindakan", "selesai", "ditutup")
    token = csrf(client, "/semak")
    _check(client, token, old.reference, "6789")
    assert _reply(client, token, "Lampu rosak semula.").status_code == 302
    db.session.expire_all()
    old, new = db.session.scalars(db.select(Ticket).order_by(Ticket.id)).all()
    assert old.status == "ditutup" and new.description == "Lampu rosak semula."
    html = client.get("/semak/status").get_data(as_text=True)
    assert f"membuka aduan baharu, nombor rujukan {new.reference}" in html


def test_a_reply_within_the_objection_window_reopens_only_when_it_objects(client):
    old = _file(client)
    _finish(old, "dalam_tindakan", "selesai", days_ago=2)
    token = csrf(client, "/semak")
    _check(client, token, old.reference, "6789")
    assert "akan membuka aduan baharu" not in client.get("/semak/status").get_data(as_text=True)
    assert _reply(client, token, "Terima kasih, lampu sudah menyala.").status_code == 302
    db.session.expire_all()
    (ticket,) = db.session.scalars(db.select(Ticket)).all()
    assert ticket.status == "selesai"  # a thank-you is no objection
    assert _reply(client, token, "BANTAH: lampu masih belum menyala.").status_code == 302
    db.session.expire_all()
    (ticket,) = db.session.scalars(db.select(Ticket)).all()
    assert ticket.status == "dibuka_semula"
    html = client.get("/semak/status").get_data(as_text=True)
    assert "lampu masih belum menyala" in html and "membuka aduan baharu" not in html


def test_a_reply_about_a_merged_complaint_goes_to_the_one_handling_it(client):
    from aduan.services.tickets import merging

    _, category = setup_agency()
    for _ in range(2):
        client.post("/aduan/baru", data=complaint(csrf(client), category))
    duplicate, target = db.session.scalars(db.select(Ticket).order_by(Ticket.id)).all()
    merging.merge(duplicate, target, None)
    db.session.commit()
    token = csrf(client, "/semak")
    _check(client, token, duplicate.reference, "6789")
    assert "akan membuka aduan baharu" not in client.get("/semak/status").get_data(as_text=True)
    assert _reply(client, token, "Ada gambar baharu.").status_code == 302
    db.session.expire_all()
    assert db.session.scalar(db.select(db.func.count(Ticket.id))) == 2  # no new complaint
    last = db.session.scalar(db.select(Message).order_by(Message.id.desc()).limit(1))
    assert last.ticket_id == target.id and last.body == "Ada gambar baharu."
    html = client.get("/semak/status").get_data(as_text=True)
    assert f"ditambah kepada aduan {target.reference}" in html


def test_the_survey_offers_five_labelled_choices_not_a_number_box(client):
    from aduan.services.tickets import workflow

    ticket = _file(client)
    workflow.change_status(ticket, "dalam_tindakan")
    workflow.change_status(ticket, "selesai")
    db.session.commit()
    token = csrf(client, "/semak")
    _check(client, token, ticket.reference, "6789")
    html = client.get("/semak/status").get_data(as_text=True)
    radios = re.findall(r'<input[^>]*name="rating"[^>]*>', html)
    assert len(radios) == 5 and all('type="radio"' in r for r in radios)
    assert 'type="number"' not in html
    for label in ("1 · Sangat lemah", "3 · Sederhana", "5 · Cemerlang"):
        assert label in html
