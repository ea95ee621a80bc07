"""Complainants belong to the agency that received them: the same phone writing to two
agencies is two records, and a name, contacts or history given to one agency is never seen by
another. A form's typed contact details attach a complaint to nobody's stored name."""

from aduan.extensions import db
from aduan.models import Complainant, ContactIdentity, Ticket
from aduan.services.intake.counter_entry import new_entry_id
from tests.builders import gen_agency, gen_complainant, gen_officer, gen_ticket, gen_unit, login
from tests.web.admin.helpers import token
from tests.web.public.helpers import complaint, csrf, setup_agency

PHONE = "+60123456789"


def _agency_with_officer(code: str):
    agency = gen_agency(code=code)
    unit = gen_unit(agency)
    agency.triage_unit_id = unit.id
    officer = gen_officer(agency, units=[unit], roles=("officer", "complaint_manager"))
    db.session.commit()
    return agency, officer


def _counter_entry(client, officer, **fields) -> Ticket:
    login(client, officer)
    form = {"csrf_token": token(client, "/inbox/new"), "entry_id": new_entry_id(),
            "channel": "counter", "description": "Longkang tersumbat di Jalan Melati.",
            "phone": "012-345 6789", **fields}  # fmt: skip
    assert client.post("/inbox/new", data=form).status_code == 200  # the receipt slip
    return db.session.scalars(db.select(Ticket).order_by(Ticket.id.desc())).first()


def test_another_agencys_counter_entry_with_the_same_phone_sees_nothing_of_the_first(client):
    agency_a, officer_a = _agency_with_officer("A")
    agency_b, officer_b = _agency_with_officer("B")
    ticket_a = _counter_entry(client, officer_a, name="Siti Aminah binti Yusof")
    ticket_b = _counter_entry(client, officer_b)  # no name given to agency B
    assert ticket_a.complainant_id != ticket_b.complainant_id
    assert (ticket_a.complainant.agency_id, ticket_b.complainant.agency_id) == (
        agency_a.id, agency_b.id,
    )  # fmt: skip
    html = client.get(f"/inbox/tickets/{ticket_b.reference}").get_data(as_text=True)
    assert "Siti Aminah" not in html and ticket_a.reference not in html


def test_one_person_across_channels_is_matched_only_inside_the_agency(client):
    agency_a, officer_a = _agency_with_officer("A")
    agency_b, officer_b = _agency_with_officer("B")
    known_in_a = gen_complainant(agency_a, phone=PHONE, name="Puan Aminah")
    db.session.commit()
    ticket_a = _counter_entry(client, officer_a)
    ticket_b = _counter_entry(client, officer_b)
    assert ticket_a.complainant_id == known_in_a.id  # same agency: the same person
    assert ticket_b.complainant_id != known_in_a.id
    identities = db.session.scalars(
        db.select(ContactIdentity.agency_id).where(ContactIdentity.handle == PHONE)
    ).all()
    assert sorted(identities) == sorted([agency_a.id, agency_b.id])


def test_a_stranger_on_the_public_form_neither_sees_nor_alters_a_stored_record(client):
    agency, category = setup_agency()
    officer = gen_officer(agency, roles=("complaint_manager",))
    gen_agency(code="OTHER")  # a second agency on the deployment
    person = gen_complainant(agency, email="aminah@example.my", name="Aminah")
    earlier = gen_ticket(agency, origin_channel="email", complainant=person)
    db.session.commit()
    filing = complaint(csrf(client), category, name="Penyamar", phone="",
                       email="aminah@example.my")  # fmt: skip
    assert client.post("/aduan/baru", data=filing).status_code == 200
    ticket = db.session.scalars(db.select(Ticket).order_by(Ticket.id.desc())).first()
    assert ticket.id != earlier.id and ticket.filer_name == "Penyamar"
    db.session.refresh(person)
    assert person.name == "Aminah"  # never overwritten
    assert [i.display_name for i in person.identities] == [None]
    login(client, officer)
    html = client.get(f"/inbox/tickets/{ticket.reference}").get_data(as_text=True)
    assert "Penyamar" in html and "Aminah" not in html.replace("aminah@example.my", "")


def test_a_ticket_never_links_a_complainant_of_another_agency(db):
    import pytest

    agency_a, agency_b = gen_agency(), gen_agency()
    with pytest.raises(ValueError):
        gen_ticket(agency_b, complainant=gen_complainant(agency_a, phone=PHONE))


def test_complainant_rows_carry_their_agency(db):
    agency_a, agency_b = gen_agency(), gen_agency()
    gen_complainant(agency_a, phone=PHONE)
    gen_complainant(agency_b, phone=PHONE)  # the same number, a second agency: allowed
    rows = db.session.execute(db.select(Complainant.agency_id, Complainant.phone)).all()
    assert sorted(rows) == sorted([(agency_a.id, PHONE), (agency_b.id, PHONE)])
