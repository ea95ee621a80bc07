"""The national calendar is the platform's: an agency admin reads it and closes only their own
offices; a platform administrator alone changes it. Two agencies in Selangor throughout."""

import datetime as dt

from aduan.extensions import db
from aduan.models import HolidayOverride, OfficeClosure
from aduan.models.admin import AdminAuditLog
from aduan.services.tickets import deadlines
from tests.builders import gen_agency, gen_officer, gen_ticket, gen_unit, login
from tests.web.admin.helpers import post, token

FRIDAY_9AM = dt.datetime(2026, 7, 3, 1, 0, tzinfo=dt.UTC)  # Fri 3 July 2026, 09:00 in Selangor
MONDAY_9AM = dt.datetime(2026, 7, 6, 1, 0, tzinfo=dt.UTC)
SATURDAY_WORKS = {"day": "2026-07-04", "state_code": "", "name": "Hari bekerja ganti"}


def _two_agencies(client, signed_in: str, **officer):
    """Agencies A and B with a Selangor unit each; ``signed_in`` ("a", "b") admin signed in."""
    a, b = gen_agency(state="10"), gen_agency(state="10")
    units = {"a": gen_unit(a, state="10"), "b": gen_unit(b, state="10")}
    me = {"a": a, "b": b}[signed_in]
    admin = gen_officer(me, units=[units[signed_in]], **({"roles": ("admin",)} | officer))
    db.session.commit()
    login(client, admin)
    return a, b, units


def _ack_due(agency, unit, received=FRIDAY_9AM) -> dt.datetime:
    due = gen_ticket(agency, unit, received_at=received).acknowledge_due_at
    db.session.commit()
    return due.astimezone(dt.UTC)


def test_an_agency_admin_cannot_make_a_national_weekend_a_working_day(client):
    a, b, units = _two_agencies(client, "b")
    before = _ack_due(a, units["a"])
    assert before == dt.datetime(2026, 7, 6, 9, 0, tzinfo=dt.UTC)  # Monday 17:00: weekend off
    # the reproduction, through the form every admin had: now it closes B's own offices only
    assert post(client, "/admin/holidays/new", SATURDAY_WORKS).status_code == 303
    assert db.session.scalars(db.select(HolidayOverride)).all() == []
    assert _ack_due(a, units["a"]) == before
    csrf = token(client, "/admin/holidays/new")
    response = client.post(
        "/admin/national-calendar/new", data={**SATURDAY_WORKS, "csrf_token": csrf}
    )
    assert response.status_code == 403
    assert client.get("/admin/national-calendar/new").status_code == 403
    assert db.session.scalars(db.select(HolidayOverride)).all() == []
    assert _ack_due(a, units["a"]) == before
    assert _ack_due(b, units["b"]) == before


def test_an_agency_admin_cannot_change_or_delete_a_national_override(client):
    _a, _b, _units = _two_agencies(client, "b")
    row = HolidayOverride(day=dt.date(2026, 7, 7), state_code="10", name="Cuti Peristiwa")
    db.session.add(row)
    db.session.commit()
    csrf = token(client, "/admin/holidays/new")
    edit = {"day": "2026-07-08", "state_code": "10", "name": "Moved", "csrf_token": csrf}
    assert client.get(f"/admin/national-calendar/{row.id}").status_code == 403
    assert client.post(f"/admin/national-calendar/{row.id}", data=edit).status_code == 403
    deleted = client.post(f"/admin/national-calendar/{row.id}/delete", data={"csrf_token": csrf})
    assert deleted.status_code == 403
    db.session.expire_all()
    assert (row.day, row.name) == (dt.date(2026, 7, 7), "Cuti Peristiwa")
    page = client.get("/admin/holidays").get_data(as_text=True)
    assert "Cuti Peristiwa" in page  # read-only: shown, with no way to change it
    assert f"/admin/national-calendar/{row.id}" not in page
    assert "/admin/national-calendar/new" not in page


def test_the_platform_admin_changes_the_national_calendar_for_every_agency(client):
    a, b, units = _two_agencies(client, "a", roles=(), platform_admin=True)
    data = {**SATURDAY_WORKS, "is_holiday": ""}
    response = post(client, "/admin/national-calendar/new", data)
    assert response.status_code == 303
    saturday_close = dt.datetime(2026, 7, 4, 9, 0, tzinfo=dt.UTC)
    assert _ack_due(a, units["a"]) == saturday_close
    assert _ack_due(b, units["b"]) == saturday_close
    [row] = db.session.scalars(db.select(HolidayOverride)).all()
    page = client.get("/admin/holidays").get_data(as_text=True)
    assert f"/admin/national-calendar/{row.id}" in page
    assert client.get("/admin/units").status_code == 403  # no agency admin by being above them
    post(client, f"/admin/national-calendar/{row.id}/delete", {}, "/admin/national-calendar/new")
    assert db.session.scalars(db.select(HolidayOverride)).all() == []
    audits = db.session.scalars(db.select(AdminAuditLog.action).order_by(AdminAuditLog.id))
    assert list(audits) == ["create", "delete"]
    assert _ack_due(b, units["b"]) == dt.datetime(2026, 7, 6, 9, 0, tzinfo=dt.UTC)


def test_an_office_closure_moves_only_its_own_agencys_deadlines(client):
    a, b, units = _two_agencies(client, "a")
    before = _ack_due(a, units["a"], MONDAY_9AM)
    assert before == _ack_due(b, units["b"], MONDAY_9AM)  # Tuesday 17:00 for both
    deadlines.calendar("10", a.id), deadlines.calendar("10", b.id)  # warm both caches
    closure = {"day": "2026-07-07", "state_code": "", "name": "Hari keluarga jabatan"}
    assert post(client, "/admin/holidays/new", closure).status_code == 303
    assert _ack_due(a, units["a"], MONDAY_9AM) - before == dt.timedelta(days=1)
    assert _ack_due(b, units["b"], MONDAY_9AM) == before
    [row] = db.session.scalars(db.select(OfficeClosure)).all()
    assert row.agency_id == a.id


def test_an_office_closure_in_one_state_leaves_the_agencys_other_states_working(client):
    a, _b, units = _two_agencies(client, "a")
    kedah = gen_unit(a, state="02")
    db.session.commit()
    before = _ack_due(a, kedah, MONDAY_9AM)
    closure = {"day": "2026-07-07", "state_code": "10", "name": "Banjir di pejabat Selangor"}
    assert post(client, "/admin/holidays/new", closure).status_code == 303
    assert _ack_due(a, kedah, MONDAY_9AM) == before
    assert _ack_due(a, units["a"], MONDAY_9AM) == dt.datetime(2026, 7, 8, 9, 0, tzinfo=dt.UTC)


def test_another_agencys_closure_is_neither_listed_nor_reachable(client):
    a, b, _units = _two_agencies(client, "b")
    theirs = OfficeClosure(agency_id=a.id, day=dt.date(2026, 7, 7), name="Hari keluarga A")
    db.session.add(theirs)
    db.session.commit()
    assert "Hari keluarga A" not in client.get("/admin/holidays").get_data(as_text=True)
    assert client.get(f"/admin/holidays/{theirs.id}").status_code == 404
    csrf = token(client, "/admin/holidays/new")
    response = client.post(f"/admin/holidays/{theirs.id}/delete", data={"csrf_token": csrf})
    assert response.status_code == 404
    assert db.session.get(OfficeClosure, theirs.id) is not None


def test_an_agency_admin_cannot_grant_the_platform_role(client):
    a, _b, units = _two_agencies(client, "a")
    data = {"username": "naik.pangkat", "name": "Naik Pangkat", "email": "n@agency.test",
            "password": "Kata-Laluan-Panjang-2026", "roles": "platform_admin", "locale": "ms",
            "active": "1"}  # fmt: skip
    response = post(client, "/admin/officers/new", data)
    assert response.status_code == 422
    smuggled = gen_officer(a, units=[units["a"]], roles=("admin", "platform_admin"))
    db.session.commit()
    login(client, smuggled)  # a role name in the agency roles grants nothing
    assert client.get("/admin/national-calendar/new").status_code == 403
