"""Issue #17 item 5: error pages in the area's layout and the request's language, with a way
back; JSON stays JSON (the API's problems unchanged); after an action that takes a ticket out
of the officer's scope, back to the queue with where it went."""

from __future__ import annotations

import pytest

from aduan.extensions import db
from aduan.models import Ticket
from aduan.web.errors import error_page
from tests.builders import gen_agency, gen_officer, gen_ticket, gen_unit, login
from tests.web.inbox.helpers import csrf


@pytest.fixture
def desk(db):
    agency = gen_agency(code="ZIR")
    agency.name = "Majlis Zirkon"
    unit1, unit2 = gen_unit(agency, name="Unit Satu"), gen_unit(agency, name="Unit Dua")
    officer = gen_officer(agency, [unit1], locale="en", name="Pegawai Satu")
    supervisor = gen_officer(agency, [unit1], roles=("supervisor",), locale="ms")
    ticket = gen_ticket(agency, unit1, subject="Longkang")
    db.session.commit()
    return agency, unit1, unit2, officer, supervisor, ticket


def test_a_citizens_404_is_in_the_public_layout_in_malay_with_a_way_home(client, desk):
    response = client.get("/tiada-di-sini", headers={"Accept-Language": "ms"})
    html = response.get_data(as_text=True)
    assert response.status_code == 404 and response.mimetype == "text/html"
    assert '<html lang="ms">' in html and 'class="public"' in html
    assert "Halaman tidak dijumpai" in html and 'id="error-back"' in html
    assert 'href="/"' in html and "Semak status aduan" in html


def test_a_citizens_404_in_english_when_the_site_is_in_english(client, desk):
    html = client.get("/tiada-di-sini?lang=en").get_data(as_text=True)
    assert '<html lang="en">' in html and "Page not found" in html
    assert "Back to the home page" in html


def test_an_agency_pages_error_leads_back_to_that_agency(client, desk):
    agency = desk[0]
    html = client.get(f"/a/{agency.code}/semak/tiada?lang=en").get_data(as_text=True)
    assert "Page not found" in html and f"Back to {agency.name}" in html
    assert f'href="/a/{agency.code}/aduan/baru"' in html


def test_an_officers_404_is_in_the_officer_layout_with_a_way_back_to_the_queue(client, desk):
    officer = desk[3]
    login(client, officer)
    response = client.get("/inbox/tickets/ADU-2026-ZZZZZZ")
    html = response.get_data(as_text=True)
    assert response.status_code == 404
    assert '<html lang="en">' in html and 'class="inbox"' in html
    assert "Page not found" in html and "Back to your queue" in html
    assert 'href="/inbox"' in html and officer.name in html  # the officer's own shell


def test_a_csrf_failure_says_the_form_expired_in_the_officers_language(client, desk):
    ticket, supervisor = desk[5], desk[4]
    login(client, supervisor)
    response = client.post(f"/inbox/tickets/{ticket.reference}/note", data={"body": "x"})
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and '<html lang="ms">' in html
    assert "Borang ini telah tamat tempoh" in html and "Kembali ke baris gilir anda" in html


def test_405_413_and_500_pages_have_the_layout_and_a_way_back(client, desk, app, monkeypatch):
    ticket, officer = desk[5], desk[3]
    login(client, officer)
    response = client.get(f"/inbox/tickets/{ticket.reference}/note")
    assert response.status_code == 405 and "Back to your queue" in response.get_data(True)
    big = client.post("/aduan/baru?lang=en", data={"x": "y" * 600_000})
    assert big.status_code == 413 and "What you sent is too large" in big.get_data(True)
    with app.test_request_context("/semak?lang=en"):
        html = error_page(500)
    assert "Something went wrong on our side" in html and 'id="error-back"' in html


def test_json_and_the_api_keep_their_shapes(client, desk):
    login(client, desk[3])
    response = client.get("/inbox/tickets/ADU-2026-ZZZZZZ", headers={"Accept": "application/json"})
    assert response.status_code == 404 and response.json["code"] == "not_found"
    api = client.get("/api/v1/tickets/ADU-2026-ZZZZZZ")
    assert api.status_code == 404 and api.mimetype == "application/problem+json"


def test_a_transfer_out_of_scope_returns_to_the_queue_saying_where_it_went(client, desk):
    _agency, _unit1, unit2, officer, _supervisor, ticket = desk
    login(client, officer)
    page = f"/inbox/tickets/{ticket.reference}"
    form = {"csrf_token": csrf(client, page), "unit_id": unit2.id, "version": ticket.version}
    response = client.post(f"{page}/transfer", data=form)
    assert response.status_code == 303 and response.headers["Location"] == "/inbox"
    html = client.get("/inbox").get_data(as_text=True)
    assert f"Ticket {ticket.reference} went to Unit Dua" in html
    assert db.session.get(Ticket, ticket.id).unit_id == unit2.id


def test_a_transfer_that_stays_in_scope_stays_on_the_ticket(client, desk):
    agency, unit1, _unit2, officer, _supervisor, ticket = desk
    sub = gen_unit(agency, parent=unit1, name="Unit Anak")
    boss = gen_officer(agency, [unit1], roles=("supervisor",), locale="en")
    db.session.commit()
    login(client, boss)
    page = f"/inbox/tickets/{ticket.reference}"
    form = {"csrf_token": csrf(client, page), "unit_id": sub.id, "version": ticket.version}
    response = client.post(f"{page}/transfer", data=form)
    assert response.headers["Location"] == page


def test_a_referral_to_another_agency_returns_to_the_queue_naming_it(client, desk):
    agency, _unit1, _unit2, _officer, supervisor, ticket = desk
    other = gen_agency(code="KUA")
    other.name = "Majlis Kuarza"
    other.triage_unit_id = gen_unit(other).id
    db.session.commit()
    login(client, supervisor)
    page = f"/inbox/tickets/{ticket.reference}"
    form = {"csrf_token": csrf(client, page), "to_agency_id": other.id, "reason": "Bukan kami",
            "version": ticket.version}  # fmt: skip
    response = client.post(f"{page}/refer", data=form)
    assert response.headers["Location"] == "/inbox"
    html = client.get("/inbox").get_data(as_text=True)
    assert f"Tiket {ticket.reference} telah dihantar kepada Majlis Kuarza" in html
