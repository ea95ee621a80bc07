"""The public complaint form: one intake pipeline, validation, spam defences."""

from __future__ import annotations

import re

from aduan.extensions import db
from aduan.models import Attachment, InboundEvent, OutboundMessage, Ticket
from aduan.models.citizen import ContactCheck
from aduan.services.citizen import status as status_lookup
from tests.web.public.helpers import PNG, complaint, csrf, setup_agency, with_file


def _tickets():
    return db.session.scalars(db.select(Ticket)).all()


def test_form_renders_in_bm_with_labels_and_csrf(client):
    setup_agency()
    html = client.get("/", headers={"Accept-Language": "ms"}).get_data(as_text=True)
    assert 'name="csrf_token"' in html and 'for="description"' in html
    assert "Notis privasi" in html and "Kekurangan Kemudahan Awam" in html


def test_valid_filing_creates_one_ticket_through_intake(client):
    agency, category = setup_agency()
    data = with_file(complaint(csrf(client), category))
    response = client.post("/aduan/baru", data=data, content_type="multipart/form-data")
    assert response.status_code == 200, response.get_data(as_text=True)
    (ticket,) = _tickets()
    assert ticket.reference in response.get_data(as_text=True)
    assert ticket.origin_channel == "web" and ticket.category_id == category.id
    assert (ticket.state_code, ticket.district, ticket.priority_group) == (
        "10",
        "Petaling",
        "warga_emas",
    )
    assert abs(ticket.latitude - 3.139) < 1e-6 and ticket.complainant.phone == "+60123456789"
    assert db.session.scalar(db.select(db.func.count(InboundEvent.id))) == 1
    (ack,) = db.session.scalars(db.select(OutboundMessage)).all()
    assert ack.purpose == "acknowledgement" and (ack.channel, ack.to_handle) == (
        "sms",
        "+60123456789",
    )
    (attachment,) = db.session.scalars(db.select(Attachment)).all()
    assert attachment.content_type == "image/png" and attachment.size == len(PNG)
    check = db.session.get(ContactCheck, ticket.id)
    assert "6789" not in check.digest
    ticket_row = db.session.execute(db.text("SELECT * FROM tickets")).mappings().one()
    assert not any("6789" in str(value) for value in ticket_row.values())  # never in clear
    assert status_lookup.verify(ticket.reference, "6789") == ticket


def test_anonymous_filing_gets_a_pin_and_no_acknowledgement(client):
    _, category = setup_agency()
    data = complaint(csrf(client), category, name="", phone="")
    html = client.post("/aduan/baru", data=data).get_data(as_text=True)
    pin = re.search(r"data-pin>(\d+)<", html).group(1)
    (ticket,) = _tickets()
    assert ticket.complainant_id is None
    assert db.session.scalar(db.select(db.func.count(OutboundMessage.id))) == 0
    assert status_lookup.verify(ticket.reference, pin) == ticket


def test_double_submit_is_one_complaint(client):
    _, category = setup_agency()
    data = complaint(csrf(client), category)
    first = client.post("/aduan/baru", data=data)
    second = client.post("/aduan/baru", data=data)
    assert first.status_code == second.status_code == 200
    (ticket,) = _tickets()
    assert ticket.reference in second.get_data(as_text=True)


def test_each_invalid_field_is_reported_and_input_kept(client, app, monkeypatch):
    monkeypatch.setitem(app.config, "PUBLIC_FORM_LIMIT", "100 per minute")
    _, category = setup_agency()
    token = csrf(client)
    cases = {
        "description": {"description": "pendek"},
        "category": {"category": "-1"},
        "state": {"state": ""},
        "latitude": {"latitude": "95"},
        "longitude": {"longitude": "-200"},
        "email": {"email": "bukan-emel"},
        "phone": {"phone": "abc"},
    }
    for name, override in cases.items():
        data = complaint(token, category, district="Kampung Unik", **override)
        response = client.post("/aduan/baru", data=data)
        html = response.get_data(as_text=True)
        assert response.status_code == 400, name
        assert f'id="{name}-error"' in html, name
        assert re.search(rf'aria-describedby="[^"]*{name}-error"', html), name
        assert "Kampung Unik" in html, name
    assert _tickets() == []


def test_oversized_and_wrong_type_attachments_are_refused(client, app):
    _, category = setup_agency()
    token = csrf(client)
    big = PNG + b"\x00" * (5 * 1024 * 1024)
    response = client.post("/aduan/baru", data=with_file(complaint(token, category), big))
    assert response.status_code == 400 and 'id="attachments-error"' in response.get_data(
        as_text=True
    )
    fake = b"MZ\x90\x00 not an image"
    response = client.post("/aduan/baru", data=with_file(complaint(token, category), fake))
    assert response.status_code == 400
    assert _tickets() == []


def test_honeypot_is_refused_and_stores_nothing(client, app):
    from aduan.redis_conn import get_redis

    _, category = setup_agency()
    data = complaint(csrf(client), category, website="http://spam.example")
    response = client.post("/aduan/baru", data=data)
    assert response.status_code == 400
    assert _tickets() == [] and db.session.scalar(db.select(db.func.count(InboundEvent.id))) == 0
    assert int(get_redis(app).get("aduan:web:honeypot")) == 1


def test_rate_limit_per_address(client):
    _, category = setup_agency()
    token = csrf(client)
    codes = [
        client.post("/aduan/baru", data=complaint(token, category, description="x")).status_code
        for _ in range(6)
    ]
    assert codes[:5] == [400] * 5 and codes[5] == 429


def test_rate_limit_per_contact_across_addresses(client):
    _, category = setup_agency()
    token = csrf(client)
    codes = []
    for n in range(6):
        data = complaint(token, category, description="x", email="sama@contoh.my", phone="")
        environ = {"REMOTE_ADDR": f"10.0.0.{n}"}
        codes.append(client.post("/aduan/baru", data=data, environ_base=environ).status_code)
    assert codes[5] == 429


def test_a_filing_with_email_and_phone_keeps_both_and_either_unlocks_the_status_page(client):
    from aduan.models import ContactIdentity
    from aduan.services.outbox import door
    from tests.builders import gen_agency

    _, category = setup_agency()
    other = gen_agency(code="OTH")  # the same phone in another agency stays that agency's
    db.session.commit()
    data = complaint(csrf(client), category, name="", email="Siti.Aminah@contoh.my")
    assert client.post("/aduan/baru", data=data).status_code == 200
    (ticket,) = _tickets()
    mine = db.select(ContactIdentity).where(ContactIdentity.complainant_id == ticket.complainant_id)
    handles = {(i.channel_type, i.handle) for i in db.session.scalars(mine)}
    assert handles == {("email", "siti.aminah@contoh.my"), ("phone", "+60123456789")}
    assert ticket.complainant.phone == "+60123456789"
    (ack,) = db.session.scalars(db.select(OutboundMessage)).all()
    assert (ack.channel, ack.to_handle) == ("email", "siti.aminah@contoh.my")
    assert door.contact(ticket, "sms") == ("sms", "+60123456789")  # officers can SMS them
    assert status_lookup.verify(ticket.reference, "6789") == ticket
    assert status_lookup.verify(ticket.reference, "minah") is None
    assert status_lookup.verify(ticket.reference, "inah") == ticket
    assert status_lookup.verify(ticket.reference, "6789", other.id) is None
    assert status_lookup.verify(ticket.reference, "1234") is None
