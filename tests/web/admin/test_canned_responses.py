"""Admin canned responses: created here, offered in the ticket page's reply form, audited,
scoped to the admin's agency."""

from aduan.extensions import db
from aduan.models.access import CannedResponse
from aduan.models.admin import AdminAuditLog
from tests.builders import gen_agency, gen_complainant, gen_ticket
from tests.web.admin.helpers import post, setup

DATA = {
    "title": "Aduan diterima",
    "language": "ms",
    "body": "Terima kasih, aduan tuan/puan sedang disemak.",
    "active": "1",
}


def _audits() -> list[AdminAuditLog]:
    query = db.select(AdminAuditLog).where(AdminAuditLog.entity == "canned_response")
    return list(db.session.scalars(query.order_by(AdminAuditLog.id)))


def _ticket(s):
    """A ticket of the admin's agency whose complainant can be replied to (e-mail)."""
    person = gen_complainant(s.agency, email="aminah@example.my", name="Aminah")
    return gen_ticket(s.agency, s.unit, origin_channel="email", complainant=person)


def test_created_response_is_offered_in_the_reply_form(client):
    s = setup(client, roles=("admin", "officer"))
    response = post(client, "/admin/canned-responses/new", DATA)
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/admin/canned-responses")
    row = db.session.scalar(db.select(CannedResponse).where(CannedResponse.title == DATA["title"]))
    assert (row.agency_id, row.language, row.active) == (s.agency.id, "ms", True)
    [audit] = _audits()
    assert (audit.actor_id, audit.action, audit.entity_id) == (s.admin.id, "create", row.id)
    assert DATA["title"] in client.get("/admin/canned-responses").get_data(as_text=True)

    ticket = _ticket(s)
    db.session.commit()
    html = client.get(f"/inbox/tickets/{ticket.reference}").get_data(as_text=True)
    assert 'id="canned"' in html and f"[MS] {DATA['title']}" in html
    assert DATA["body"] in html


def test_deactivated_response_leaves_the_reply_form_and_delete_is_audited(client):
    s = setup(client, roles=("admin", "officer"))
    row = CannedResponse(agency_id=s.agency.id, language="en", title="Received", body="Thanks.")
    db.session.add(row)
    ticket = _ticket(s)
    db.session.commit()
    path = f"/admin/canned-responses/{row.id}"
    unticked = {"title": "Received", "language": "en", "body": "Thanks."}  # no "active"
    assert post(client, path, unticked).status_code == 303
    db.session.refresh(row)
    assert row.active is False
    html = client.get(f"/inbox/tickets/{ticket.reference}").get_data(as_text=True)
    assert "Received" not in html
    response = post(client, f"{path}/delete", {}, form_page=path)
    assert response.status_code == 303
    assert db.session.get(CannedResponse, row.id) is None
    assert [a.action for a in _audits()] == ["update", "delete"]


def test_errors_are_per_field_and_keep_the_input(client):
    setup(client)
    data = {**DATA, "title": "", "language": "fr", "body": "Teks yang ditaip tidak hilang"}
    response = post(client, "/admin/canned-responses/new", data)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="title-error"' in html and 'id="language-error"' in html
    assert 'id="body-error"' not in html
    assert "Teks yang ditaip tidak hilang" in html  # nothing typed is lost
    assert db.session.scalar(db.select(db.func.count(CannedResponse.id))) == 0
    assert _audits() == []


def test_officer_is_forbidden(client):
    s = setup(client, roles=("officer",))
    row = CannedResponse(agency_id=s.agency.id, language="ms", title="t", body="b")
    db.session.add(row)
    db.session.commit()
    for path in ("/admin/canned-responses", "/admin/canned-responses/new",
                 f"/admin/canned-responses/{row.id}"):  # fmt: skip
        assert client.get(path).status_code == 403, path


def test_another_agencys_response_is_not_found(client):
    setup(client)
    other = gen_agency(state="01")
    row = CannedResponse(agency_id=other.id, language="ms", title="Milik lain", body="b")
    db.session.add(row)
    db.session.commit()
    path = f"/admin/canned-responses/{row.id}"
    assert client.get(path).status_code == 404
    assert "Milik lain" not in client.get("/admin/canned-responses").get_data(as_text=True)
    # a POST with a valid token from our own page still cannot touch it
    assert post(client, path, DATA, form_page="/admin/canned-responses/new").status_code == 404
    delete = post(client, f"{path}/delete", {}, form_page="/admin/canned-responses/new")
    assert delete.status_code == 404
    assert db.session.get(CannedResponse, row.id).title == "Milik lain"
