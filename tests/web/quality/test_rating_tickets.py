"""A low rating with a comment becomes one complaint, linked both ways, however often the
button is pressed (or the point's automatic rule fires); the rater who left a contact is
acknowledged like any complainant."""

from __future__ import annotations

import re

from aduan.extensions import db
from aduan.models import OutboundMessage, Ticket, TicketEvent
from aduan.models.quality import Rating
from aduan.services.quality import rating_tickets
from tests.builders import gen_agency, gen_category, gen_officer, gen_unit, login
from tests.builders_quality import gen_rating, gen_service_point

_TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


def _agency(code):
    agency = gen_agency(code=code)
    unit = gen_unit(agency)
    agency.triage_unit_id = unit.id
    return agency, unit


def _press(client, rating_id, times=1):
    page = client.get("/kualiti/penilaian").get_data(as_text=True)
    token = _TOKEN.search(page).group(1)
    return [client.post(f"/kualiti/penilaian/{rating_id}/aduan", data={"csrf_token": token})
            for _ in range(times)]  # fmt: skip


def test_pressing_the_button_three_times_opens_one_ticket_linked_both_ways(client):
    agency, unit = _agency("MBX")
    point = gen_service_point(agency, name="Kaunter Cukai", category_id=gen_category(agency).id)
    rating = gen_rating(point, score=1, comment="Menunggu dua jam, kaunter tutup awal.",
                        contact_phone="+60123456789", contact_name="Encik Ali")  # fmt: skip
    officer = gen_officer(agency, units=[unit])
    db.session.commit()
    login(client, officer)
    page = client.get("/kualiti/penilaian").get_data(as_text=True)
    assert "data-open-ticket" in page and "Menunggu dua jam" in page
    responses = _press(client, rating.id, times=3)
    assert [r.status_code for r in responses] == [303, 303, 303]
    [ticket] = db.session.scalars(db.select(Ticket)).all()
    db.session.refresh(rating)
    assert rating.ticket_id == ticket.id  # rating → ticket
    assert rating_tickets.rating_of(ticket).id == rating.id  # ticket → rating
    [event] = db.session.scalars(
        db.select(TicketEvent).where(TicketEvent.kind == "opened_from_rating")
    ).all()
    assert event.ticket_id == ticket.id and event.data["rating_id"] == rating.id
    assert event.actor_id == officer.id
    assert ticket.agency_id == agency.id and ticket.category_id == point.category_id
    assert "Kaunter Cukai" in ticket.description and "Menunggu dua jam" in ticket.description
    # The rater left a phone number: acknowledged on it with the reference, once.
    [ack] = db.session.scalars(db.select(OutboundMessage)).all()
    assert ack.to_handle == "+60123456789" and ticket.reference in ack.body
    page = client.get("/kualiti/penilaian").get_data(as_text=True)
    assert ticket.reference in page and "data-open-ticket" not in page
    timeline = client.get(f"/inbox/tickets/{ticket.reference}").get_data(as_text=True)
    assert "Dibuka daripada penilaian rendah titik perkhidmatan" in timeline
    assert f'href="/kualiti/penilaian#rating-{rating.id}">Kaunter Cukai: 1 / 5' in timeline


def test_a_good_rating_or_one_without_a_comment_does_not_become_a_ticket(client):
    agency, unit = _agency("MBX")
    point = gen_service_point(agency)
    good = gen_rating(point, score=5, comment="Bagus")
    silent = gen_rating(point, score=1, comment=None)
    login(client, gen_officer(agency, units=[unit]))
    db.session.commit()
    for rating in (good, silent):
        [response] = _press(client, rating.id)
        assert response.status_code == 303
    assert db.session.scalar(db.select(db.func.count(Ticket.id))) == 0


def test_a_point_set_to_open_complaints_does_so_from_the_rating_page(client):
    agency, _unit = _agency("MBX")
    gen_service_point(agency, auto_ticket=True, low_rating=2)
    db.session.commit()
    page = client.get("/a/MBX/n/kaunter-1").get_data(as_text=True)
    token = _TOKEN.search(page).group(1)
    form = {"csrf_token": token, "score": "2", "comment": "Pegawai tidak mesra."}
    assert client.post("/a/MBX/n/kaunter-1", data=form).status_code == 200
    [rating] = db.session.scalars(db.select(Rating)).all()
    [ticket] = db.session.scalars(db.select(Ticket)).all()
    assert rating.ticket_id == ticket.id and ticket.agency_id == agency.id
    [event] = db.session.scalars(
        db.select(TicketEvent).where(TicketEvent.kind == "opened_from_rating")
    ).all()
    assert event.actor_id is None and event.actor_kind == "system"
    # No contact given: nothing sent to anyone.
    assert db.session.scalar(db.select(db.func.count(OutboundMessage.id))) == 0


def test_another_agencys_officer_cannot_open_a_ticket_from_a_rating(client):
    a, _ = _agency("MBA")
    rating = gen_rating(gen_service_point(a), score=1, comment="Lambat")
    b, b_unit = _agency("MBB")
    login(client, gen_officer(b, units=[b_unit], roles=("admin",)))
    db.session.commit()
    page = client.get("/kualiti/penilaian").get_data(as_text=True)
    assert "Lambat" not in page
    [response] = _press(client, rating.id)
    assert response.status_code == 404
    assert db.session.scalar(db.select(db.func.count(Ticket.id))) == 0
