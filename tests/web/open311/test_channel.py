"""Open311 service requests as a channel of their own (``open311``): stored as inbound events
on the agency's own account, opened by intake, routed by the map point against each agency's
own area rules, acknowledged on the contact given; a retried POST never makes two tickets."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from aduan import areas
from aduan.extensions import db
from aduan.models import InboundEvent, OutboundMessage, Ticket
from aduan.services.channel_config.accounts import clear_account_cache, save_account
from aduan.services.intake import web_form
from aduan.services.outbox import delivery as outbound
from aduan.vocabulary import channel_term, channel_values
from tests.builders import gen_officer, gen_unit, login
from tests.builders_routing import gen_rule
from tests.channels.builders import TWILIO_ACCOUNT
from tests.fakes.twilio import fake_twilio
from tests.web.open311.helpers import BASE, filing, two_jurisdictions

# Seksyen 14, Petaling Jaya; the filings' point (3.1073, 101.6067) is inside it.
SEKSYEN_14 = {
    "type": "Polygon",
    "coordinates": [[[101.60, 3.10], [101.62, 3.10], [101.62, 3.12], [101.60, 3.12],
                     [101.60, 3.10]]],
}  # fmt: skip
B_REQUESTS = f"{BASE}/requests.json?jurisdiction_id=MBPJ"
A_REQUESTS = f"{BASE}/requests.json?jurisdiction_id=DEF"


@pytest.fixture
def twilio():
    with fake_twilio() as server:
        yield server


def _area_unit(agency, name: str):
    """A unit of ``agency`` that its rule sends every ticket inside Seksyen 14 to."""
    unit = gen_unit(agency)
    gen_rule(agency, 1, {"area": areas.load(SEKSYEN_14)}, {"unit_id": unit.id}, name=name)
    db.session.commit()
    return unit


def _tickets(agency) -> list[Ticket]:
    query = db.select(Ticket).where(Ticket.agency_id == agency.id).order_by(Ticket.id)
    return db.session.scalars(query).all()


def _count(model) -> int:
    return db.session.scalar(db.select(db.func.count(model.id)))


def test_a_request_inside_an_area_is_an_open311_ticket_of_that_areas_unit_acknowledged_by_sms(
    client, twilio
):
    (a, a_category, a_secret), (b, _c, b_secret) = two_jurisdictions()
    a_parks, b_parks = _area_unit(a, "A: Seksyen 14"), _area_unit(b, "B: Seksyen 14")
    save_account(b, "sms", {**TWILIO_ACCOUNT, "api_base_url": twilio.url}, key="mbpj-sms")
    db.session.commit()
    clear_account_cache()

    answer = client.post(B_REQUESTS, data=filing(b_secret, "MBPJ-01", email="",
                                                 phone="012-345 6789"))  # fmt: skip
    assert answer.status_code == 201, answer.data
    (ticket,) = _tickets(b)
    assert answer.json[0]["service_request_id"] == ticket.reference
    assert (ticket.origin_channel, ticket.unit_id) == ("open311", b_parks.id)  # not A's rule
    (event,) = db.session.scalars(db.select(InboundEvent)).all()
    assert (event.channel, event.account_key) == ("open311", f"agency-{b.id}")
    assert event.processed_at is not None and event.sender_key is not None  # in sender order

    (ack,) = db.session.scalars(db.select(OutboundMessage)).all()
    assert (ack.purpose, ack.channel, ack.account_key) == ("acknowledgement", "sms", "mbpj-sms")
    assert outbound.deliver(ack.id).state == "sent"
    (sent,) = twilio.requests
    assert (sent.form["To"], sent.form["From"]) == ("+60123456789", TWILIO_ACCOUNT["sms_number"])
    assert ticket.reference in sent.form["Body"]

    # A's rule routes A's own filing at the same point, and B's api_key files nothing at A.
    theirs = client.post(A_REQUESTS, data=filing(a_secret, a_category.code))
    (a_ticket,) = _tickets(a)
    assert theirs.status_code == 201 and a_ticket.unit_id == a_parks.id
    refused = client.post(A_REQUESTS, data=filing(b_secret, a_category.code, description="Lagi"))
    assert refused.status_code == 403 and len(_tickets(a)) == 1


def test_an_idempotency_key_retry_answers_the_first_request_and_keys_belong_to_one_token(client):
    (a, a_category, a_secret), (b, _c, b_secret) = two_jurisdictions()
    key = {"Idempotency-Key": "app-filing-42"}
    first = client.post(B_REQUESTS, data=filing(b_secret, "MBPJ-01"), headers=key)
    again = client.post(B_REQUESTS, data=filing(b_secret, "MBPJ-01"), headers=key)
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json[0]["service_request_id"] == first.json[0]["service_request_id"]
    assert again.json[0]["token"] == first.json[0]["token"]
    assert again.headers["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first.headers
    assert len(_tickets(b)) == 1 and _count(InboundEvent) == 1

    # The same key from A's own token is A's own filing, never B's answer.
    at_a = client.post(A_REQUESTS, data=filing(a_secret, a_category.code), headers=key)
    (a_ticket,) = _tickets(a)
    assert at_a.json[0]["service_request_id"] == a_ticket.reference != first.json[0][
        "service_request_id"]  # fmt: skip
    bad = client.post(B_REQUESTS, data=filing(b_secret, "MBPJ-01"),
                      headers={"Idempotency-Key": "x" * 201})  # fmt: skip
    assert bad.status_code == 400 and bad.json[0]["code"] == 400


def test_an_identical_request_without_a_key_within_ten_minutes_is_the_same_request(client):
    _a, (b, _c, b_secret) = two_jurisdictions()
    # At minute 9 of an hour: the retry three minutes later falls in the next ten-minute window.
    tomorrow = dt.datetime.now(dt.UTC) + dt.timedelta(days=1)
    with time_machine.travel(tomorrow.replace(minute=9), tick=True) as clock:
        first = client.post(B_REQUESTS, data=filing(b_secret, "MBPJ-01"))
        clock.shift(dt.timedelta(minutes=3))
        retry = client.post(B_REQUESTS, data=filing(b_secret, "MBPJ-01"))
        other = client.post(B_REQUESTS, data=filing(b_secret, "MBPJ-01", description="Lain"))
        clock.shift(dt.timedelta(minutes=11))
        later = client.post(B_REQUESTS, data=filing(b_secret, "MBPJ-01"))
    ids = [r.json[0]["service_request_id"] for r in (first, retry, other, later)]
    assert ids[0] == ids[1] and retry.headers["Idempotent-Replayed"] == "true"
    assert len(set(ids)) == 3 and len(_tickets(b)) == 3


def test_a_web_form_complaint_with_a_map_point_is_routed_by_area_too(client):
    (a, _a_category, _s), (b, _c, _b_secret) = two_jurisdictions()
    _area_unit(a, "A: Seksyen 14")
    b_parks = _area_unit(b, "B: Seksyen 14")
    inside = {"latitude": 3.1073, "longitude": 101.6067}
    outside = {"latitude": 3.1390, "longitude": 101.6869}
    for point in (inside, outside):
        form = web_form.ComplaintForm(text="Pokok tumbang", language="ms", fields=point)
        web_form.file_complaint(f"web-{point['latitude']}", form, b)
    routed, not_routed = _tickets(b)
    assert (routed.origin_channel, routed.unit_id) == ("web", b_parks.id)
    assert not_routed.unit_id == b.triage_unit_id


def test_the_address_is_kept_on_the_ticket_and_shown_to_its_agencys_officer(client):
    (a, _a_category, _s), (b, _c, b_secret) = two_jurisdictions()
    data = filing(b_secret, "MBPJ-01", lat="", long="", address_string="Jalan Templer, PJ")
    assert client.post(B_REQUESTS, data=data).status_code == 201
    (ticket,) = _tickets(b)
    assert (ticket.address, ticket.latitude) == ("Jalan Templer, PJ", None)
    assert ticket.unit_id == b.triage_unit_id  # no point: in no area
    login(client, gen_officer(b, units=[ticket.unit]))
    page = client.get(f"/inbox/tickets/{ticket.reference}").get_data(as_text=True)
    assert "Jalan Templer, PJ" in page and "Aplikasi Open311" in page
    login(client, gen_officer(a, roles=("complaint_manager",)))
    assert client.get(f"/inbox/tickets/{ticket.reference}").status_code == 404


def test_the_channel_is_in_the_vocabulary_and_needs_no_admin_account(client):
    from aduan.services.admin.channels import channels as admin_channels

    assert "open311" in channel_values()
    term = channel_term("open311")
    assert (term.label("ms"), term.label("en")) == ("Aplikasi Open311", "Open311 app")
    assert "open311" not in admin_channels()  # its accounts are made by the filings


def test_a_token_from_before_open311_was_a_channel_still_finds_its_request(client):
    """Requests filed before the ``open311`` channel went in as the agency's web events; their
    tokens keep answering, on their own jurisdiction only."""
    (a, _a_category, _s), (b, _c, _b_secret) = two_jurisdictions()
    token = "0f6f8d52-4a53-4cb5-9d3e-6f1b1b1f0c11"
    form = web_form.ComplaintForm(text="Pokok tumbang di Seksyen 14", language="ms", fields={})
    web_form.file_complaint(token, form, b)  # as the earlier Open311 filed it
    (ticket,) = _tickets(b)
    found = client.get(f"{BASE}/tokens/{token}.json?jurisdiction_id=MBPJ")
    assert found.json == [{"service_request_id": ticket.reference, "token": token}]
    assert client.get(f"{BASE}/tokens/{token}.json?jurisdiction_id={a.code}").status_code == 404
