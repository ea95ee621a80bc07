"""/api/v1/tickets: the inbox's list and the ticket page's actions, as a token and as an
officer's session; every write names the token on the timeline."""

from __future__ import annotations

from aduan.extensions import db
from aduan.models import Message, TicketEvent
from aduan.models.access import TicketAccessLog
from tests.builders import gen_agency, gen_officer, gen_ticket, gen_unit, login
from tests.web.api.builders import bearer, gen_token

DESCRIPTION = "Longkang tersumbat di Jalan Mawar sejak minggu lepas."


def _setup():
    agency = gen_agency()
    unit, other_unit = gen_unit(agency), gen_unit(agency)
    officer = gen_officer(agency, units=[unit])
    db.session.commit()
    return agency, unit, other_unit, officer


def test_a_token_lists_with_the_inbox_filters_and_keyset_pages(client):
    agency, unit, _other, _officer = _setup()
    tickets = [gen_ticket(agency, unit, subject=f"T{i}") for i in range(3)]
    db.session.commit()
    _token, secret = gen_token(agency, scopes=("read",))
    first = client.get("/api/v1/tickets?limit=2", headers=bearer(secret))
    assert first.status_code == 200
    assert len(first.json["items"]) == 2 and first.json["next_cursor"]
    rest = client.get(f"/api/v1/tickets?limit=2&cursor={first.json['next_cursor']}",
                      headers=bearer(secret))  # fmt: skip
    seen = [t["reference"] for t in first.json["items"] + rest.json["items"]]
    assert sorted(seen) == sorted(t.reference for t in tickets)
    assert rest.json["next_cursor"] is None
    filtered = client.get("/api/v1/tickets?status=selesai", headers=bearer(secret))
    assert filtered.json["items"] == []
    assert "filer_name" not in first.json["items"][0]  # the integration view


def test_a_token_records_a_complaint_and_works_it_through_the_services(client):
    agency, unit, other_unit, officer = _setup()
    token, secret = gen_token(agency)
    created = client.post("/api/v1/tickets", headers=bearer(secret), json={
        "channel": "phone", "description": DESCRIPTION, "phone": "012-345 6789"})  # fmt: skip
    assert created.status_code == 201, created.json
    ref = created.json["reference"]
    assert created.json["origin_channel"] == "phone"

    def post(path, body):
        return client.post(f"/api/v1/tickets/{ref}/{path}", json=body, headers=bearer(secret))

    assert post("replies", {"body": "Terima kasih, kami sedang menyemak."}).status_code == 201
    assert post("notes", {"body": "Semak dengan kontraktor."}).status_code == 201
    version = client.get(f"/api/v1/tickets/{ref}", headers=bearer(secret)).json["version"]
    moved = post("status", {"status": "dalam_tindakan", "version": version})
    assert moved.status_code == 200 and moved.json["status"] == "dalam_tindakan"
    stale = post("status", {"status": "selesai", "version": version})
    assert stale.status_code == 409
    assert stale.content_type == "application/problem+json"
    version = moved.json["version"]
    transferred = post("transfer", {"unit_id": unit.id, "version": version})
    assert transferred.status_code == 200 and transferred.json["unit_id"] == unit.id
    assigned = post(
        "assignment", {"officer_id": officer.id, "version": transferred.json["version"]}
    )
    assert assigned.status_code == 200 and assigned.json["assignee_id"] == officer.id

    duplicate = gen_ticket(agency, other_unit)
    db.session.commit()
    merged = post("merge", {"duplicate": duplicate.reference, "version": assigned.json["version"]})
    assert merged.status_code == 200, merged.json
    db.session.refresh(duplicate)
    assert duplicate.merged_into_id == merged.json["id"]

    detail = client.get(f"/api/v1/tickets/{ref}", headers=bearer(secret)).json
    kinds = [item["kind"] for item in detail["timeline"]]
    assert {"out", "note", "event"} <= set(kinds)
    events = db.session.scalars(
        db.select(TicketEvent).where(TicketEvent.actor_kind == "integration")
    ).all()
    assert {e.kind for e in events} >= {
        "entered_by_officer",
        "reply_queued",
        "note_added",
        "status_changed",
        "transferred",
        "assigned",
        "merged_from",
    }
    assert all(e.data["api_token"] == "Portal negeri" and e.actor_id is None for e in events)
    logs = db.session.scalars(db.select(TicketAccessLog)).all()
    assert logs and all(log.api_token_id == token.id and log.officer_id is None for log in logs)
    note = db.session.scalar(db.select(Message).where(Message.direction == "note"))
    assert note.author_id is None


def test_an_officer_session_reads_its_scope_and_writes_only_with_the_ajax_header(client):
    agency, unit, other_unit, officer = _setup()
    mine, theirs = gen_ticket(agency, unit), gen_ticket(agency, other_unit)
    db.session.commit()
    login(client, officer)
    listed = client.get("/api/v1/tickets").json["items"]
    assert [t["reference"] for t in listed] == [mine.reference]
    assert "filer_name" in listed[0]  # the officer view
    assert client.get(f"/api/v1/tickets/{theirs.reference}").status_code == 404
    body = {"body": "Nota pegawai."}
    refused = client.post(f"/api/v1/tickets/{mine.reference}/notes", json=body)
    assert refused.status_code == 403 and refused.content_type == "application/problem+json"
    ok = client.post(f"/api/v1/tickets/{mine.reference}/notes", json=body,
                     headers={"X-Requested-With": "XMLHttpRequest"})  # fmt: skip
    assert ok.status_code == 201
    note = db.session.scalar(db.select(Message).where(Message.direction == "note"))
    assert note.author_id == officer.id
    citizen = client.post("/api/v1/citizen/status", json={"reference": "x", "answer": "y"},
                          headers={"X-Requested-With": "XMLHttpRequest"})  # fmt: skip
    assert citizen.status_code == 403


def test_scopes_limit_a_token(client):
    agency, unit, _other, _officer = _setup()
    ticket = gen_ticket(agency, unit)
    db.session.commit()
    _t, read_only = gen_token(agency, scopes=("read",))
    _t, citizen_only = gen_token(agency, scopes=("citizen",), name="Aplikasi rakyat")
    note = {"body": "Nota."}
    assert client.post(f"/api/v1/tickets/{ticket.reference}/notes", json=note,
                       headers=bearer(read_only)).status_code == 403  # fmt: skip
    assert client.get("/api/v1/tickets", headers=bearer(citizen_only)).status_code == 403
    assert client.post("/api/v1/tickets", json={"description": DESCRIPTION},
                       headers=bearer(read_only)).status_code == 403  # fmt: skip


def test_every_error_is_problem_json(client):
    agency, _unit, _other, _officer = _setup()
    _t, secret = gen_token(agency)
    cases = [
        client.get("/api/v1/tickets"),  # no credentials
        client.get("/api/v1/tickets", headers=bearer("adn_wrong")),
        client.get("/api/v1/no-such-thing", headers=bearer(secret)),
        client.delete("/api/v1/tickets", headers=bearer(secret)),
        client.get("/api/v1/tickets?limit=0", headers=bearer(secret)),
        client.get("/api/v1/tickets?q=a%00b", headers=bearer(secret)),
        client.post("/api/v1/tickets", data="not json", headers=bearer(secret)),
        client.post("/api/v1/tickets", json={"description": "a\x00b"}, headers=bearer(secret)),
    ]
    assert [r.status_code for r in cases] == [401, 401, 404, 405, 422, 400, 422, 422]
    for response in cases:
        assert response.content_type == "application/problem+json"
        assert {"type", "title", "status", "detail", "instance"} <= set(response.json)
        assert response.json["status"] == response.status_code
