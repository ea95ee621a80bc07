"""Idempotency-Key on creates: a retried POST returns the first ticket, never a second."""

from __future__ import annotations

from aduan.extensions import db
from aduan.models import Ticket
from tests.builders import gen_agency, gen_unit
from tests.web.api.builders import bearer, gen_token

BODY = {"description": "Lampu isyarat rosak di simpang Jalan Kebun.", "phone": "0123456789"}


def _count() -> int:
    return db.session.scalar(db.select(db.func.count(Ticket.id)))


def test_a_retried_create_with_the_same_key_returns_the_first_ticket(client):
    agency = gen_agency()
    gen_unit(agency)
    db.session.commit()
    _token, secret = gen_token(agency)
    headers = bearer(secret, **{"Idempotency-Key": "order-7781"})
    first = client.post("/api/v1/tickets", json=BODY, headers=headers)
    again = client.post("/api/v1/tickets", json=BODY, headers=headers)
    assert first.status_code == again.status_code == 201
    assert again.json["reference"] == first.json["reference"]
    assert again.headers["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first.headers
    assert _count() == 1
    other = client.post("/api/v1/tickets", json=BODY,
                        headers=bearer(secret, **{"Idempotency-Key": "order-7782"}))  # fmt: skip
    assert other.json["reference"] != first.json["reference"] and _count() == 2
    without = client.post("/api/v1/tickets", json=BODY, headers=bearer(secret))
    assert without.json["reference"] not in {first.json["reference"], other.json["reference"]}


def test_the_key_belongs_to_one_token_and_one_endpoint(client):
    agency = gen_agency()
    gen_unit(agency)
    db.session.commit()
    _t, secret = gen_token(agency)
    _t, second = gen_token(agency, name="Sistem kedua")
    key = {"Idempotency-Key": "same-key"}
    first = client.post("/api/v1/tickets", json=BODY, headers=bearer(secret, **key))
    theirs = client.post("/api/v1/tickets", json=BODY, headers=bearer(second, **key))
    assert theirs.json["reference"] != first.json["reference"]
    citizen = {"description": BODY["description"], "state_code": "10"}
    reused = client.post("/api/v1/citizen/complaints", json=citizen, headers=bearer(secret, **key))
    assert reused.status_code == 422
    assert reused.content_type == "application/problem+json"


def test_a_retried_citizen_filing_returns_the_first_reference(client):
    agency = gen_agency()
    gen_unit(agency)
    db.session.commit()
    _t, secret = gen_token(agency, scopes=("citizen",))
    headers = bearer(secret, **{"Idempotency-Key": "form-1"})
    body = {"description": "Sampah tidak dikutip dua minggu.", "state_code": "10"}
    first = client.post("/api/v1/citizen/complaints", json=body, headers=headers)
    again = client.post("/api/v1/citizen/complaints", json=body, headers=headers)
    assert first.status_code == 201 and first.json["pin"]  # anonymous: a PIN, shown once
    assert again.json["reference"] == first.json["reference"] and again.json["pin"] is None
    ticket = db.session.scalar(db.select(Ticket))
    assert ticket.agency_id == agency.id and _count() == 1
