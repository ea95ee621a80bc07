"""Status-page answers survive key rotations (issue #12): the answer hashes have their own,
versioned key, apart from the session secret."""

from __future__ import annotations

from flask import g

from aduan.extensions import db
from aduan.models.citizen import ContactCheck
from aduan.services.citizen import answer_keys
from tests.web.public.helpers import csrf, file_with_another_agency
from tests.web.public.test_status import WRONG, _check

KEY_ONE, KEY_TWO = "1:" + "a" * 40, "2:" + "b" * 40


def _opens(app, reference: str, answer: str) -> bool:
    """A fresh browser: the citizen's page opens with ``answer`` (and shows the reference)."""
    g.pop("csrf_token", None)  # test requests share the test's app context, and its g
    client = app.test_client()
    token = csrf(client, "/semak")
    response = _check(client, token, reference, answer)
    if response.status_code != 302:
        assert WRONG in response.get_data(as_text=True)
        return False
    return reference in client.get("/semak/status").get_data(as_text=True)


def test_rotating_the_secret_key_keeps_citizens_verifying(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "ANSWER_KEY", KEY_ONE)
    ours, theirs = file_with_another_agency(client)
    monkeypatch.setitem(app.config, "SECRET_KEY", "a-brand-new-session-secret")
    assert _opens(app, ours.reference, "6789")
    assert _opens(app, theirs.reference, "4321")
    assert not _opens(app, theirs.reference, "6789")  # one's answer never opens the other's


def test_rotating_the_answer_key_keeps_the_previous_version_working(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "ANSWER_KEY", KEY_ONE)
    ours, theirs = file_with_another_agency(client)
    monkeypatch.setitem(app.config, "ANSWER_KEY", KEY_TWO)
    assert not _opens(app, ours.reference, "6789")  # the old hash needs its key
    monkeypatch.setitem(app.config, "ANSWER_KEYS_OLD", KEY_ONE)
    assert _opens(app, ours.reference, "6789")
    assert not _opens(app, ours.reference, "4321")
    db.session.expire_all()
    assert db.session.get(ContactCheck, ours.id).key_version == 2  # re-keyed on use
    assert db.session.get(ContactCheck, theirs.id).key_version == 1  # not used yet
    monkeypatch.setitem(app.config, "ANSWER_KEYS_OLD", "")
    assert _opens(app, ours.reference, "6789")  # the old key is no longer needed for it


def test_hashes_from_before_answer_keys_verify_with_the_secret_they_were_made_with(
    app, client, monkeypatch
):
    ours, theirs = file_with_another_agency(client)
    db.session.execute(db.update(ContactCheck).values(key_version=0))  # as migration 0015 left them
    old_secret = app.config["SECRET_KEY"]
    for check in db.session.scalars(db.select(ContactCheck)):
        check.digest = answer_keys.digest(old_secret.encode(), check.salt, "6789")
    db.session.commit()
    monkeypatch.setitem(app.config, "ANSWER_KEY", KEY_TWO)
    monkeypatch.setitem(app.config, "SECRET_KEY", "rotated-secret")
    monkeypatch.setitem(app.config, "ANSWER_KEYS_OLD", f"0:{old_secret}")
    assert _opens(app, ours.reference, "6789")
    db.session.expire_all()
    assert db.session.get(ContactCheck, ours.id).key_version == 2
