"""Channel accounts: secrets encrypted at rest, environment defaults, masking, health."""

from __future__ import annotations

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import text

from aduan.services.channel_config import accounts as accounts
from tests.builders import gen_agency, gen_officer
from tests.web.signing import CHANNEL_CONFIG, sign_in

TOKEN = "tw-secret-token-ABCD1234"


def test_secrets_are_encrypted_in_the_database(db):
    agency = gen_agency()
    accounts.save_account(agency, "sms", {"account_sid": "AC1", "auth_token": TOKEN}, key="jkr")
    db.session.commit()
    raw = db.session.execute(text("SELECT settings::text FROM channel_accounts")).scalar_one()
    assert TOKEN not in raw and "fernet:" in raw and "AC1" in raw
    assert accounts.account_settings("sms", "jkr") == {"account_sid": "AC1", "auth_token": TOKEN}
    assert accounts.get_adapter("sms", "jkr").account["auth_token"] == TOKEN


def test_encryption_key_from_the_environment(db, monkeypatch):
    agency = gen_agency()
    monkeypatch.setenv("ADUAN_ENCRYPTION_KEY", Fernet.generate_key().decode())
    accounts.save_account(agency, "telegram", {"bot_token": "1:bot"}, key="k")
    stored = accounts.find_account("telegram", "k").settings
    assert accounts.decrypt_settings(stored)["bot_token"] == "1:bot"
    monkeypatch.delenv("ADUAN_ENCRYPTION_KEY")
    with pytest.raises(ValueError):
        accounts.decrypt_settings(stored)


def test_default_account_comes_from_the_environment(app_ctx, db, monkeypatch):
    for name, value in CHANNEL_CONFIG.items():
        monkeypatch.setitem(app_ctx.config, name, value)
    monkeypatch.setitem(app_ctx.config, "IMAP_URL", "imaps://u:p@mail.test/INBOX")
    sms = accounts.account_settings("sms")
    assert sms == {
        "account_sid": CHANNEL_CONFIG["TWILIO_ACCOUNT_SID"],
        "auth_token": CHANNEL_CONFIG["TWILIO_AUTH_TOKEN"],
        "sms_number": "+60300000000",
    }
    assert accounts.account_settings("x") == {
        "consumer_secret": CHANNEL_CONFIG["X_CONSUMER_SECRET"]
    }
    assert accounts.account_settings("messenger")["app_secret"] == CHANNEL_CONFIG["META_APP_SECRET"]
    assert accounts.account_settings("email") == {"imap_url": "imaps://u:p@mail.test/INBOX"}
    with pytest.raises(accounts.UnknownAccount):
        accounts.account_settings("sms", "other")
    with pytest.raises(accounts.UnknownAccount):
        accounts.account_settings("instagram", "nope")


def test_inactive_account_is_unknown(db):
    accounts.save_account(gen_agency(), "x", {"consumer_secret": "s" * 20}, key="off", active=False)
    with pytest.raises(accounts.UnknownAccount):
        accounts.account_settings("x", "off")


def test_masked_shows_last_four_of_secrets_only():
    shown = accounts.masked({"auth_token": TOKEN, "account_sid": "AC1", "verify_token": "short"})
    assert shown == {"auth_token": "••••1234", "account_sid": "AC1", "verify_token": "••••"}


def test_record_error_keeps_no_secrets_or_personal_data(db):
    row = accounts.save_account(gen_agency(), "email", {"imap_url": "imaps://u:hunter2@h/INBOX"})
    accounts.record_error(row, "login failed imaps://u:hunter2@h for ali@example.com +60123456789")
    assert "hunter2" not in row.last_error
    assert "ali@example.com" not in row.last_error and "60123456789" not in row.last_error
    assert row.last_error_at is not None
    accounts.record_success(row)
    assert row.last_success_at is not None


def test_admin_json_masks_secrets(client, db):
    agency = gen_agency()
    accounts.save_account(agency, "sms", {"account_sid": "AC1", "auth_token": TOKEN}, key="jkr")
    accounts.save_account(gen_agency(), "sms", {"auth_token": "other-agency-token"}, key="x")
    admin = gen_officer(agency, roles=("admin",))
    officer = gen_officer(agency)
    db.session.commit()
    sign_in(client, officer)
    assert client.get("/api/admin/channel-accounts").status_code == 403
    sign_in(client, admin)
    response = client.get("/api/admin/channel-accounts")
    assert response.status_code == 200, response.get_json()
    [item] = response.get_json()["items"]
    assert item["settings"] == {"account_sid": "AC1", "auth_token": "••••1234"}
    assert TOKEN not in response.get_data(as_text=True)
