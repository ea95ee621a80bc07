"""A token of agency B reads and writes nothing of agency A: every operation of the OpenAPI
document, aimed at A's ticket, units, officers and categories."""

from __future__ import annotations

from aduan.extensions import db
from aduan.models import Ticket, TicketEvent
from aduan.models.access import TicketAccessLog
from aduan.web.api.openapi import OPERATIONS
from tests.builders import gen_agency, gen_category, gen_officer, gen_ticket, gen_unit
from tests.web.api.builders import bearer, gen_token


def _agency_a():
    agency = gen_agency()
    unit = gen_unit(agency)
    officer = gen_officer(agency, units=[unit])
    ticket = gen_ticket(agency, unit, subject="Rahsia agensi A")
    other = gen_ticket(agency, unit)
    db.session.commit()
    return agency, unit, officer, ticket, other


def _bodies(unit, officer, other) -> dict[tuple[str, str], dict]:
    return {
        ("/tickets", "post"): {"description": "Aduan agensi B yang sah sekali."},
        ("/tickets/{reference}/replies", "post"): {"body": "Balasan"},
        ("/tickets/{reference}/notes", "post"): {"body": "Nota"},
        ("/tickets/{reference}/status", "post"): {"status": "dalam_tindakan", "version": 1},
        ("/tickets/{reference}/assignment", "post"): {"officer_id": officer.id, "version": 1},
        ("/tickets/{reference}/transfer", "post"): {"unit_id": unit.id, "version": 1},
        ("/tickets/{reference}/merge", "post"): {"duplicate": other.reference, "version": 1},
        ("/tickets/{reference}/classification", "post"): {"type": "cadangan", "version": 1},
        ("/tickets/{reference}/extension", "post"): {
            "reason": "Kerja besar",
            "new_date": "2099-01-05",
            "version": 1,
        },
        ("/tickets/{reference}/unmerge", "post"): {"version": 1},
        ("/citizen/complaints", "post"): {
            "description": "Aduan rakyat kepada B.",
            "state_code": "10",
        },  # fmt: skip
    }


def test_a_token_of_agency_b_reads_and_writes_nothing_of_agency_a(client):
    agency_a, unit_a, officer_a, ticket_a, other_a = _agency_a()
    category_a = gen_category(agency_a)
    agency_b = gen_agency()
    gen_unit(agency_b)
    db.session.commit()
    _token, secret_b = gen_token(agency_b)
    events_before = db.session.scalar(db.select(db.func.count(TicketEvent.id)))
    bodies = _bodies(unit_a, officer_a, other_a)
    checked = []
    for (path, method), _operation in OPERATIONS.items():
        url = "/api/v1" + path.replace("{reference}", ticket_a.reference)
        response = client.open(url, method=method.upper(), json=bodies.get((path, method)),
                               headers=bearer(secret_b))  # fmt: skip
        answer = dict(response.json or {})
        answer.pop("instance", None)  # a problem names the path the caller asked for
        text = str(answer)
        assert ticket_a.reference not in text and "Rahsia agensi A" not in text, path
        if "{reference}" in path:
            assert response.status_code == 404, (path, method, response.status_code)
        checked.append((path, method, response.status_code))
    assert len(checked) == len(OPERATIONS)
    lists = {p: client.get("/api/v1" + p, headers=bearer(secret_b)).json["items"]
             for p in ("/categories", "/units", "/officers", "/tickets")}  # fmt: skip
    assert category_a.id not in {c["id"] for c in lists["/categories"]}
    assert unit_a.id not in {u["id"] for u in lists["/units"]}
    assert officer_a.id not in {o["id"] for o in lists["/officers"]}
    assert ticket_a.reference not in {t["reference"] for t in lists["/tickets"]}
    db.session.expire_all()
    a_events = db.session.scalar(
        db.select(db.func.count(TicketEvent.id)).join(Ticket).where(Ticket.agency_id == agency_a.id)
    )
    assert a_events == events_before  # A's tickets gained no event
    assert db.session.get(Ticket, ticket_a.id).version == 1
    assert db.session.get(Ticket, other_a.id).merged_into_id is None
    assert db.session.scalar(db.select(db.func.count(TicketAccessLog.id))) == 0
    made = db.session.scalars(db.select(Ticket).where(Ticket.agency_id == agency_b.id)).all()
    assert len(made) == 2  # the two creates landed in B
    assert all(t.agency_id == agency_b.id for t in made)


def test_a_citizen_status_check_of_agency_b_does_not_open_a_ticket_of_agency_a(client):
    from aduan.services.citizen import status as status_lookup

    agency_a, _unit, _officer, ticket_a, _other = _agency_a()
    status_lookup.set_contact_check(ticket_a, "6789")
    db.session.commit()
    _t, secret_a = gen_token(agency_a, scopes=("citizen",))
    _t, secret_b = gen_token(gen_agency(), scopes=("citizen",))
    body = {"reference": ticket_a.reference, "answer": "6789"}
    assert client.post("/api/v1/citizen/status", json=body, headers=bearer(secret_a)).json[
        "reference"] == ticket_a.reference  # fmt: skip
    refused = client.post("/api/v1/citizen/status", json=body, headers=bearer(secret_b))
    assert refused.status_code == 404
    assert ticket_a.reference not in refused.get_data(as_text=True)


def test_wrong_answers_through_the_api_lock_the_reference_as_on_the_status_page(client):
    from aduan.services.citizen import answer_guard
    from aduan.services.citizen import status as status_lookup

    agency, _unit, _officer, ticket, _other = _agency_a()
    status_lookup.set_contact_check(ticket, "6789")
    db.session.commit()
    _t, secret = gen_token(agency, scopes=("citizen",))
    wrong = {"reference": ticket.reference, "answer": "0000"}
    answers = [client.post("/api/v1/citizen/status", json=wrong, headers=bearer(secret))
               for _ in range(6)]  # fmt: skip
    assert answers[0].status_code == 404
    assert answer_guard.is_locked(ticket.reference)
    right = {"reference": ticket.reference, "answer": "6789"}
    locked = client.post("/api/v1/citizen/status", json=right, headers=bearer(secret))
    assert locked.status_code == 429 and locked.json["code"] == "answer_locked"
