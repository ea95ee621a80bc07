"""Hostile input to the pages (issue #12): NUL and control characters, out-of-range numbers,
header injection and floods of form fields get a clear 400/413 in BM — never a server error,
and nothing a complainant typed reaches the log."""

from __future__ import annotations

import base64
import logging
import time

import pytest

from aduan.extensions import db
from aduan.models import Ticket
from tests.builders import gen_agency, gen_officer, gen_ticket, gen_unit
from tests.web.inbox.helpers import signed_in
from tests.web.public.helpers import complaint, csrf, setup_agency

REFUSAL_BM = "aksara yang tidak dibenarkan"
EMAIL = "rahsia.pengadu@example.my"


@pytest.fixture
def officer_of_two_agencies_world(db):
    """An officer of agency A, with a ticket in A and another agency's ticket in B."""
    agency, other = gen_agency("AGA"), gen_agency("AGB")
    unit = gen_unit(agency)
    officer = gen_officer(agency, units=[unit], roles=("manager",))
    officer.own_ticket = gen_ticket(agency, unit=unit).reference
    officer.other_agency_ticket = gen_ticket(other, unit=gen_unit(other)).reference
    db.session.commit()
    return officer


@pytest.mark.parametrize("field", ["description", "name", "district", "email"])
def test_nul_in_a_complaint_form_field_is_refused_in_bm_and_not_logged(client, caplog, field):
    _, category = setup_agency()
    data = complaint(csrf(client), category, email=EMAIL)
    data[field] = data[field] + "\x00"
    caplog.set_level(logging.DEBUG)
    response = client.post("/aduan/baru", data=data, headers={"Accept-Language": "ms"})
    assert response.status_code == 400
    assert REFUSAL_BM in response.get_data(as_text=True)
    assert EMAIL not in caplog.text and "Traceback" not in caplog.text
    assert db.session.scalars(db.select(Ticket)).all() == []


def test_a_complaint_with_line_breaks_and_tabs_is_still_filed(client):
    _, category = setup_agency()
    text = "Lampu jalan rosak.\r\n\tSudah seminggu di Jalan Kenanga."
    response = client.post("/aduan/baru", data=complaint(csrf(client), category, description=text))
    assert response.status_code == 200
    (ticket,) = db.session.scalars(db.select(Ticket)).all()
    assert "Jalan Kenanga" in ticket.description


@pytest.mark.parametrize("query", ["q=air%00paip", "state=10%00", "q=%01", "status=baharu%00"])
def test_control_characters_in_inbox_filters_are_a_400_in_bm(
    client, officer_of_two_agencies_world, caplog, query
):
    signed_in(client, officer_of_two_agencies_world)
    response = client.get(f"/inbox?{query}", headers={"Accept-Language": "ms"})
    assert response.status_code == 400
    assert REFUSAL_BM in response.get_data(as_text=True)
    assert "Traceback" not in caplog.text


@pytest.mark.parametrize("ticket_id", [2**64, 2**63, -1, 10**40])
def test_an_inbox_cursor_beyond_64_bits_is_ignored_like_any_malformed_cursor(
    client, officer_of_two_agencies_world, ticket_id
):
    officer = officer_of_two_agencies_world
    signed_in(client, officer)
    cursor = base64.urlsafe_b64encode(f"-|{ticket_id}".encode()).decode().rstrip("=")
    response = client.get(f"/inbox?queue=unit&after={cursor}")
    assert response.status_code == 200  # the first page, as for any cursor it cannot read
    html = response.get_data(as_text=True)
    assert officer.own_ticket in html and officer.other_agency_ticket not in html


def test_a_category_filter_beyond_64_bits_is_ignored_not_a_server_error(
    client, officer_of_two_agencies_world
):
    signed_in(client, officer_of_two_agencies_world)
    assert client.get(f"/inbox?category={2**70}").status_code == 200


@pytest.mark.parametrize(
    "next_", ["/inbox%0d%0aSet-Cookie:%20x=1", "/inbox%0aLocation:%20//evil.test", "/%00"]
)
def test_cr_lf_in_the_login_next_is_a_400_not_a_header(client, next_):
    response = client.get(f"/login?next={next_}", headers={"Accept-Language": "ms"})
    assert response.status_code == 400
    assert "Set-Cookie" not in response.headers and REFUSAL_BM in response.get_data(as_text=True)


def test_cr_lf_in_the_posted_login_next_never_reaches_a_header(
    client, officer_of_two_agencies_world
):
    from tests.builders import PASSWORD
    from tests.web.inbox.helpers import post

    officer = officer_of_two_agencies_world
    form = {"username": officer.username, "password": PASSWORD}
    form["next"] = "/inbox\r\nSet-Cookie: x=1"
    response = post(client, "/login", form)
    assert response.status_code in (302, 400)
    assert "x=1" not in response.headers.get("Set-Cookie", "")
    assert "\n" not in response.headers.get("Location", "")


def test_five_thousand_form_fields_get_413_quickly(client):
    body = "&".join(f"f{i}=1" for i in range(5000))
    started = time.monotonic()
    response = client.post(
        "/aduan/baru", data=body, content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 413
    assert time.monotonic() - started < 1.0


def test_a_million_form_fields_get_413_without_holding_the_worker(client):
    body = b"a=1&" * 1_000_000
    started = time.monotonic()
    response = client.post("/login", data=body, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 413
    assert time.monotonic() - started < 1.5


def test_a_multipart_flood_gets_413(client):
    data = {f"f{i}": "1" for i in range(5000)}
    response = client.post("/aduan/baru", data=data, content_type="multipart/form-data")
    assert response.status_code == 413
