"""Issue #17 item 3: the audit and access logs for admins — names, humanised actions and
changes (secrets masked), local times, filters (who, what, when, ticket), pages and a CSV
export; an agency admin reads only their agency, a platform administrator every agency; the
ticket page shows supervisors who opened the ticket."""

from __future__ import annotations

import datetime as dt

import pytest

from aduan.extensions import db
from aduan.models import TicketAccessLog
from aduan.models.admin import AdminAuditLog
from tests.builders import gen_agency, gen_officer, gen_ticket, gen_unit, login
from tests.web.exports.helpers import csrf, csv_rows, export_id_of, run_jobs
from tests.web.inbox.conftest import FreshClient
from workers.worker import AppWorker

AT = dt.datetime(2026, 3, 2, 1, 0, tzinfo=dt.UTC)  # 09:00 in Kuala Lumpur


@pytest.fixture
def make(app_ctx):
    """A web per officer, each request with an empty ``g`` (as the inbox tests')."""
    return lambda: FreshClient(app_ctx, app_ctx.response_class, use_cookies=True)


@pytest.fixture
def web(make):
    return make()


@pytest.fixture
def jobs(app_ctx, monkeypatch):
    """Export jobs run by a burst worker in this test's app."""
    monkeypatch.setattr(AppWorker, "_app", app_ctx)


def _log(agency, actor, entity, action, before, after, at, entity_id=1):
    row = AdminAuditLog(agency_id=agency.id, actor_id=actor.id if actor else None,
                        entity=entity, entity_id=entity_id, action=action, before=before,
                        after=after, created_at=at)  # fmt: skip
    db.session.add(row)
    return row


@pytest.fixture
def logs(db):
    a, b = gen_agency(code="ZIR"), gen_agency(code="KUA")
    unit = gen_unit(a, name="Ibu Pejabat")
    admin = gen_officer(a, [unit], roles=("admin",), name="Puan Admin Zirkon", locale="en")
    siti = gen_officer(a, [unit], roles=("admin",), name="Siti Aminah")
    supervisor = gen_officer(a, [unit], roles=("supervisor",), name="Encik Penyelia", locale="en")
    officer = gen_officer(a, [unit], name="Pegawai Biasa", locale="en")
    b_admin = gen_officer(b, roles=("admin",), name="Admin Kuarza")
    platform = gen_officer(b, roles=("officer",), platform_admin=True, locale="en")
    ticket = gen_ticket(a, unit, subject="Longkang")
    b_ticket = gen_ticket(b, gen_unit(b), subject="Kuarza")
    _log(a, siti, "unit", "update", {"name": "Lama", "code": "HQ"},
         {"name": "Ibu Pejabat", "code": "HQ"}, AT)  # fmt: skip
    _log(a, admin, "channel_account", "update", {"auth_token": "lama-rahsia", "active": True},
         {"auth_token": "baru-rahsia", "active": False}, AT + dt.timedelta(days=1))  # fmt: skip
    _log(a, None, "ticket", "referred_in", None, {"from_agency": "Majlis Lain"},
         AT + dt.timedelta(days=2), entity_id=ticket.id)  # fmt: skip
    _log(b, b_admin, "unit", "update", {"name": "Lama Kuarza"}, {"name": "Unit Kuarza"}, AT)
    db.session.add_all([
        TicketAccessLog(ticket_id=ticket.id, officer_id=officer.id, action="view", created_at=AT),
        TicketAccessLog(ticket_id=ticket.id, officer_id=supervisor.id, action="note",
                        created_at=AT + dt.timedelta(hours=1)),
        TicketAccessLog(ticket_id=b_ticket.id, officer_id=b_admin.id, action="view",
                        created_at=AT),
    ])  # fmt: skip
    db.session.commit()
    people = {"admin": admin, "siti": siti, "supervisor": supervisor, "officer": officer,
              "platform": platform}  # fmt: skip
    return {"a": a, "b": b, "ticket": ticket, "b_ticket": b_ticket, **people}


def _rows(html: str) -> list[str]:
    return html.split('class="audit-entry"')[1:]


def test_the_log_shows_names_phrases_changes_and_local_times(logs, web):
    login(web, logs["admin"])
    html = web.get("/admin/audit").get_data(as_text=True)
    assert "Siti Aminah" in html and "Changed unit “Ibu Pejabat”" in html
    assert "name: Lama → Ibu Pejabat" in html and "code: HQ" not in html  # unchanged: left out
    assert "2 March 2026, 09:00" in html  # 01:00 UTC in Kuala Lumpur
    assert "auth token: •••••• → ••••••" in html and "rahsia" not in html
    assert "active: yes → no" in html
    assert "Received by referral" in html and "The system" in html
    assert logs["ticket"].reference in html
    assert "Kuarza" not in html and "Admin Kuarza" not in html  # agency B's rows


def test_the_log_speaks_malay_to_a_malay_reader(logs, web):
    login(web, logs["siti"])
    html = web.get("/admin/audit").get_data(as_text=True)
    assert '<html lang="ms">' in html and "Mengubah unit “Ibu Pejabat”" in html
    assert "2 Mac 2026, 09:00" in html and "aktif: ya" not in html  # field names stay as stored


def test_filters_narrow_the_log_by_who_what_when_and_ticket(logs, web):
    login(web, logs["admin"])
    by_who = _rows(web.get(f"/admin/audit?who={logs['siti'].id}").get_data(as_text=True))
    assert len(by_who) == 1 and "Siti Aminah" in by_who[0]
    by_what = _rows(web.get("/admin/audit?what=channel_account").get_data(as_text=True))
    assert len(by_what) == 1 and "channel account" in by_what[0]
    by_day = _rows(web.get("/admin/audit?from=2026-03-03&to=2026-03-03").get_data(True))
    assert len(by_day) == 1 and "channel account" in by_day[0]
    ref = logs["ticket"].reference
    by_ticket = _rows(web.get(f"/admin/audit?ticket={ref.lower()}").get_data(True))
    assert len(by_ticket) == 1 and "Received by referral" in by_ticket[0]
    bad = web.get("/admin/audit?from=kelmarin")
    assert bad.status_code == 422 and "Enter a date as YYYY-MM-DD." in bad.get_data(True)
    theirs = web.get(f"/admin/audit?ticket={logs['b_ticket'].reference}")
    assert theirs.status_code == 422 and "No ticket has that reference." in theirs.get_data(True)


def test_the_access_log_names_who_opened_which_ticket(logs, web):
    login(web, logs["admin"])
    html = web.get("/admin/audit?log=access").get_data(as_text=True)
    rows = _rows(html)
    assert len(rows) == 2 and "Admin Kuarza" not in html
    assert "Encik Penyelia" in rows[0] and "Added a note" in rows[0]
    assert "Pegawai Biasa" in rows[1] and "Opened the ticket" in rows[1]
    only = _rows(web.get(f"/admin/audit?log=access&what=view&who={logs['officer'].id}"
                            ).get_data(True))  # fmt: skip
    assert len(only) == 1 and "Pegawai Biasa" in only[0]


def test_pages_of_fifty_continue_with_older_entries(logs, web):
    for n in range(55):
        _log(logs["a"], logs["siti"], "category", "create", None, {"name": f"Kategori {n}"},
             AT - dt.timedelta(minutes=n))  # fmt: skip
    db.session.commit()
    login(web, logs["admin"])
    first = web.get("/admin/audit?what=category").get_data(as_text=True)
    assert len(_rows(first)) == 50 and 'id="audit-older"' in first
    older = first.split('id="audit-older"')[0].rsplit('href="', 1)[1].split('"')[0]
    second = web.get(older.replace("&amp;", "&")).get_data(as_text=True)
    assert (
        len(_rows(second)) == 5
        and "Kategori 0<" not in first
        and "Kategori 0" in second
        and 'id="audit-older"' not in second
    )


def test_the_csv_export_holds_the_filtered_log(logs, web, jobs):
    login(web, logs["admin"])
    token = csrf(web, "/admin/audit")
    export_id = export_id_of(web.post("/admin/audit/export", data={
        "csrf_token": token, "log": "settings", "what": "unit"}))  # fmt: skip
    run_jobs()
    rows = csv_rows(web.get(f"/exports/{export_id}/download").data)
    assert rows[0] == ["When", "Agency", "Who", "What", "Ticket", "Changes"]
    assert len(rows) == 2
    assert rows[1][0] == "2026-03-02 09:00" and rows[1][2] == "Siti Aminah"
    assert rows[1][3] == "Changed unit “Ibu Pejabat”" and rows[1][5] == "name: Lama → Ibu Pejabat"


def test_a_platform_administrator_reads_every_agency(logs, web):
    login(web, logs["platform"])
    html = web.get("/admin/audit").get_data(as_text=True)
    assert "Siti Aminah" in html and "Admin Kuarza" in html
    only_b = web.get(f"/admin/audit?agency={logs['b'].id}").get_data(as_text=True)
    assert "Admin Kuarza" in only_b and "Siti Aminah" not in only_b


def test_other_roles_do_not_read_the_log(logs, web):
    for role in ("supervisor", "officer"):
        login(web, logs[role])
        assert web.get("/admin/audit").status_code == 403


def test_the_ticket_page_shows_supervisors_who_opened_it(logs, web, make):
    reference = logs["ticket"].reference
    login(web, logs["supervisor"])
    html = web.get(f"/inbox/tickets/{reference}").get_data(as_text=True)
    section = html.split('id="access-log"')[1].split("</section>")[0]
    assert "Pegawai Biasa" in section and "Opened the ticket" in section
    assert "2 March 2026, 09:00" in section and "Encik Penyelia" in section
    plain = make()
    login(plain, logs["officer"])
    assert 'id="access-log"' not in plain.get(f"/inbox/tickets/{reference}").get_data(True)
