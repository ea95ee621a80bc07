"""Mystery shopping (issue #18): an admin builds a checklist from the 8S template, plans an
exercise and appoints a shopper; the shopper's phone sends visits (once per submission id,
however often sent); the analysis per point and section; the action plan tracked to done."""

from __future__ import annotations

import datetime as dt
import re
import uuid

from aduan.extensions import db
from aduan.models.base import utcnow
from aduan.models.quality import Action, Checklist, Exercise, Shopper, Visit
from aduan.services.sla.clock import local_zone
from tests.builders import gen_agency, gen_officer, gen_unit, login
from tests.builders_quality import gen_checklist, gen_exercise, gen_service_point, gen_shopper

_TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


def _token(client, path):
    return _TOKEN.search(client.get(path).get_data(as_text=True)).group(1)


def _world(code="MBX"):
    agency = gen_agency(code=code)
    unit = gen_unit(agency)
    agency.triage_unit_id = unit.id
    points = [
        gen_service_point(agency, code="kaunter-1", name="Kaunter Satu"),
        gen_service_point(agency, code="talian", name="Talian Hotline", kind="hotline"),
    ]
    checklist = gen_checklist(agency)
    exercise = gen_exercise(checklist, points)
    return agency, unit, points, checklist, exercise


def _visit(point, **answers):
    now = dt.datetime.now(local_zone()).replace(microsecond=0)
    return {"submission_id": str(uuid.uuid4()), "service_point_id": point.id,
            "visited_at": now.isoformat(), "place": "Jalan Kenanga", "latitude": "3.1",
            "longitude": "101.6", "answers": answers}  # fmt: skip


def test_an_admin_builds_a_checklist_plans_an_exercise_and_appoints_a_shopper(client):
    agency = gen_agency(code="MBX")
    unit = gen_unit(agency)
    point = gen_service_point(agency)
    login(client, gen_officer(agency, units=[unit], roles=("admin",)))
    db.session.commit()
    page = client.get("/kualiti/senarai-semak/baru").get_data(as_text=True)
    assert "Senyum | yesno" in page and "Telefon | seconds" in page  # the 8S template
    token = _token(client, "/kualiti/senarai-semak/baru")
    bad = client.post(
        "/kualiti/senarai-semak/baru",
        data={"csrf_token": token, "name": "Rosak", "items": "Senyum | maybe | a | b"},
    )
    assert bad.status_code == 422 and "Baris 1" in bad.get_data(as_text=True)
    from aduan.services.quality.checklists import TEMPLATE_8S

    made = client.post(
        "/kualiti/senarai-semak/baru",
        data={"csrf_token": token, "name": "Semakan 8S", "items": TEMPLATE_8S},
    )
    assert made.status_code == 303
    checklist = db.session.scalar(db.select(Checklist))
    sections = [i["section"] for i in checklist.items]
    for practice in ("Senyum", "Salam", "Sopan", "Segak", "Segera", "Sempurna", "Sensitif",
                     "Sayang", "Kaunter", "Telefon"):  # fmt: skip
        assert practice in sections
    telephone = next(i for i in checklist.items if i["section"] == "Telefon")
    assert (telephone["kind"], telephone["limit"]) == ("seconds", 10)
    today = dt.datetime.now(local_zone()).date()
    form = {
        "csrf_token": token,
        "name": "Latihan Mac",
        "objective": "Amalan 8S di kaunter",
        "checklist_id": checklist.id,
        "service_point_ids": point.id,
        "starts_on": today.isoformat(),
        "ends_on": (today + dt.timedelta(days=5)).isoformat(),
    }
    created = client.post("/kualiti/latihan/baru", data=form)
    assert created.status_code == 303
    exercise = db.session.scalar(db.select(Exercise))
    appointed = client.post(
        f"/kualiti/latihan/{exercise.id}/pembeli",
        data={"csrf_token": token, "shopper_name": "Encik Rahman"},
    )
    link = re.search(r"data-shopper-link>([^<]+)<", appointed.get_data(as_text=True)).group(1)
    assert link.startswith("https://aduan.test/a/MBX/mp/")
    shopper = db.session.scalar(db.select(Shopper))
    assert link.rsplit("/", 1)[1] not in shopper.token_hash  # stored hashed only
    client.get("/logout")
    assert client.get(link.removeprefix("https://aduan.test")).status_code == 200  # no account


def test_a_visit_sent_twice_is_stored_once(client):
    _agency, _unit, points, _checklist, exercise = _world()
    _shopper, token = gen_shopper(exercise)
    db.session.commit()
    body = _visit(points[0], q1="yes", q2="no", q3="4", q5="120")
    first = client.post(f"/a/MBX/mp/{token}/hantar", json=body)
    again = client.post(f"/a/MBX/mp/{token}/hantar", json=body)
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json["visit"] == again.json["visit"]
    [visit] = db.session.scalars(db.select(Visit)).all()
    assert visit.answers == {"q1": True, "q2": False, "q3": 4, "q5": 120}
    assert visit.place == "Jalan Kenanga" and visit.latitude == 3.1


def test_bad_answers_a_point_outside_the_plan_or_a_late_visit_are_refused_with_reasons(client):
    agency, _unit, points, _checklist, exercise = _world()
    elsewhere = gen_service_point(agency, code="cawangan")
    _shopper, token = gen_shopper(exercise)
    db.session.commit()
    wrong = client.post(f"/a/MBX/mp/{token}/hantar", json=_visit(points[0], q1="maybe", q3="9"))
    assert wrong.status_code == 422 and set(wrong.json["errors"]) == {"q1", "q3"}
    outside = client.post(f"/a/MBX/mp/{token}/hantar", json=_visit(elsewhere, q1="yes"))
    assert outside.status_code == 422 and "service_point_id" in outside.json["errors"]
    late = _visit(points[0], q1="yes")
    late["visited_at"] = (utcnow() + dt.timedelta(days=30)).isoformat()
    assert client.post(f"/a/MBX/mp/{token}/hantar", json=late).status_code == 422
    assert client.post(f"/a/MBX/mp/{token}/hantar", data={"q1": "yes"}).status_code == 415
    assert db.session.scalar(db.select(db.func.count(Visit.id))) == 0


def test_an_expired_link_or_another_agencys_path_opens_nothing(client):
    _world("MBA")
    exercise = db.session.scalar(db.select(Exercise))
    shopper, token = gen_shopper(exercise)
    gen_agency(code="MBB")
    db.session.commit()
    assert client.get(f"/a/MBA/mp/{token}").status_code == 200
    assert client.get(f"/a/MBB/mp/{token}").status_code == 404
    assert client.post(f"/a/MBB/mp/{token}/hantar", json={}).status_code == 404
    assert client.get("/a/MBA/mp/salah").status_code == 404
    shopper.expires_at = utcnow() - dt.timedelta(minutes=1)
    db.session.commit()
    assert client.get(f"/a/MBA/mp/{token}").status_code == 404


def test_the_analysis_scores_points_and_sections_and_the_plan_tracks_actions(client):
    agency, unit, points, _checklist, exercise = _world()
    _shopper, token = gen_shopper(exercise)
    manager = gen_officer(agency, units=[unit], roles=("complaint_manager",), name="Puan Aini")
    other = gen_agency(code="MBB")
    outsider = gen_officer(other, units=[gen_unit(other)], name="Orang Luar")
    db.session.commit()
    for point, smile, wait in ((points[0], "yes", "700"), (points[0], "no", "100"),
                               (points[1], "yes", "5")):  # fmt: skip
        body = _visit(point, q1=smile, q5=wait, q13="Kaunter sesak")
        assert client.post(f"/a/MBX/mp/{token}/hantar", json=body).status_code == 201
    login(client, manager)
    page = client.get(f"/kualiti/latihan/{exercise.id}").get_data(as_text=True)
    row = re.search(r'<tr data-point="kaunter-1">(.*?)</tr>', page, re.S).group(1)
    assert '<td data-cell="Senyum">50%</td>' in row and '<td data-cell="Segera">50%</td>' in row
    hotline = re.search(r'<tr data-point="talian">(.*?)</tr>', page, re.S).group(1)
    assert '<td data-cell="Senyum">100%</td>' in hotline
    assert "Kaunter sesak" in page  # the shoppers' remarks
    token = _token(client, f"/kualiti/latihan/{exercise.id}")
    due = (dt.date.today() + dt.timedelta(days=14)).isoformat()
    refused = client.post(f"/kualiti/latihan/{exercise.id}/tindakan", data={
        "csrf_token": token, "description": "Latih senyum", "owner_id": outsider.id,
        "due_on": due})  # fmt: skip
    assert refused.status_code == 422  # another agency's officer owns nothing here
    made = client.post(
        f"/kualiti/latihan/{exercise.id}/tindakan",
        data={
            "csrf_token": token,
            "description": "Kursus 8S untuk kaunter satu",
            "owner_id": manager.id,
            "due_on": due,
            "service_point_id": points[0].id,
        },
    )
    assert made.status_code == 303
    [action] = db.session.scalars(db.select(Action)).all()
    assert (action.owner_id, action.due_on.isoformat(), action.done_at) == (manager.id, due, None)
    assert (
        client.post(
            f"/kualiti/tindakan/{action.id}/selesai", data={"csrf_token": token}
        ).status_code
        == 303
    )
    db.session.refresh(action)
    assert action.done_at is not None
    assert "data-done" in client.get(f"/kualiti/latihan/{exercise.id}").get_data(as_text=True)
