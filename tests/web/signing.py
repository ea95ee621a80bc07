"""Signed provider requests for webhook tests, computed with the providers' own recipes."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import socket

from twilio.request_validator import RequestValidator

BASE = "https://aduan.test"
TWILIO_TOKEN = "twilio-auth-token-0123456789"
TELEGRAM_SECRET = "telegram-secret-abcdef"
META_SECRET = "meta-app-secret-9876"
META_VERIFY = "meta-verify-token"
X_SECRET = "x-consumer-secret-5555"

CHANNEL_CONFIG = {
    "TWILIO_ACCOUNT_SID": "AC" + "0" * 32,
    "TWILIO_AUTH_TOKEN": TWILIO_TOKEN,
    "TWILIO_SMS_NUMBER": "+60300000000",
    "TELEGRAM_WEBHOOK_SECRET": TELEGRAM_SECRET,
    "TELEGRAM_BOT_TOKEN": "123:telegram-bot-token",
    "META_APP_SECRET": META_SECRET,
    "META_VERIFY_TOKEN": META_VERIFY,
    "X_CONSUMER_SECRET": X_SECRET,
}


def sms_form(sid: str = "SM" + "1" * 32, body: str = "Lampu jalan rosak") -> dict[str, str]:
    return {
        "MessageSid": sid,
        "SmsStatus": "received",
        "From": "+60123456789",
        "To": "+60300000000",
        "Body": body,
        "NumMedia": "0",
    }


def twilio_headers(path: str, form: dict, token: str = TWILIO_TOKEN, url: str | None = None):
    signature = RequestValidator(token).compute_signature(url or BASE + path, form)
    return {"X-Twilio-Signature": signature}


def telegram_update(update_id: int = 1001) -> dict:
    return {
        "update_id": update_id,
        "message": {
            "message_id": 5,
            "date": 1767225600,
            "chat": {"id": 42, "type": "private"},
            "from": {"id": 42, "is_bot": False, "first_name": "Aminah"},
            "text": "Sampah tidak dikutip",
        },
    }


def meta_body(wamid: str = "wamid.ABC") -> bytes:
    data = {
        "object": "whatsapp_business_account",
        "entry": [
            {
                "id": "1",
                "changes": [
                    {
                        "field": "messages",
                        "value": {
                            "messaging_product": "whatsapp",
                            "metadata": {"phone_number_id": "555"},
                            "contacts": [{"profile": {"name": "Ali"}, "wa_id": "60123456789"}],
                            "messages": [
                                {
                                    "from": "60123456789",
                                    "id": wamid,
                                    "timestamp": "1767225600",
                                    "type": "text",
                                    "text": {"body": "Jalan berlubang"},
                                }
                            ],
                        },
                    }
                ],
            }
        ],
    }
    return json.dumps(data).encode()


def meta_signature(body: bytes, secret: str = META_SECRET) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def x_body(dm_id: str = "1700000000000000001") -> bytes:
    data = {
        "for_user_id": "999",
        "direct_message_events": [
            {
                "type": "message_create",
                "id": dm_id,
                "created_timestamp": "1767225600000",
                "message_create": {
                    "sender_id": "111",
                    "target": {"recipient_id": "999"},
                    "message_data": {"text": "Longkang tersumbat"},
                },
            }
        ],
        "users": {"111": {"id": "111", "name": "Siti", "screen_name": "siti"}},
    }
    return json.dumps(data).encode()


def x_signature(data: bytes, secret: str = X_SECRET) -> str:
    return (
        "sha256="
        + base64.b64encode(hmac.new(secret.encode(), data, hashlib.sha256).digest()).decode()
    )


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def sign_in(client, officer) -> None:
    """``tests.builders.login`` plus the session identifier that "strong" protection checks
    (without it Flask-Login drops the session on the first request)."""
    from flask import g
    from flask_login.utils import _create_identifier

    from tests.builders import login

    login(client, officer)
    with client.application.test_request_context(environ_base=client.environ_base):
        identifier = _create_identifier()
    with client.session_transaction() as session:
        session["_id"] = identifier
    # Requests reuse the test's app context, so Flask-Login's cached user lives on in ``g``.
    g.pop("_login_user", None)
