"""Referral between agencies, end to end: the citizen files with agency A, A's supervisor
refers it to agency B from the ticket page; the citizen's status page (same reference) and
notice, both audit logs, A's read-only record, B's work on it, and agency C seeing nothing."""

from __future__ import annotations

from aduan.extensions import db
from aduan.models import OutboundMessage, Ticket, Unit
from tests.builders import gen_agency, gen_officer, gen_unit
from tests.web.inbox.helpers import post, signed_in
from tests.web.public.helpers import complaint, setup_agency
from tests.web.public.helpers import csrf as public_csrf


def _file_and_open_status(citizen) -> Ticket:
    _, category = setup_agency()  # agency A ("DEF"), the default agency
    citizen.post("/aduan/baru", data=complaint(public_csrf(citizen), category))
    ticket = db.session.scalars(db.select(Ticket)).one()
    token = public_csrf(citizen, "/semak")
    data = {"csrf_token": token, "reference": ticket.reference, "answer": "6789", "code": ""}
    assert citizen.post("/semak", data=data).status_code == 302
    return ticket


def _world(make_client):
    citizen = make_client()
    ticket = _file_and_open_status(citizen)
    a = ticket.agency
    b = gen_agency(code="MBX", state="02")
    b.triage_unit_id = gen_unit(b, state="02", name="Triage MBX").id
    c = gen_agency(code="MBC")
    people = {
        "supervisor_a": gen_officer(a, [ticket.unit], roles=("supervisor",)),
        "officer_a": gen_officer(a, [ticket.unit]),
        "admin_a": gen_officer(a, [], roles=("admin",)),
        "officer_b": gen_officer(b, [db.session.get(Unit, b.triage_unit_id)]),
        "admin_b": gen_officer(b, [], roles=("admin",)),
        "manager_c": gen_officer(c, [], roles=("complaint_manager",)),
        "admin_c": gen_officer(c, [], roles=("admin",)),
    }
    db.session.commit()
    return citizen, ticket, a, b, people


def _as(make_client, officer):
    return signed_in(make_client(), officer)


def _page(client, ticket):
    return client.get(f"/inbox/tickets/{ticket.reference}")


def test_referral_end_to_end(make_client):
    citizen, ticket, a, b, people = _world(make_client)
    reference = ticket.reference
    before = citizen.get("/semak/status").get_data(as_text=True)
    assert reference in before and a.name in before and b.name not in before
    assert "data-referral" not in before

    supervisor = _as(make_client, people["supervisor_a"])
    post(supervisor, f"/inbox/tickets/{reference}/note", {"body": "Nota dalaman A"},
         page=f"/inbox/tickets/{reference}")  # fmt: skip
    page = _page(supervisor, ticket).get_data(as_text=True)
    assert 'id="refer-form"' in page
    assert 'id="refer-form"' not in _page(_as(make_client, people["officer_a"]), ticket).get_data(
        as_text=True
    )  # a case officer does not refer
    db.session.expire_all()
    version = db.session.get(Ticket, ticket.id).version
    response = post(supervisor, f"/inbox/tickets/{reference}/refer",
                    {"to_agency_id": str(b.id), "reason": "Jalan di bawah MBX", "version": version},
                    page=f"/inbox/tickets/{reference}")  # fmt: skip
    assert response.status_code == 303
    db.session.expire_all()
    ticket = db.session.get(Ticket, ticket.id)
    assert (ticket.reference, ticket.agency_id, ticket.status) == (reference, b.id, "baharu")
    assert ticket.unit_id == b.triage_unit_id and ticket.assignee_id is None

    # the citizen: told on their channel (SMS, BM) and the same status page shows B
    [notice] = db.session.scalars(
        db.select(OutboundMessage).where(OutboundMessage.purpose == "referral")
    ).all()
    assert notice.to_handle == "+60123456789" and notice.channel == "sms"
    assert f"telah dirujuk kepada {b.name}" in notice.body and reference in notice.body
    after = citizen.get("/semak/status").get_data(as_text=True)
    assert reference in after and f"<dd data-agency>{b.name}</dd>" in after
    assert f"Dirujuk kepada {b.name}" in after and 'data-status="baharu"' in after
    assert "Nota dalaman A" not in after

    # A: a read-only record with its own timeline; no action reaches the ticket
    record = _page(supervisor, ticket)
    html = record.get_data(as_text=True)
    assert record.status_code == 200 and 'id="referral-record"' in html and b.name in html
    assert "Jalan di bawah MBX" in html and "Nota dalaman A" in html
    assert "/status" not in html and "refer-form" not in html
    refused = post(supervisor, f"/inbox/tickets/{reference}/status",
                   {"status": "dalam_tindakan", "version": ticket.version},
                   page=f"/inbox/tickets/{reference}")  # fmt: skip
    assert refused.status_code == 404
    db.session.expire_all()
    assert db.session.get(Ticket, ticket.id).status == "baharu"

    # B: in its triage queue; works it; sees the referral but not A's internal note
    officer_b = _as(make_client, people["officer_b"])
    assert reference in officer_b.get("/inbox?queue=unassigned").get_data(as_text=True)
    html_b = _page(officer_b, ticket).get_data(as_text=True)
    assert "Jalan di bawah MBX" in html_b and a.name in html_b
    assert "Nota dalaman A" not in html_b and people["supervisor_a"].name not in html_b
    worked = post(officer_b, f"/inbox/tickets/{reference}/status",
                  {"status": "diterima", "version": ticket.version},
                  page=f"/inbox/tickets/{reference}")  # fmt: skip
    assert worked.status_code == 303
    db.session.expire_all()
    assert db.session.get(Ticket, ticket.id).status == "diterima"
    # A's record stops at the referral: B's acknowledgement is not in it
    assert "Diterima" not in _page(supervisor, ticket).get_data(as_text=True).split("timeline")[-1]

    # both audit logs; C sees nothing
    audit_a = _as(make_client, people["admin_a"]).get("/admin/audit").get_data(as_text=True)
    audit_b = _as(make_client, people["admin_b"]).get("/admin/audit").get_data(as_text=True)
    audit_c = _as(make_client, people["admin_c"]).get("/admin/audit").get_data(as_text=True)
    out, into = "Dirujuk kepada agensi lain", "Diterima melalui rujukan"  # humanised actions
    assert out in audit_a and into not in audit_a
    assert into in audit_b and out not in audit_b
    assert reference in audit_a and reference in audit_b and reference not in audit_c
    manager_c = _as(make_client, people["manager_c"])
    assert _page(manager_c, ticket).status_code == 404
    assert reference not in manager_c.get("/inbox?queue=unassigned").get_data(as_text=True)


def test_referral_outside_the_deployment_end_to_end(make_client):
    citizen, ticket, a, b, people = _world(make_client)
    reference = ticket.reference
    supervisor = _as(make_client, people["supervisor_a"])
    response = post(supervisor, f"/inbox/tickets/{reference}/refer_outside",
                    {"to_name": "Jabatan Kerja Raya", "to_contact": "03-2618 8888",
                     "reason": "Jalan persekutuan", "version": ticket.version},
                    page=f"/inbox/tickets/{reference}")  # fmt: skip
    assert response.status_code == 303
    db.session.expire_all()
    ticket = db.session.get(Ticket, ticket.id)
    assert ticket.agency_id == a.id and ticket.status == "luar_bidang_kuasa"
    [notice] = db.session.scalars(
        db.select(OutboundMessage).where(OutboundMessage.purpose == "referral")
    ).all()
    assert "dirujuk kepada Jabatan Kerja Raya" in notice.body and "03-2618 8888" in notice.body
    after = citizen.get("/semak/status").get_data(as_text=True)
    assert 'data-status="luar_bidang_kuasa"' in after and "Luar Bidang Kuasa" in after
    assert "Dirujuk kepada Jabatan Kerja Raya" in after and "03-2618 8888" in after
    assert f"<dd data-agency>{a.name}</dd>" in after
    audit_a = _as(make_client, people["admin_a"]).get("/admin/audit").get_data(as_text=True)
    assert "Dirujuk ke luar sistem ini" in audit_a
    for who in ("admin_b", "admin_c"):
        audit = _as(make_client, people[who]).get("/admin/audit").get_data(as_text=True)
        assert reference not in audit
    assert _page(_as(make_client, people["officer_b"]), ticket).status_code == 404
