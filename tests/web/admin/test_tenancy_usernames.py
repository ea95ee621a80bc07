"""Usernames are one namespace for the whole deployment, whatever their case (sign-in compares
lower case): one agency's admin cannot shadow another agency's officer."""

import pytest
from sqlalchemy.exc import IntegrityError

from aduan.extensions import db
from aduan.models import Officer
from tests.builders import PASSWORD, gen_agency, gen_officer
from tests.web.admin.helpers import post, setup
from tests.web.inbox.helpers import csrf
from tests.web.inbox.helpers import post as inbox_post


def _new_officer(username: str) -> dict:
    return {"username": username, "name": "Pegawai B", "email": "b@agency-b.test",
            "password": "a long enough secret", "roles": ["admin"], "locale": "ms",
            "active": "1"}  # fmt: skip


def test_another_agencys_admin_cannot_create_a_username_differing_only_in_case(client):
    agency_a = gen_agency()
    gen_officer(agency_a, roles=("admin",), username="admin")
    db.session.commit()
    setup(client)  # agency B's admin signs in
    response = post(client, "/admin/officers/new?lang=ms", _new_officer("ADMIN"))
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and 'id="username-error"' in html
    assert "Nama pengguna ini sudah digunakan" in html  # the refusal is in Bahasa Malaysia
    names = db.session.scalars(db.select(Officer.username).where(Officer.username.ilike("admin")))
    assert list(names) == ["admin"]


def test_agency_as_admin_still_signs_in_after_agency_b_tried_to_take_the_name(client):
    agency_a = gen_agency()
    admin_a = gen_officer(agency_a, roles=("admin",), username="admin")
    db.session.commit()
    setup(client)
    post(client, "/admin/officers/new", _new_officer("ADMIN"))
    client.post("/logout", data={"csrf_token": csrf(client, "/inbox")})
    response = inbox_post(client, "/login", {"username": "Admin", "password": PASSWORD})
    assert response.status_code == 302
    with client.session_transaction() as session:
        assert session["_user_id"] == str(admin_a.id)


def test_the_database_refuses_a_username_differing_only_in_case(db):
    gen_officer(gen_agency(), username="siti")
    with pytest.raises(IntegrityError):
        gen_officer(gen_agency(), username="SITI")
    db.session.rollback()


def test_renaming_an_officer_to_its_own_name_in_another_case_is_allowed(client):
    s = setup(client)
    data = {**_new_officer(s.admin.username.upper()), "unit_ids": [str(s.unit.id)]}
    response = post(client, f"/admin/officers/{s.admin.id}", data)
    assert response.status_code == 303
