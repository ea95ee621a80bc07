"""Each agency's own public pages (/a/<code>/…): its form files its tickets, its status page
finds only its tickets, its charter shows only its categories, under its name and hotline."""

from __future__ import annotations

import re

from aduan.extensions import db
from aduan.models import Category, InboundEvent, Message, OutboundMessage, Ticket
from aduan.services.citizen import status as status_lookup
from tests.builders import gen_complainant, gen_ticket, gen_unit
from tests.web.public.helpers import complaint, csrf, setup_agency, setup_second_agency

NOT_VERIFIED = "We could not verify these details"
_VALUES = re.compile(r'value="[^"]*"')


def _two_agencies():
    a, a_category = setup_agency()
    b, b_category = setup_second_agency()
    return a, a_category, b, b_category


def _ticket_with_answer(agency, answer: str = "6789") -> Ticket:
    complainant = gen_complainant(agency, phone=f"+6012345{answer}")
    ticket = gen_ticket(agency, gen_unit(agency), complainant=complainant)
    status_lookup.set_contact_check(ticket, answer)
    db.session.commit()
    return ticket


def _check(client, prefix: str, reference: str, answer: str = "6789"):
    token = csrf(client, f"{prefix}/semak?lang=en")
    data = {"csrf_token": token, "reference": reference, "answer": answer, "code": ""}
    return client.post(f"{prefix}/semak", data=data)


def test_a_complaint_filed_on_b_s_form_is_b_s_ticket_acknowledged_from_b_s_account(client):
    a, _, b, b_category = _two_agencies()
    data = complaint(csrf(client, "/a/MBPJ/aduan/baru"), b_category, phone="", email="siti@mel.my")
    response = client.post("/a/MBPJ/aduan/baru", data=data)
    assert response.status_code == 200
    ticket = db.session.scalars(db.select(Ticket)).one()
    assert ticket.reference in response.get_data(as_text=True)
    assert ticket.agency_id == b.id and ticket.category_id == b_category.id
    event = db.session.scalars(db.select(InboundEvent)).one()
    assert (event.channel, event.account_key) == ("web", f"agency-{b.id}")
    ack = db.session.scalars(db.select(OutboundMessage)).one()
    assert (ack.purpose, ack.channel, ack.to_handle) == ("acknowledgement", "email", "siti@mel.my")
    assert ack.account_key == "mbpj-mail"  # B's own mailbox, never the default agency's
    assert ticket.reference in ack.body
    assert f"https://aduan.test/a/MBPJ/semak?ref={ticket.reference}" in ack.body


def test_the_national_form_still_files_with_the_default_agency(client):
    a, a_category, b, _ = _two_agencies()
    client.post("/aduan/baru", data=complaint(csrf(client), a_category))
    ticket = db.session.scalars(db.select(Ticket)).one()
    assert ticket.agency_id == a.id
    assert db.session.scalars(db.select(InboundEvent.account_key)).one() == "default"


def test_b_s_form_offers_only_b_s_categories_and_a_category_of_a_is_not_filed(client):
    a, a_category, b, b_category = _two_agencies()
    html = client.get("/a/MBPJ/aduan/baru?lang=en").get_data(as_text=True)
    assert "Fallen tree" in html and "Majlis Bandaraya Petaling Jaya" in html
    assert f'value="{a_category.id}"' not in html
    data = complaint(csrf(client, "/a/MBPJ/aduan/baru"), a_category)
    response = client.post("/a/MBPJ/aduan/baru", data=data)
    assert response.status_code == 400  # not a choice on B's form
    assert db.session.scalar(db.select(Ticket)) is None


def test_a_s_reference_on_b_s_status_page_is_not_found_like_a_missing_one(client):
    a, _, b, _ = _two_agencies()
    theirs = _ticket_with_answer(a)
    on_b = _check(client, "/a/MBPJ", theirs.reference)
    missing = _check(client, "/a/MBPJ", "ADU-2026-AAAAAA")
    assert on_b.status_code == missing.status_code == 200
    assert NOT_VERIFIED in on_b.get_data(as_text=True)
    same = _VALUES.sub("", on_b.get_data(as_text=True)).replace(theirs.reference, "REF")
    assert same == _VALUES.sub("", missing.get_data(as_text=True)).replace("ADU-2026-AAAAAA", "REF")
    # The right answer opens it on its own agency's page and on the national one.
    assert (
        _check(client, "/a/" + a.code, theirs.reference)
        .headers["Location"]
        .endswith(f"/a/{a.code}/semak/status")
    )
    assert _check(client, "", theirs.reference).status_code == 302


def test_b_s_status_page_shows_b_s_ticket_under_b_s_name(client):
    _, _, b, _ = _two_agencies()
    ours = _ticket_with_answer(b)
    response = _check(client, "/a/MBPJ", ours.reference)
    assert response.headers["Location"].endswith("/a/MBPJ/semak/status")
    html = client.get("/a/MBPJ/semak/status?lang=en").get_data(as_text=True)
    assert ours.reference in html and "1-800-22-8000" in html
    assert "data-ticket-agency>Majlis Bandaraya Petaling Jaya<" in html


def test_a_ticket_opened_on_a_s_page_is_not_shown_on_b_s(client):
    a, _, b, _ = _two_agencies()
    theirs = _ticket_with_answer(a)
    _check(client, "/a/" + a.code, theirs.reference)
    response = client.get("/a/MBPJ/semak/status")
    assert response.status_code == 302 and response.headers["Location"].endswith("/a/MBPJ/semak")


def test_a_one_time_code_asked_on_b_s_page_for_a_s_reference_sends_nothing(client):
    from aduan.queues import DEFAULT, get_queue

    a, _, b, _ = _two_agencies()
    theirs = _ticket_with_answer(a)
    token = csrf(client, "/a/MBPJ/semak")
    client.post("/a/MBPJ/semak/kod", data={"csrf_token": token, "reference": theirs.reference})
    queue = get_queue(DEFAULT)
    [job] = [j for j in queue.jobs if j.func_name.endswith("send_status_code")]
    assert job.args == (theirs.reference, b.id)
    job.perform()
    assert db.session.scalar(db.select(OutboundMessage)) is None


def test_b_s_charter_shows_only_b_s_categories_under_b_s_name_and_hotline(client):
    a, _, b, _ = _two_agencies()
    db.session.add(Category(agency_id=a.id, code="A-99", name_ms="Parkir Haram",
                            name_en="Illegal parking", active=True))  # fmt: skip
    db.session.commit()
    html = client.get("/a/MBPJ/piagam?lang=en").get_data(as_text=True)
    assert "Fallen tree" in html and "Illegal parking" not in html
    assert 'data-charter-agency="MBPJ"' in html and "Majlis Bandaraya Petaling Jaya" in html
    assert "1-800-22-8000" in html and "46675 Petaling Jaya" in html
    assert "08:00 to 17:00 on working days" in html
    assert a.name not in html
    national = client.get("/piagam?lang=en").get_data(as_text=True)  # the default agency's
    assert "Illegal parking" in national and "Fallen tree" not in national


def test_b_s_charter_in_bm(client):
    _two_agencies()
    html = client.get("/a/MBPJ/piagam", headers={"Accept-Language": "ms"}).get_data(True)
    assert "Pokok Tumbang" in html and "Talian hotline" in html
    assert "08:00 hingga 17:00 pada hari bekerja" in html


def test_the_landing_page_lists_the_agencies_beside_the_national_form(client):
    a, _, b, _ = _two_agencies()
    html = client.get("/?lang=en").get_data(as_text=True)
    assert 'for="description"' in html  # a complaint without knowing the agency
    assert 'action="/aduan/baru"' in html
    for agency in (a, b):
        assert f'data-agency="{agency.code}"' in html and agency.name in html
        for page in ("aduan/baru", "semak", "piagam"):
            assert f'href="/a/{agency.code}/{page}"' in html
    assert "1-800-22-8000" in html


def test_an_unknown_agency_code_is_not_found(client):
    _two_agencies()
    assert client.get("/a/NOPE/aduan/baru").status_code == 404
    assert client.get("/a/NOPE/semak").status_code == 404


def test_a_status_page_reply_on_b_s_ticket_continues_it(client):
    _, _, b, b_category = _two_agencies()
    data = complaint(csrf(client, "/a/MBPJ/aduan/baru"), b_category)
    client.post("/a/MBPJ/aduan/baru", data=data)
    ticket = db.session.scalars(db.select(Ticket)).one()
    _check(client, "/a/MBPJ", ticket.reference)
    token = csrf(client, "/a/MBPJ/semak/status")
    form_id = "0" * 31 + "1"
    reply = {"csrf_token": token, "form_id": form_id, "text": "Masih belum dibaiki."}
    assert client.post("/a/MBPJ/semak/balas", data=reply).status_code == 302
    [only] = db.session.scalars(db.select(Ticket)).all()  # no new ticket elsewhere
    bodies = db.session.scalars(
        db.select(Message.body).where(Message.ticket_id == only.id, Message.direction == "in")
    ).all()
    assert "Masih belum dibaiki." in bodies


def test_a_host_name_of_b_serves_b_s_pages(app, client):
    _, _, b, b_category = _two_agencies()
    app.config["PUBLIC_HOSTS"] = "aduan.mbpj.test=MBPJ"
    try:
        html = client.get("/piagam?lang=en", base_url="http://aduan.mbpj.test").get_data(True)
        landing = client.get("/", base_url="http://aduan.mbpj.test")
    finally:
        app.config.pop("PUBLIC_HOSTS")
    assert "Fallen tree" in html and "1-800-22-8000" in html
    assert landing.status_code == 200 and "Fallen tree" in landing.get_data(as_text=True)


def test_a_reply_from_the_national_status_page_continues_b_s_ticket(client):
    _, _, b, _ = _two_agencies()
    ours = _ticket_with_answer(b)
    _check(client, "", ours.reference)
    token = csrf(client, "/semak/status")
    reply = {"csrf_token": token, "form_id": "0" * 31 + "2", "text": "Ada perkembangan?"}
    assert client.post("/semak/balas", data=reply).status_code == 302
    [only] = db.session.scalars(db.select(Ticket)).all()  # not a new ticket of the default one
    assert only.id == ours.id
    event = db.session.scalars(db.select(InboundEvent)).one()
    assert event.account_key == f"agency-{b.id}"
