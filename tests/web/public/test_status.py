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
    from aduan.services import workflow

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
