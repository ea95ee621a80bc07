"""Webhook signatures, computed with the real libraries: valid, tampered, wrong URL, missing
header, wrong secret — for every provider."""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import hmac
import json

import pytest

from channels.meta import InstagramAdapter, MessengerAdapter, WhatsAppCloudAdapter
from channels.telegram import TelegramAdapter
from channels.twilio_sms import TwilioSmsAdapter, TwilioWhatsAppAdapter
from channels.twilio_voice import TwilioVoiceAdapter
from channels.x import XAdapter
from tests.channels.builders import (
    META_ACCOUNT,
    TELEGRAM_ACCOUNT,
    TWILIO_ACCOUNT,
    X_ACCOUNT,
    meta_request,
    telegram_request,
    twilio_request,
    x_request,
)

FORM = {"MessageSid": "SM1", "From": "+60123456789", "To": "+60388880000", "Body": "Salam 👋"}
BODY = json.dumps({"object": "page", "entry": [], "teks": "Jalan rosak 🚧"}).encode()


def _without_header(request, name):
    headers = {k: v for k, v in request.headers.items() if k.lower() != name.lower()}
    return dataclasses.replace(request, headers=headers)


@pytest.mark.parametrize(
    "adapter_class", [TwilioSmsAdapter, TwilioWhatsAppAdapter, TwilioVoiceAdapter]
)
class TestTwilioSignature:
    def test_valid(self, adapter_class):
        assert adapter_class(TWILIO_ACCOUNT).verify(twilio_request(FORM))

    def test_tampered_form(self, adapter_class):
        request = twilio_request(FORM)
        tampered = dataclasses.replace(request, form={**FORM, "Body": "Salam 👋!"})
        assert not adapter_class(TWILIO_ACCOUNT).verify(tampered)

    def test_wrong_url(self, adapter_class):
        request = twilio_request(FORM)
        moved = dataclasses.replace(request, url="http://internal:8000/webhooks/sms?account=1")
        assert not adapter_class(TWILIO_ACCOUNT).verify(moved)

    def test_missing_header(self, adapter_class):
        request = _without_header(twilio_request(FORM), "X-Twilio-Signature")
        assert not adapter_class(TWILIO_ACCOUNT).verify(request)

    def test_wrong_secret(self, adapter_class):
        request = twilio_request(FORM, token="someone-elses-token")
        assert not adapter_class(TWILIO_ACCOUNT).verify(request)


def test_twilio_signature_from_raw_body_when_form_not_decoded():
    request = dataclasses.replace(twilio_request(FORM), form={})
    assert TwilioSmsAdapter(TWILIO_ACCOUNT).verify(request)


def test_twilio_header_lookup_is_case_insensitive():
    request = twilio_request(FORM)
    lowered = dataclasses.replace(
        request, headers={k.lower(): v for k, v in request.headers.items()}
    )
    assert TwilioSmsAdapter(TWILIO_ACCOUNT).verify(lowered)


@pytest.mark.parametrize(
    "adapter_class", [WhatsAppCloudAdapter, MessengerAdapter, InstagramAdapter]
)
class TestMetaSignature:
    def test_valid(self, adapter_class):
        assert adapter_class(META_ACCOUNT).verify(meta_request(BODY))

    def test_tampered_body(self, adapter_class):
        request = dataclasses.replace(meta_request(BODY), body=BODY.replace(b"rosak", b"elok"))
        assert not adapter_class(META_ACCOUNT).verify(request)

    def test_missing_header(self, adapter_class):
        request = _without_header(meta_request(BODY), "X-Hub-Signature-256")
        assert not adapter_class(META_ACCOUNT).verify(request)

    def test_wrong_secret(self, adapter_class):
        assert not adapter_class(META_ACCOUNT).verify(meta_request(BODY, secret="other"))

    def test_sha1_header_alone_is_not_enough(self, adapter_class):
        request = _without_header(meta_request(BODY), "X-Hub-Signature-256")
        request = dataclasses.replace(request, headers={"X-Hub-Signature": "sha1=abc"})
        assert not adapter_class(META_ACCOUNT).verify(request)


class TestMetaSubscription:
    def test_echoes_challenge(self):
        query = {
            "hub.mode": "subscribe",
            "hub.verify_token": "meta-verify",
            "hub.challenge": "1158201444",
        }
        assert MessengerAdapter(META_ACCOUNT).verify_subscription(query) == "1158201444"

    @pytest.mark.parametrize(
        "query",
        [
            {"hub.mode": "subscribe", "hub.verify_token": "wrong", "hub.challenge": "1"},
            {"hub.mode": "unsubscribe", "hub.verify_token": "meta-verify", "hub.challenge": "1"},
            {"hub.challenge": "1"},
        ],
    )
    def test_refuses(self, query):
        assert WhatsAppCloudAdapter(META_ACCOUNT).verify_subscription(query) is None

    def test_refuses_when_no_token_configured(self):
        query = {"hub.mode": "subscribe", "hub.verify_token": "", "hub.challenge": "1"}
        assert WhatsAppCloudAdapter({"app_secret": "s"}).verify_subscription(query) is None


class TestXSignature:
    def test_valid(self):
        assert XAdapter(X_ACCOUNT).verify(x_request(BODY))

    def test_tampered_body(self):
        request = dataclasses.replace(x_request(BODY), body=BODY + b" ")
        assert not XAdapter(X_ACCOUNT).verify(request)

    def test_missing_header(self):
        request = _without_header(x_request(BODY), "x-twitter-webhooks-signature")
        assert not XAdapter(X_ACCOUNT).verify(request)

    def test_wrong_secret(self):
        assert not XAdapter(X_ACCOUNT).verify(x_request(BODY, secret="other"))

    def test_crc_response(self):
        # Computed independently: base64(HMAC-SHA256("x-consumer-secret", "crc-123")).
        digest = hmac.new(b"x-consumer-secret", b"crc-123", hashlib.sha256).digest()
        expected = "sha256=" + base64.b64encode(digest).decode()
        assert XAdapter(X_ACCOUNT).crc_response("crc-123") == {"response_token": expected}


class TestTelegramSecret:
    def test_valid(self):
        assert TelegramAdapter(TELEGRAM_ACCOUNT).verify(telegram_request(b"{}"))

    def test_wrong_secret(self):
        assert not TelegramAdapter(TELEGRAM_ACCOUNT).verify(telegram_request(b"{}", secret="nope"))

    def test_missing_header(self):
        request = _without_header(telegram_request(b"{}"), "X-Telegram-Bot-Api-Secret-Token")
        assert not TelegramAdapter(TELEGRAM_ACCOUNT).verify(request)

    def test_account_without_secret_accepts_nothing(self):
        adapter = TelegramAdapter({"bot_token": "t"})
        assert not adapter.verify(telegram_request(b"{}", secret="anything"))
