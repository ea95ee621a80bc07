"""The language choice is saved on the officer, so it is a POST with a CSRF token: a link or
an image on another site (a GET) changes nothing (issue #12)."""

from aduan.extensions import db
from aduan.models import Officer
from tests.builders import gen_agency, gen_officer, gen_unit
from tests.web.inbox.helpers import csrf, signed_in


def _officer():
    agency = gen_agency()
    officer = gen_officer(agency, [gen_unit(agency)], locale="ms")
    db.session.commit()
    return officer


def _saved_locale(officer) -> str:
    db.session.expire_all()
    return db.session.get(Officer, officer.id).locale


def test_a_get_from_another_site_changes_nothing(client, db):
    officer = _officer()
    signed_in(client, officer)
    response = client.get("/bahasa/en?next=/inbox")
    assert response.status_code == 302 and response.headers["Location"] == "/inbox"
    assert _saved_locale(officer) == "ms"
    with client.session_transaction() as session:
        assert session.get("lang") != "en"
    assert '<html lang="ms">' in client.get("/inbox").get_data(as_text=True)


def test_a_post_without_the_csrf_token_is_refused(client, db):
    officer = _officer()
    signed_in(client, officer)
    assert client.post("/bahasa/en", data={"next": "/inbox"}).status_code == 400
    assert _saved_locale(officer) == "ms"


def test_the_switch_posts_with_a_token_and_saves_the_choice(client, db):
    officer = _officer()
    signed_in(client, officer)
    html = client.get("/inbox").get_data(as_text=True)
    assert 'action="/bahasa/en"' in html and 'href="/bahasa/' not in html
    data = {"csrf_token": csrf(client, "/inbox"), "next": "/inbox?queue=mine"}
    response = client.post("/bahasa/en", data=data)
    assert response.status_code == 302 and response.headers["Location"] == "/inbox?queue=mine"
    assert _saved_locale(officer) == "en"
    assert '<html lang="en">' in client.get("/inbox").get_data(as_text=True)
