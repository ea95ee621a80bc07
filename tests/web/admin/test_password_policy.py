"""An admin cannot give an officer a common or guessable password, however long (issue #12):
the refusal is a field error in Bahasa Malaysia and nothing is saved."""

import pytest

from aduan.extensions import db
from aduan.models import Officer
from aduan.services.auth.passwords import is_strong, verify_password
from tests.builders import gen_officer
from tests.web.admin.helpers import post, setup

WEAK_MS = "Kata laluan ini terlalu mudah diteka"
GUESSABLE = [
    "Password1234",  # a breached classic, long enough for the length rule
    "qwertyuiop123",  # a keyboard walk
    "aminah12345678",  # the officer's own name and a run of digits
    "P@ssw0rd2024",  # l33t of a breached classic and a year
    "Welcome@12345",  # a common word and a run of digits
    "aaaaaaaaaaaaaaaa",  # a repeat
]


def _new_officer(s, password):
    return {
        "username": "aminah", "name": "Aminah binti Ali", "email": "aminah@agency.test",
        "password": password, "roles": ["officer"], "unit_ids": [str(s.unit.id)],
        "locale": "ms", "active": "1",
    }  # fmt: skip


@pytest.mark.parametrize("password", GUESSABLE)
def test_creating_an_officer_with_a_guessable_password_is_refused(client, password):
    s = setup(client)
    response = post(client, "/admin/officers/new", _new_officer(s, password))
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="password-error"' in html and WEAK_MS in html
    assert db.session.scalar(db.select(Officer).where(Officer.username == "aminah")) is None


def test_a_new_password_on_an_existing_officer_must_be_strong_too(client):
    s = setup(client)
    officer = gen_officer(s.agency, units=[s.unit], username="aminah", name="Aminah binti Ali")
    db.session.commit()
    old_hash = officer.password_hash
    data = {**_new_officer(s, "aminah12345678"), "email": officer.email}
    response = post(client, f"/admin/officers/{officer.id}", data)
    assert response.status_code == 422 and WEAK_MS in response.get_data(as_text=True)
    db.session.refresh(officer)
    assert officer.password_hash == old_hash
    data["password"] = "Kenanga lamp post 47 rosak"
    assert post(client, f"/admin/officers/{officer.id}", data).status_code == 303
    db.session.refresh(officer)
    assert verify_password(officer.password_hash, "Kenanga lamp post 47 rosak")


def test_the_agency_name_counts_as_a_known_word(client):
    s = setup(client)
    weak = f"{s.agency.name.split()[0].lower()}1234567"  # strong for zxcvbn without it
    assert is_strong(weak) and len(weak) >= 12
    response = post(client, "/admin/officers/new", _new_officer(s, weak))
    assert response.status_code == 422 and WEAK_MS in response.get_data(as_text=True)


def test_a_long_unrelated_phrase_is_accepted(client):
    s = setup(client)
    response = post(client, "/admin/officers/new", _new_officer(s, "Kenanga lamp post 47 rosak"))
    assert response.status_code == 303
