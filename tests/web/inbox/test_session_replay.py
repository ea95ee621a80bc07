"""A session cookie copied from an officer's browser (shared PC, stolen cookie) stops working
when the officer signs out or their password is changed: the server refuses the copy."""

from aduan.extensions import db
from tests.builders import gen_agency, gen_officer, gen_unit
from tests.web.inbox.helpers import csrf, post, signed_in

NEW_PASSWORD = "Kenanga-lamp-post-47-rosak"


def _officers():
    agency, other = gen_agency(), gen_agency()
    unit = gen_unit(agency)
    officers = {
        "siti": gen_officer(agency, [unit], username="siti"),
        "admin": gen_officer(agency, [unit], roles=("admin",), username="admin"),
        "stranger": gen_officer(other, [gen_unit(other)], username="stranger"),
    }
    db.session.commit()
    return officers


def _copy_cookie(source, make_client):
    thief = make_client()
    thief.set_cookie("session", source.get_cookie("session").value)
    return thief


def test_a_copied_cookie_is_refused_after_sign_out(make_client, db):
    officers = _officers()
    siti = signed_in(make_client(), officers["siti"])
    stranger = signed_in(make_client(), officers["stranger"])
    thief = _copy_cookie(siti, make_client)
    assert thief.get("/inbox").status_code == 200  # the copy works while siti is signed in
    siti.post("/logout", data={"csrf_token": csrf(siti, "/inbox")})
    response = thief.get("/inbox")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")
    assert stranger.get("/inbox").status_code == 200  # another agency's officer is untouched


def test_a_copied_cookie_is_refused_after_a_password_change(make_client, db):
    officers = _officers()
    siti = signed_in(make_client(), officers["siti"])
    thief = _copy_cookie(siti, make_client)
    admin = signed_in(make_client(), officers["admin"])
    victim = officers["siti"]
    data = {
        "username": "siti", "name": victim.name, "email": victim.email, "roles": ["officer"],
        "unit_ids": [str(u.id) for u in victim.units], "locale": "ms", "active": "y",
        "password": NEW_PASSWORD,
    }  # fmt: skip
    page = f"/admin/officers/{victim.id}"
    assert post(admin, page, data, page=page).status_code == 303
    response = thief.get("/inbox")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")
    assert siti.get("/inbox").status_code == 302
