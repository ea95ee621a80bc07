"""/inbox/tickets/<reference>: timeline, actions, conflicts, merges, attachments, scope."""

import pytest
from flask_babel import refresh

from aduan.extensions import db
from aduan.models import Attachment, Message, OutboundMessage, Ticket, TicketEvent
from aduan.models.access import CannedResponse, TicketAccessLog
from aduan.services.intake.attachments import save_bytes
from tests.web.inbox.helpers import csrf, signed_in, world


def _page(client, ticket, lang="en"):
    return client.get(f"/inbox/tickets/{ticket.reference}?lang={lang}")


def _act(client, ticket, action, **data):
    path = f"/inbox/tickets/{ticket.reference}"
    data.setdefault("version", str(ticket.version))
    return client.post(f"{path}/{action}", data={"csrf_token": csrf(client, path), **data})


def _reload(ticket):
    db.session.expire_all()
    return db.session.get(Ticket, ticket.id)


def test_ticket_page_shows_the_timeline_and_logs_the_access(client, db):
    officers, tickets, _ = world()
    db.session.add(CannedResponse(agency_id=tickets["a"].agency_id, language="en",
                                  title="Thanks", body="Thank you for writing."))  # fmt: skip
    db.session.commit()
    signed_in(client, officers["officer_a"])
    response = _page(client, tickets["a"])
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Lampu padam sejak minggu lepas" in html  # the inbound e-mail
    assert "Ticket opened" in html or "Routed" in html or "Status" in html
    assert "Thank you for writing." in html  # canned response offered
    assert tickets["a1"].reference not in html  # the complainant's other ticket, out of scope
    log = db.session.scalar(db.select(TicketAccessLog).where(
        TicketAccessLog.ticket_id == tickets["a"].id))  # fmt: skip
    assert log.action == "view" and log.officer_id == officers["officer_a"].id


def test_supervisor_sees_the_complainants_other_ticket(client, db):
    officers, tickets, _ = world()
    signed_in(client, officers["supervisor_a"])
    assert tickets["a1"].reference in _page(client, tickets["a"]).get_data(as_text=True)


def test_page_renders_in_malay(client, db):
    officers, tickets, _ = world()
    signed_in(client, officers["officer_a"])
    html = _page(client, tickets["a"], lang="ms").get_data(as_text=True)
    assert "Balas kepada pengadu" in html and '<html lang="ms">' in html


ACTIONS = {
    "status": {"status": "diterima"},
    "note": {"body": "x"},
    "reply": {"body": "x"},
    "assign": {"officer_id": ""},
    "classify": {"type": "aduan", "complexity": "biasa"},
    "merge": {"duplicate": "ADU-2026-AAAAAA"},
    "unmerge": {},
    "extend": {"reason": "x", "new_date": "2030-01-01"},
    "transfer": {"unit_id": "1"},
}


@pytest.mark.parametrize(
    "who,key,visible",
    [
        ("officer_a", "a", True),
        ("officer_a", "a1", False),
        ("officer_a", "b", False),
        ("officer_b", "a", False),
        ("supervisor_a", "a1", True),
        ("supervisor_a", "b", False),
        ("manager", "b", True),
        ("manager", "x", False),
        ("stranger", "a", False),
        ("stranger", "x", True),
    ],
)
def test_permission_matrix_pages_actions_and_json(client, db, who, key, visible):
    officers, tickets, _ = world()
    ticket = tickets[key]
    signed_in(client, officers[who])
    assert _page(client, ticket).status_code == (200 if visible else 404)
    json_page = client.get(
        f"/inbox/tickets/{ticket.reference}", headers={"Accept": "application/json"}
    )
    assert json_page.status_code == (200 if visible else 404)
    if not visible:
        assert json_page.get_json()["code"] == "not_found"
        token = csrf(client, "/inbox")
        for action, data in ACTIONS.items():
            response = client.post(
                f"/inbox/tickets/{ticket.reference}/{action}",
                data={"csrf_token": token, "version": str(ticket.version), **data},
            )
            assert response.status_code == 404, action
        assert _reload(ticket).version == ticket.version


def test_attachment_is_served_as_a_download_and_never_as_html(client, db, app_ctx):
    officers, tickets, _ = world()
    sha = save_bytes(b"<script>alert(1)</script>")
    row = Attachment(ticket_id=tickets["a"].id, sha256=sha, filename="x.html",
                     content_type="text/html", size=25)  # fmt: skip
    db.session.add(row)
    db.session.commit()
    signed_in(client, officers["officer_a"])
    response = client.get(f"/inbox/attachments/{row.id}")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/plain")
    assert response.headers["Content-Disposition"].startswith("attachment")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    signed_in(client, officers["officer_b"])
    assert client.get(f"/inbox/attachments/{row.id}").status_code == 404


def test_reply_goes_out_on_the_complainants_channel_and_shows_in_the_timeline(client, db):
    officers, tickets, _ = world()
    signed_in(client, officers["officer_a"])
    response = _act(client, tickets["a"], "reply", body="Kami sedang menyiasat.", channel="email")
    assert response.status_code == 303
    out = db.session.scalar(db.select(OutboundMessage))
    assert out.channel == "email" and out.to_handle == "aminah@example.my"
    html = _page(client, tickets["a"]).get_data(as_text=True)
    assert "Kami sedang menyiasat." in html and "Queued" in html


def test_internal_note(client, db):
    officers, tickets, _ = world()
    signed_in(client, officers["officer_a"])
    assert _act(client, tickets["a"], "note", body="Semak dengan JKR").status_code == 303
    note = db.session.scalar(db.select(Message).where(Message.direction == "note"))
    assert note.body == "Semak dengan JKR" and note.author_id == officers["officer_a"].id
    assert "Semak dengan JKR" in _page(client, tickets["a"]).get_data(as_text=True)


def test_change_status_and_stale_version_conflict(client, db):
    officers, tickets, _ = world()
    ticket = tickets["a"]
    seen = ticket.version
    signed_in(client, officers["officer_a"])
    assert _act(client, ticket, "status", status="diterima").status_code == 303
    assert _reload(ticket).status == "diterima"
    stale = _act(client, ticket, "status", status="dalam_tindakan", version=str(seen))
    assert stale.status_code == 409
    assert "Telah diubah oleh orang lain" in stale.get_data(as_text=True)  # BM by default
    assert _reload(ticket).status == "diterima"


def test_illegal_transition_is_flashed_not_saved(client, db):
    officers, tickets, _ = world()
    signed_in(client, officers["officer_a"])
    response = _act(client, tickets["a"], "status", status="ditutup")
    assert response.status_code == 303
    assert _reload(tickets["a"]).status == "baharu"


@pytest.mark.parametrize(
    ("locale", "reason"),
    [
        ("en", "Cannot move a ticket from New to Closed."),
        ("ms", "Status tiket tidak boleh ditukar daripada Baharu kepada Ditutup."),
    ],
)
def test_a_refused_status_change_is_explained_in_the_officers_language(client, db, locale, reason):
    officers, tickets, _ = world()
    officers["officer_a"].locale = locale
    db.session.commit()
    signed_in(client, officers["officer_a"])
    refresh()  # the locale is cached on g, which this test's requests share
    response = _act(client, tickets["a"], "status", status="ditutup")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert f'<p class="flash flash-error">{reason}</p>' in page
    assert _reload(tickets["a"]).status == "baharu"


def test_assign_only_to_an_officer_of_the_unit(client, db):
    officers, tickets, _ = world()
    signed_in(client, officers["officer_a"])
    _act(client, tickets["a"], "assign", officer_id=str(officers["officer_b"].id))
    assert _reload(tickets["a"]).assignee_id is None
    _act(client, tickets["a"], "assign", officer_id=str(officers["officer_a2"].id))
    assert _reload(tickets["a"]).assignee_id == officers["officer_a2"].id


def test_transfer_classify_and_extend(client, db):
    officers, tickets, units = world()
    ticket = tickets["b"]
    signed_in(client, officers["manager"])
    due = ticket.resolve_due_at
    _act(client, ticket, "classify", type="pertanyaan", complexity="kompleks")
    ticket = _reload(ticket)
    assert (ticket.type, ticket.complexity) == ("pertanyaan", "kompleks")
    assert ticket.resolve_due_at > due  # deadlines recomputed for a complex matter
    _act(client, ticket, "transfer", unit_id=str(units["a"].id))
    ticket = _reload(ticket)
    assert ticket.unit_id == units["a"].id
    _act(client, ticket, "status", status="diterima")
    ticket = _reload(ticket)
    _act(client, ticket, "extend", reason="Menunggu laporan", new_date="2030-01-15")
    ticket = _reload(ticket)
    assert ticket.status == "dipanjangkan" and ticket.resolve_due_at.year == 2030
    kinds = {e.kind for e in ticket.events}
    assert {"classified", "transferred", "extended"} <= kinds


def test_merge_and_unmerge(client, db):
    officers, tickets, _ = world()
    target, duplicate = tickets["b"], tickets["a"]
    signed_in(client, officers["manager"])
    assert _act(client, target, "merge", duplicate=duplicate.reference).status_code == 303
    duplicate = _reload(duplicate)
    assert duplicate.merged_into_id == target.id and duplicate.status == "ditutup"
    html = _page(client, target).get_data(as_text=True)
    assert "Lampu padam sejak minggu lepas" in html  # the duplicate's message on the target
    assert f"from {duplicate.reference}" in html
    assert _act(client, duplicate, "unmerge").status_code == 303
    duplicate = _reload(duplicate)
    assert duplicate.merged_into_id is None and duplicate.status == "baharu"
    kinds = db.session.scalars(db.select(TicketEvent.kind)).all()
    assert {"merged_into", "merged_from", "unmerged", "unmerged_from"} <= set(kinds)


def test_merge_refuses_a_ticket_outside_scope(client, db):
    officers, tickets, _ = world()
    signed_in(client, officers["officer_a"])
    _act(client, tickets["a"], "merge", duplicate=tickets["b"].reference)
    assert _reload(tickets["b"]).merged_into_id is None


def test_action_without_csrf_token_is_refused(client, db):
    officers, tickets, _ = world()
    signed_in(client, officers["officer_a"])
    response = client.post(
        f"/inbox/tickets/{tickets['a'].reference}/status",
        data={"status": "diterima", "version": str(tickets["a"].version)},
    )
    assert response.status_code == 400
    assert _reload(tickets["a"]).status == "baharu"


def test_a_merged_ticket_takes_no_changes_but_unmerge_and_notes(client, db):
    officers, tickets, _ = world()
    target, duplicate = tickets["b"], tickets["a"]
    signed_in(client, officers["manager"])
    _act(client, target, "merge", duplicate=duplicate.reference)
    duplicate = _reload(duplicate)
    _act(client, duplicate, "status", status="dibuka_semula", reason="x")
    assert _reload(duplicate).status == "ditutup"
    assert _act(client, duplicate, "note", body="nota").status_code == 303
    assert "Unmerge" in _page(client, duplicate).get_data(as_text=True)


def test_the_ticket_page_tells_no_name_given_from_anonymous(client, db):
    from tests.builders import gen_complainant, gen_ticket

    officers, tickets, _ = world()
    agency, unit = tickets["a"].agency, tickets["a"].unit
    unnamed = gen_ticket(agency, unit, complainant=gen_complainant(agency, phone="+60123450000"))
    anonymous = gen_ticket(agency, unit, complainant=None)
    db.session.commit()
    signed_in(client, officers["officer_a"])
    unnamed_html = _page(client, unnamed, "ms").get_data(as_text=True)
    anonymous_html = _page(client, anonymous, "ms").get_data(as_text=True)
    assert "Nama tidak diberikan" in unnamed_html and "Tanpa nama" not in unnamed_html
    assert "Tanpa nama" in anonymous_html and "Nama tidak diberikan" not in anonymous_html
