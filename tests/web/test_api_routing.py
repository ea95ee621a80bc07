import pytest

from aduan.models.routing import RoutingRule
from tests.builders import gen_agency, gen_officer, gen_unit
from tests.builders_routing import gen_rule, sign_in

URL = "/api/admin/routing-rules"
AJAX = {"X-Requested-With": "XMLHttpRequest"}


@pytest.fixture
def admin(db):
    agency = gen_agency()
    officer = gen_officer(agency, roles=("admin",))
    db.session.commit()
    return officer


def rule_body(unit, **kw):
    body = {
        "name": "Jalan rosak",
        "position": 10,
        "conditions": {"keywords": ["jalan", "lubang"], "channels": ["sms"], "states": ["10"]},
        "actions": {"unit_id": unit.id, "priority_group": None},
    }
    body.update(kw)
    return body


def test_admin_can_create_list_update_and_delete(client, db, admin):
    unit = gen_unit(_agency_of(db, admin))
    db.session.commit()
    sign_in(client, admin)
    created = client.post(URL, json=rule_body(unit), headers=AJAX)
    assert created.status_code == 201, created.json
    rule_id = created.json["id"]
    assert created.json["conditions"]["keywords"] == ["jalan", "lubang"]
    assert created.json["agency_id"] == admin.agency_id

    listed = client.get(URL)
    assert [r["id"] for r in listed.json["items"]] == [rule_id]

    changed = client.put(
        f"{URL}/{rule_id}", json=rule_body(unit, name="Longkang", active=False), headers=AJAX
    )
    assert changed.status_code == 200
    assert (changed.json["name"], changed.json["active"]) == ("Longkang", False)
    assert client.get(f"{URL}/{rule_id}").json["name"] == "Longkang"

    assert client.delete(f"{URL}/{rule_id}", headers=AJAX).status_code == 204
    assert db.session.scalar(db.select(db.func.count()).select_from(RoutingRule)) == 0


def test_invalid_rules_are_refused_with_field_errors(client, db, admin):
    sign_in(client, admin)
    bad = client.post(
        URL, json={"name": "", "conditions": {"states": ["99"], "colour": []}}, headers=AJAX
    )
    assert bad.status_code == 422
    assert bad.json["code"] == "validation_failed"
    assert {"name", "conditions"} <= set(bad.json["errors"])


def test_a_rule_cannot_point_at_another_agencys_unit(client, db, admin):
    foreign = gen_unit(gen_agency())
    db.session.commit()
    sign_in(client, admin)
    response = client.post(URL, json=rule_body(foreign), headers=AJAX)
    assert response.status_code == 422


def test_a_plain_officer_gets_403(client, db, admin):
    officer = gen_officer(_agency_of(db, admin), roles=("officer", "supervisor"))
    db.session.commit()
    sign_in(client, officer)
    assert client.get(URL).status_code == 403
    assert client.post(URL, json={"name": "x"}, headers=AJAX).status_code == 403


def test_signed_out_requests_are_refused(client, db):
    assert client.get(URL).status_code == 403


def test_another_agencys_rules_are_invisible(client, db, admin):
    theirs = gen_rule(gen_agency(), 1, name="theirs")
    mine = gen_rule(_agency_of(db, admin), 1, name="mine")
    db.session.commit()
    sign_in(client, admin)
    assert [r["id"] for r in client.get(URL).json["items"]] == [mine.id]
    assert client.get(f"{URL}/{theirs.id}").status_code == 404
    assert client.put(f"{URL}/{theirs.id}", json={"name": "x"}, headers=AJAX).status_code == 404
    assert client.delete(f"{URL}/{theirs.id}", headers=AJAX).status_code == 404
    assert db.session.get(RoutingRule, theirs.id).name == "theirs"


def test_writes_without_the_ajax_header_are_refused(client, db, admin):
    sign_in(client, admin)
    response = client.post(URL, json={"name": "no header"})
    assert response.status_code == 403
    assert "X-Requested-With" in response.json["message"]


def _agency_of(db, officer):
    from aduan.models import Agency

    return db.session.get(Agency, officer.agency_id)
