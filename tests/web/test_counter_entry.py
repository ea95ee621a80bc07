"""Counter and telephone entry goes through intake; a double submit is one complaint."""

from aduan.extensions import db
from aduan.models import InboundEvent, Ticket, TicketEvent
from aduan.services.intake.counter_entry import new_entry_id
from tests.builders import gen_agency, gen_officer, gen_unit, login
from tests.web.admin.helpers import token


def _signed_in(client):
    agency = gen_agency()
    unit = gen_unit(agency)
    agency.triage_unit_id = unit.id
    officer = gen_officer(agency, units=[unit])
    db.session.commit()
    login(client, officer)
    return agency, officer


def _form(client, **kw):
    return {"csrf_token": token(client, "/inbox/new"), "entry_id": new_entry_id(),
            "channel": "counter", "description": "Longkang tersumbat di Jalan Melati.",
            "name": "Puan Aminah", "phone": "012-345 6789", **kw}  # fmt: skip


def test_counter_entry_creates_one_ticket_even_when_posted_twice(client):
    agency, officer = _signed_in(client)
    form = _form(client)
    first = client.post("/inbox/new", data=form)
    second = client.post("/inbox/new", data=form)
    assert first.status_code == 200  # the receipt slip, printed for the citizen
    assert second.status_code == 303  # the same form again: its ticket, no second slip
    [ticket] = db.session.scalars(db.select(Ticket)).all()
    assert ticket.reference in first.get_data(as_text=True)
    assert ticket.reference in second.headers["Location"]
    assert ticket.origin_channel == "counter" and ticket.agency_id == agency.id
    assert ticket.complainant.name == "Puan Aminah"
    assert [i.handle for i in ticket.complainant.identities] == ["+60123456789"]  # E.164
    assert db.session.scalar(db.select(db.func.count()).select_from(InboundEvent)) == 1
    [entered] = db.session.scalars(
        db.select(TicketEvent).where(TicketEvent.kind == "entered_by_officer")
    ).all()
    assert entered.actor_id == officer.id and entered.ticket_id == ticket.id


def test_phone_entry_without_contact_details(client):
    _signed_in(client)
    form = _form(client, channel="phone", name="", phone="")
    assert client.post("/inbox/new", data=form).status_code == 200
    ticket = db.session.scalar(db.select(Ticket))
    assert ticket.origin_channel == "phone" and ticket.complainant_id is None


def test_invalid_entry_keeps_the_input_and_names_the_fields(client):
    _signed_in(client)
    form = _form(client, description="", phone="abc", email="not-an-email")
    response = client.post("/inbox/new", data=form)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="description-error"' in html and 'id="phone-error"' in html
    assert 'id="email-error"' in html and "Puan Aminah" in html
    assert db.session.scalar(db.select(Ticket)) is None


def test_counter_adapter_never_verifies():
    from channels.base import RawRequest
    from channels.staff_entry import CounterEntryAdapter

    request = RawRequest("POST", "https://x/webhooks/counter", {}, b"{}")
    assert CounterEntryAdapter({}).verify(request) is False


def test_counter_adapter_refuses_to_send_for_good():
    import pytest

    from channels.base import ChannelError, OutboundRequest
    from channels.staff_entry import PhoneEntryAdapter

    with pytest.raises(ChannelError) as caught:
        PhoneEntryAdapter({}).send(OutboundRequest("phone", "+60123456789", "hi"))
    assert caught.value.retryable is False


def test_entry_needs_an_officer_role(client):
    agency = gen_agency()
    nobody = gen_officer(agency, roles=())
    db.session.commit()
    login(client, nobody)
    assert client.get("/inbox/new").status_code == 403


def test_counter_complainant_is_the_same_person_as_on_sms_and_is_answered_by_sms(client):
    from aduan.models import OutboundMessage
    from tests.builders import gen_complainant

    agency, officer = _signed_in(client)
    known = gen_complainant(agency, phone="+60123456789", name="Puan Aminah")
    db.session.commit()
    response = client.post("/inbox/new", data=_form(client))
    assert response.status_code == 200
    [ticket] = db.session.scalars(db.select(Ticket)).all()
    assert ticket.complainant_id == known.id  # one person across channels
    [ack] = db.session.scalars(
        db.select(OutboundMessage).where(OutboundMessage.purpose == "acknowledgement")
    ).all()
    assert (ack.channel, ack.to_handle) == ("sms", "+60123456789")


def test_a_second_counter_visit_opens_a_new_ticket(client):
    agency, officer = _signed_in(client)
    client.post("/inbox/new", data=_form(client))
    client.post("/inbox/new", data=_form(client, description="Lampu jalan rosak juga."))
    assert db.session.scalar(db.select(db.func.count()).select_from(Ticket)) == 2
