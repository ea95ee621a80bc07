"""Shared helpers for the inbox request tests (CSRF is on, as in production)."""

from __future__ import annotations

import re

from aduan.extensions import db
from aduan.models import Message
from aduan.services.auth import two_factor
from tests.builders import (
    PASSWORD,
    gen_agency,
    gen_complainant,
    gen_officer,
    gen_ticket,
    gen_totp,
    gen_unit,
    totp_code,
)

TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def csrf(client, path: str = "/login") -> str:
    """A CSRF token for ``client``'s session, read from a rendered form."""
    html = client.get(path).get_data(as_text=True)
    match = TOKEN.search(html)
    assert match, f"no csrf token on {path}"
    return match.group(1)


def post(client, path: str, data: dict, page: str = "/login", **kw):
    data = {"csrf_token": csrf(client, page), **data}
    return client.post(path, data=data, **kw)


def signed_in(client, officer):
    """Sign in through the real form: ``tests.builders.login`` writes no ``_id``, which
    Flask-Login's "strong" session protection then treats as a stolen session. An
    administrator gets two-factor sign-in (their pages require it) and types its code."""
    client.post("/logout", data={"csrf_token": csrf(client)})
    if two_factor.needs_enrolment(officer):
        gen_totp(officer)
    if two_factor.is_enrolled(officer):
        officer.totp_last_step = None  # a test may sign the same officer in twice in 30 s
    db.session.commit()
    response = post(client, "/login", {"username": officer.username, "password": PASSWORD})
    assert response.status_code == 302, response.get_data(as_text=True)
    if response.headers["Location"] == "/login/two-factor":
        code = {"code": totp_code(officer)}
        response = post(client, "/login/two-factor", code, page="/login/two-factor")
        assert response.status_code == 302, response.get_data(as_text=True)
    return client


def world():
    """Agency with units A (and sub-unit A1) and B, one ticket in each, and a stranger agency."""
    agency = gen_agency()
    unit_a = gen_unit(agency, name="Unit A")
    unit_a1 = gen_unit(agency, parent=unit_a, name="Unit A1")
    unit_b = gen_unit(agency, name="Unit B")
    person = gen_complainant(agency, email="aminah@example.my", name="Aminah")
    tickets = {
        "a": gen_ticket(agency, unit_a, subject="Lampu jalan rosak", complainant=person),
        "a1": gen_ticket(agency, unit_a1, subject="Longkang tersumbat", complainant=person),
        "b": gen_ticket(agency, unit_b, subject="Sampah tidak dikutip"),
    }
    other = gen_agency()
    tickets["x"] = gen_ticket(other, gen_unit(other), subject="Jalan berlubang")
    db.session.add(
        Message(ticket_id=tickets["a"].id, direction="in", channel="email",
                sender="aminah@example.my", body="Lampu padam sejak minggu lepas di taman")
    )  # fmt: skip
    officers = {
        "officer_a": gen_officer(agency, [unit_a]),
        "officer_a2": gen_officer(agency, [unit_a]),
        "officer_b": gen_officer(agency, [unit_b]),
        "supervisor_a": gen_officer(agency, [unit_a], roles=("supervisor",)),
        "manager": gen_officer(agency, [], roles=("complaint_manager",)),
        "stranger": gen_officer(other, [], roles=("complaint_manager",)),
    }
    db.session.commit()
    return officers, tickets, {"a": unit_a, "a1": unit_a1, "b": unit_b}
