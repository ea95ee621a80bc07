"""The ticket page's remaining actions over /api/v1 (classify, extend, unmerge, files) and
the status page's (reply, survey, code request), each through the page's own service, and
never on another agency's tickets."""

from __future__ import annotations

import datetime as dt
import io

from aduan.extensions import db
from aduan.models import Attachment, Message, OutboundMessage, Ticket, TicketEvent
from aduan.models.citizen import SurveyResponse
from aduan.services.citizen import status as status_lookup
from aduan.services.tickets import workflow
from tests.builders import (
    gen_agency,
    gen_category,
    gen_complainant,
    gen_officer,
    gen_ticket,
    gen_unit,
)
from tests.web.api.builders import bearer, gen_token

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def _side(phone: str):
    agency = gen_agency()
    unit = gen_unit(agency)
    complainant = gen_complainant(agency, phone=phone)
    ticket = gen_ticket(agency, unit, complainant=complainant,
                        received_at=dt.datetime.now(dt.UTC) - dt.timedelta(days=1))  # fmt: skip
    status_lookup.set_contact_check(ticket, phone[-4:])
    db.session.commit()
    _t, secret = gen_token(agency)
    return agency, unit, ticket, secret


def _post(client, secret, path, **body):
    return client.post(f"/api/v1{path}", json=body, headers=bearer(secret))


def test_classify_and_extend_through_the_ticket_pages_services(client):
    agency, unit, ticket, secret = _side("+60123451111")
    _b, _u, theirs, b_secret = _side("+60123452222")
    category = gen_category(agency, "BPA-03")
    db.session.commit()
    response = _post(client, secret, f"/tickets/{ticket.reference}/classification",
                     type="cadangan", category_id=category.id, complexity="kompleks",
                     version=ticket.version)  # fmt: skip
    assert response.status_code == 200, response.json
    assert (response.json["type"], response.json["category_id"]) == ("cadangan", category.id)
    event = db.session.scalars(db.select(TicketEvent).where(
        TicketEvent.ticket_id == ticket.id, TicketEvent.kind == "classified")).one()  # fmt: skip
    assert event.actor_kind == "integration" and event.after["complexity"] == "kompleks"
    b_category = gen_category(_b, "BPA-03")  # another agency's category with the same code
    db.session.commit()
    refused = _post(client, secret, f"/tickets/{ticket.reference}/classification",
                    category_id=b_category.id, version=response.json["version"])  # fmt: skip
    assert refused.status_code == 422 and refused.json["errors"]["category_id"]
    moved = _post(client, secret, f"/tickets/{ticket.reference}/status",
                  status="dalam_tindakan", version=response.json["version"])  # fmt: skip
    assert moved.status_code == 200
    db.session.expire_all()
    ticket = db.session.get(Ticket, ticket.id)
    due = ticket.resolve_due_at
    new_date = (due + dt.timedelta(days=30)).date().isoformat()
    extended = _post(client, secret, f"/tickets/{ticket.reference}/extension",
                     reason="Menunggu peruntukan", new_date=new_date,
                     version=ticket.version)  # fmt: skip
    assert extended.status_code == 200, extended.json
    assert extended.json["status"] == "dipanjangkan"
    db.session.expire_all()
    assert db.session.get(Ticket, ticket.id).resolve_due_at > due
    interim = db.session.scalars(
        db.select(OutboundMessage).where(
            OutboundMessage.ticket_id == ticket.id, OutboundMessage.purpose == "interim"
        )
    ).one()
    assert "Menunggu peruntukan" in interim.body and interim.to_handle == "+60123451111"
    earlier = _post(
        client,
        secret,
        f"/tickets/{ticket.reference}/extension",
        reason="Lagi",
        new_date=due.date().isoformat(),
        version=extended.json["version"],
    )
    assert earlier.status_code == 422  # the new date must be after the current one
    for path, body in (
        (f"/tickets/{theirs.reference}/classification", {"version": 1}),
        (
            f"/tickets/{theirs.reference}/extension",
            {"reason": "x", "new_date": "2099-01-05", "version": 1},
        ),
    ):
        assert _post(client, secret, path, **body).status_code == 404  # B's ticket
    assert db.session.get(Ticket, theirs.id).version == theirs.version


def test_unmerge_restores_a_merged_ticket(client):
    agency, unit, ticket, secret = _side("+60123451111")
    duplicate = gen_ticket(agency, unit)
    db.session.commit()
    merged = _post(client, secret, f"/tickets/{ticket.reference}/merge",
                   duplicate=duplicate.reference, version=ticket.version)  # fmt: skip
    assert merged.status_code == 200
    db.session.expire_all()
    duplicate = db.session.get(Ticket, duplicate.id)
    assert duplicate.merged_into_id == ticket.id
    again = _post(client, secret, f"/tickets/{duplicate.reference}/unmerge",
                  version=duplicate.version)  # fmt: skip
    assert again.status_code == 200 and again.json["merged_into_id"] is None
    no_more = _post(client, secret, f"/tickets/{duplicate.reference}/unmerge",
                    version=again.json["version"])  # fmt: skip
    assert no_more.status_code == 422


def test_files_are_uploaded_listed_and_downloaded_only_within_the_agency(client):
    agency, unit, ticket, secret = _side("+60123451111")
    _b, _u, theirs, b_secret = _side("+60123452222")
    upload = client.post(f"/api/v1/tickets/{ticket.reference}/attachments",
                         data={"file": (io.BytesIO(PNG), "pelan.png", "image/png"),
                               "note": "Pelan tapak"},
                         headers=bearer(secret), content_type="multipart/form-data")  # fmt: skip
    assert upload.status_code == 201, upload.json
    row = db.session.get(Attachment, upload.json["id"])
    assert (row.ticket_id, row.content_type, row.size) == (ticket.id, "image/png", len(PNG))
    assert db.session.get(Message, row.message_id).direction == "note"  # kept, not sent
    listed = client.get(f"/api/v1/tickets/{ticket.reference}/attachments", headers=bearer(secret))
    assert [a["filename"] for a in listed.json["items"]] == ["pelan.png"]
    path = f"/api/v1/tickets/{ticket.reference}/attachments/{row.id}"
    got = client.get(path, headers=bearer(secret))
    assert got.status_code == 200 and got.data == PNG
    assert got.headers["X-Content-Type-Options"] == "nosniff"
    refused = client.post(
        f"/api/v1/tickets/{ticket.reference}/attachments",
        data={"file": (io.BytesIO(b"<html>"), "x.html", "text/html")},
        headers=bearer(secret),
        content_type="multipart/form-data",
    )
    assert refused.status_code == 422
    # B's token: A's list, A's file (by A's reference or by B's own), an upload to A's: 404.
    for url in (
        f"/api/v1/tickets/{ticket.reference}/attachments",
        path,
        f"/api/v1/tickets/{theirs.reference}/attachments/{row.id}",
    ):
        answer = client.get(url, headers=bearer(b_secret))
        assert answer.status_code == 404 and PNG not in answer.data, url
    put = client.post(
        f"/api/v1/tickets/{ticket.reference}/attachments",
        data={"file": (io.BytesIO(PNG), "b.png", "image/png")},
        headers=bearer(b_secret),
        content_type="multipart/form-data",
    )
    assert put.status_code == 404
    assert db.session.scalar(db.select(db.func.count(Attachment.id))) == 1


def test_the_complainants_reply_survey_and_code_as_on_the_status_page(client):
    agency, unit, ticket, secret = _side("+60123451111")
    _b, _u, theirs, b_secret = _side("+60123452222")
    wrong = _post(client, secret, "/citizen/replies", reference=ticket.reference,
                  answer="0000", text="Bila siap?")  # fmt: skip
    assert wrong.status_code == 404
    replied = _post(client, secret, "/citizen/replies", reference=ticket.reference,
                    answer="1111", text="Bila siap?")  # fmt: skip
    assert replied.status_code == 201
    assert replied.json == {"reference": ticket.reference, "new": False}
    texts = db.session.scalars(db.select(Message.body).where(
        Message.ticket_id == ticket.id, Message.direction == "in")).all()  # fmt: skip
    assert "Bila siap?" in texts
    # B's token with A's reference and A's right answer: as a reference that is not there.
    assert _post(client, b_secret, "/citizen/replies", reference=ticket.reference,
                 answer="1111", text="Dari B").status_code == 404  # fmt: skip
    not_yet = _post(client, secret, "/citizen/survey", reference=ticket.reference,
                    answer="1111", rating=5)  # fmt: skip
    assert not_yet.status_code == 422  # not resolved: no survey
    officer = gen_officer(agency, units=[unit])
    ticket = db.session.get(Ticket, ticket.id)
    workflow.change_status(ticket, "dalam_tindakan", actor=officer)
    workflow.change_status(ticket, "selesai", actor=officer, reason="Dibaiki")
    workflow.commit()
    assert _post(client, b_secret, "/citizen/survey", reference=ticket.reference,
                 answer="1111", rating=1).status_code == 404  # fmt: skip
    rated = _post(client, secret, "/citizen/survey", reference=ticket.reference,
                  answer="1111", rating=4, comment="Cepat")  # fmt: skip
    assert rated.status_code == 201 and rated.json == {"reference": ticket.reference, "rating": 4}
    row = db.session.scalars(db.select(SurveyResponse)).one()
    assert (row.ticket_id, row.rating, row.comment) == (ticket.id, 4, "Cepat")
    twice = _post(client, secret, "/citizen/survey", reference=ticket.reference,
                  answer="1111", rating=1)  # fmt: skip
    assert twice.status_code == 422
    for reference in (ticket.reference, theirs.reference, "ADU-2026-AAAAAA"):
        code = _post(client, secret, "/citizen/status-code", reference=reference)
        assert (code.status_code, code.json) == (202, {"accepted": True})
