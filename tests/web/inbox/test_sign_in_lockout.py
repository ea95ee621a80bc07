"""Sign-in lock-out as an attacker meets it: no username enumeration through the password
hash being skipped, no locking an officer out from another address, and the account-wide
back-off for guesses spread over many addresses."""

import datetime as dt

import pytest

from aduan.extensions import db
from aduan.models import Officer
from aduan.services.auth import passwords
from tests.builders import PASSWORD, gen_agency, gen_officer, gen_unit
from tests.web.inbox.helpers import post

HOME, ATTACKER = "198.51.100.10", "203.0.113.66"


def _officers():
    """Siti at one agency, Ravi at another: the lock-outs of one never touch the other."""
    officers = {}
    for username in ("siti", "ravi"):
        agency = gen_agency()
        officers[username] = gen_officer(agency, [gen_unit(agency)], username=username)
    db.session.commit()
    return officers


def _sign_in(client, username, password, address):
    data = {"username": username, "password": password}
    return post(client, "/login", data, environ_base={"REMOTE_ADDR": address})


def _fail(client, username, address, times):
    for _ in range(times):
        assert _sign_in(client, username, "wrong guess", address).status_code == 401


@pytest.fixture
def verify_calls(monkeypatch):
    """Every argon2 verification the sign-in runs, counted through a wrapper."""
    calls = []
    real = passwords.verify_password

    def counting(password_hash, password):
        calls.append(password_hash)
        return real(password_hash, password)

    monkeypatch.setattr(passwords, "verify_password", counting)
    return calls


def test_locked_unknown_and_wrong_password_each_run_one_password_hash(
    make_client, db, verify_calls
):
    _officers()
    attacker = make_client()
    _fail(attacker, "siti", ATTACKER, 5)  # siti is now locked from the attacker's address
    for username, password in (("siti", "wrong"), ("siti", PASSWORD), ("nobody", "wrong")):
        verify_calls.clear()
        assert _sign_in(attacker, username, password, ATTACKER).status_code == 401
        assert len(verify_calls) == 1, username  # locked and unknown alike: one argon2 verify
        assert verify_calls[0].startswith("$argon2id$")


def test_the_account_back_off_path_runs_the_password_hash_too(make_client, db, verify_calls):
    officer = _officers()["siti"]
    officer.locked_until = dt.datetime.now(dt.UTC) + dt.timedelta(minutes=5)
    db.session.commit()
    assert _sign_in(make_client(), "siti", PASSWORD, HOME).status_code == 401
    assert len(verify_calls) == 1


def test_failures_from_one_address_do_not_lock_the_officer_out_from_another(make_client, db):
    officers = _officers()
    attacker, siti, ravi = make_client(), make_client(), make_client()
    _fail(attacker, "siti", ATTACKER, 12)  # far past the five that lock this address
    assert _sign_in(attacker, "siti", PASSWORD, ATTACKER).status_code == 401
    assert _sign_in(siti, "siti", PASSWORD, HOME).status_code == 302
    assert siti.get("/inbox", environ_base={"REMOTE_ADDR": HOME}).status_code == 200
    # the other agency's officer is not locked out from the attacker's own address either
    assert _sign_in(ravi, "ravi", PASSWORD, ATTACKER).status_code == 302
    db.session.expire_all()
    assert db.session.get(Officer, officers["siti"].id).locked_until is None


def test_an_ipv6_attacker_cannot_escape_the_lock_by_moving_within_a_64(make_client, db):
    _officers()
    attacker = make_client()
    for n in range(5):
        _sign_in(attacker, "siti", "wrong", f"2001:db8:1:2::{n + 1:x}")
    assert _sign_in(attacker, "siti", PASSWORD, "2001:db8:1:2::ff").status_code == 401
    assert _sign_in(make_client(), "siti", PASSWORD, "2001:db8:9::1").status_code == 302


def test_guesses_spread_over_many_addresses_engage_the_account_back_off(
    make_client, db, app_ctx, monkeypatch
):
    monkeypatch.setitem(app_ctx.config, "LOGIN_ACCOUNT_MAX_FAILURES", 12)
    monkeypatch.setitem(app_ctx.config, "LOGIN_ACCOUNT_LOCK_MINUTES", 5)
    officers = _officers()
    attacker = make_client()
    for n in range(3):  # 4 guesses from each address: no address lock, 12 failures in all
        _fail(attacker, "siti", f"203.0.113.{n + 1}", 4)
    db.session.expire_all()
    siti = db.session.get(Officer, officers["siti"].id)
    minutes = (siti.locked_until - dt.datetime.now(dt.UTC)).total_seconds() / 60
    assert 4 < minutes <= 5
    assert _sign_in(make_client(), "siti", PASSWORD, HOME).status_code == 401  # everywhere
    assert _sign_in(make_client(), "ravi", PASSWORD, HOME).status_code == 302  # not the agency


def test_the_account_back_off_doubles_at_each_step_and_a_success_clears_it(
    make_client, db, app_ctx, monkeypatch
):
    monkeypatch.setitem(app_ctx.config, "LOGIN_ACCOUNT_MAX_FAILURES", 4)
    monkeypatch.setitem(app_ctx.config, "LOGIN_ACCOUNT_LOCK_MINUTES", 5)
    officer = _officers()["siti"]
    attacker = make_client()
    lengths = []
    for step in range(3):
        _fail(attacker, "siti", f"203.0.113.{step + 1}", 4)
        db.session.expire_all()
        locked_until = db.session.get(Officer, officer.id).locked_until
        lengths.append(round((locked_until - dt.datetime.now(dt.UTC)).total_seconds() / 60))
        Officer.query.filter_by(id=officer.id).update({"locked_until": None})  # time passes
        db.session.commit()
    assert lengths == [5, 10, 20]
    assert _sign_in(make_client(), "siti", PASSWORD, HOME).status_code == 302
    db.session.expire_all()
    assert db.session.get(Officer, officer.id).failed_logins == 0
