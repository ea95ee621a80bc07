"""Test accounts and signed-request builders for the channel adapter tests."""

from __future__ import annotations

import base64
import hashlib
import hmac
from urllib.parse import urlencode

from twilio.request_validator import RequestValidator

from channels.base import RawRequest

TWILIO_ACCOUNT = {
    "account_sid": "AC" + "0" * 32,
    "auth_token": "twilio-test-token",
    "sms_number": "+60388880000",
    "whatsapp_number": "whatsapp:+60388880001",
}
TELEGRAM_ACCOUNT = {"bot_token": "123456:TEST-token", "webhook_secret": "tg-secret-ABC_123"}
META_ACCOUNT = {
    "app_secret": "meta-app-secret",
    "verify_token": "meta-verify",
    "access_token": "meta-access-token",
    "phone_number_id": "109876543210",
}
X_ACCOUNT = {"consumer_secret": "x-consumer-secret", "bearer_token": "x-user-token"}
PUBLIC_URL = "https://aduan.example.gov.my/webhooks/{channel}?account=1"


def twilio_request(
    form: dict[str, str], channel: str = "sms", token: str | None = None
) -> RawRequest:
    """A form post signed like Twilio signs it (``token`` defaults to the test account's)."""
    url = PUBLIC_URL.format(channel=channel)
    validator = RequestValidator(token or TWILIO_ACCOUNT["auth_token"])
    signature = validator.compute_signature(url, form)
    headers = {"X-Twilio-Signature": signature, "Content-Type": "application/x-www-form-urlencoded"}
    return RawRequest("POST", url, headers, urlencode(form).encode(), form=form)


def meta_request(body: bytes, secret: str | None = None) -> RawRequest:
    digest = hmac.new((secret or META_ACCOUNT["app_secret"]).encode(), body, hashlib.sha256)
    headers = {"X-Hub-Signature-256": "sha256=" + digest.hexdigest()}
    return RawRequest("POST", PUBLIC_URL.format(channel="meta"), headers, body)


def x_request(body: bytes, secret: str | None = None) -> RawRequest:
    digest = hmac.new((secret or X_ACCOUNT["consumer_secret"]).encode(), body, hashlib.sha256)
    headers = {
        "x-twitter-webhooks-signature": "sha256=" + base64.b64encode(digest.digest()).decode()
    }
    return RawRequest("POST", PUBLIC_URL.format(channel="x"), headers, body)


def telegram_request(body: bytes, secret: str | None = None) -> RawRequest:
    headers = {"X-Telegram-Bot-Api-Secret-Token": secret or TELEGRAM_ACCOUNT["webhook_secret"]}
    return RawRequest("POST", PUBLIC_URL.format(channel="telegram"), headers, body)
