"""Attacks on the provider webhooks (issue #12), performed against the real routes with real
PostgreSQL and Redis: each must be refused with nothing stored and no ticket made."""

from __future__ import annotations

from urllib.parse import quote

import pytest

from aduan.models import InboundEvent, Ticket
from tests.web.signing import CHANNEL_CONFIG, meta_body, meta_signature, x_body, x_signature

X = "/webhooks/x"


@pytest.fixture
def hooks(client, monkeypatch):
    for name, value in CHANNEL_CONFIG.items():
        monkeypatch.setitem(client.application.config, name, value)
    return client


def nothing_stored(db) -> bool:
    return not db.session.scalars(db.select(InboundEvent)).all() and not (
        db.session.scalars(db.select(Ticket)).all()
    )


def crc_answer(hooks, token: str):
    return hooks.get(f"{X}?crc_token={quote(token, safe='')}")


def test_the_x_challenge_does_not_sign_a_json_body_for_an_attacker(hooks, db):
    forged = x_body().decode()
    response = crc_answer(hooks, forged)
    assert response.status_code in (400, 403)
    assert "response_token" not in (response.get_json(silent=True) or {})


def test_a_dm_forged_with_the_x_challenge_answer_is_refused_and_nothing_stored(hooks, db):
    forged = x_body()
    answer = crc_answer(hooks, forged.decode()).get_json(silent=True) or {}
    headers = {"Content-Type": "application/json"}
    headers["x-twitter-webhooks-signature"] = answer.get("response_token", "")
    assert hooks.post(X, data=forged, headers=headers).status_code == 403
    assert nothing_stored(db)


def test_no_body_the_x_challenge_signs_passes_as_a_webhook(hooks, db):
    for token in ("challenge123", "AAAA", "12345", "null"):
        answer = crc_answer(hooks, token).get_json()["response_token"]
        headers = {"Content-Type": "application/json", "x-twitter-webhooks-signature": answer}
        assert hooks.post(X, data=token.encode(), headers=headers).status_code == 403
    assert nothing_stored(db)


@pytest.mark.parametrize(
    "token",
    ['{"for_user_id":"1"}', "[1]", "a b", "tab\there", "x" * 300, '"quoted"', ""],
)
def test_implausible_x_challenge_tokens_get_no_signature(hooks, token):
    response = crc_answer(hooks, token)
    assert response.status_code in (400, 403)
    assert b"sha256=" not in response.data


def test_the_x_challenge_still_answers_a_real_looking_token(hooks):
    token = "ZmJhZjQ0ZDktNDJmMS00YmI0LWE0NjgtZmNlN2FkNWQzNTZk_-="
    response = crc_answer(hooks, token)
    assert response.get_json() == {"response_token": x_signature(token.encode())}


def test_deeply_nested_json_to_meta_is_refused_before_it_is_parsed(hooks, db, caplog):
    body = b"[" * 100_000 + b"]" * 100_000
    headers = {"Content-Type": "application/json", "X-Hub-Signature-256": "sha256=00"}
    response = hooks.post("/webhooks/meta", data=body, headers=headers)
    assert response.status_code == 403
    assert "Traceback" not in caplog.text and "RecursionError" not in caplog.text
    assert nothing_stored(db)


def test_deeply_nested_json_signed_by_meta_is_quarantined_not_a_server_error(hooks, db):
    body = b'{"object": "page", "entry": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"
    headers = {"Content-Type": "application/json", "X-Hub-Signature-256": meta_signature(body)}
    assert hooks.post("/webhooks/meta", data=body, headers=headers).status_code == 200
    (event,) = db.session.scalars(db.select(InboundEvent)).all()
    assert event.quarantined_at is not None and not db.session.scalars(db.select(Ticket)).all()


def test_a_signed_meta_message_still_arrives(hooks, db):
    body = meta_body()
    headers = {"Content-Type": "application/json", "X-Hub-Signature-256": meta_signature(body)}
    assert hooks.post("/webhooks/meta", data=body, headers=headers).status_code == 200
    (event,) = db.session.scalars(db.select(InboundEvent)).all()
    assert event.payload["message"]["id"] == "wamid.ABC"


def test_deeply_nested_json_with_the_telegram_secret_is_quarantined_not_a_server_error(hooks, db):
    body = b"[" * 100_000 + b"]" * 100_000
    headers = {"Content-Type": "application/json"}
    headers["X-Telegram-Bot-Api-Secret-Token"] = CHANNEL_CONFIG["TELEGRAM_WEBHOOK_SECRET"]
    assert hooks.post("/webhooks/telegram", data=body, headers=headers).status_code == 200
    (event,) = db.session.scalars(db.select(InboundEvent)).all()
    assert event.quarantined_at is not None
