"""Builders for the intake/outbound tests: InboundEvents from golden fixture payloads, e-mails,
and adapters with test accounts (optionally pointed at the fake provider servers)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from aduan.extensions import db
from aduan.models import Agency, InboundEvent
from aduan.services.channel_config import lookup as channel_lookup
from aduan.services.channel_config.accounts import save_account
from channels.mail_imap import event_from_bytes
from channels.registry import get_adapter_class
from tests.builders import gen_agency, gen_unit
from tests.channels.builders import (
    META_ACCOUNT,
    TELEGRAM_ACCOUNT,
    TWILIO_ACCOUNT,
    telegram_request,
    twilio_request,
)
from tests.fakes.telegram import fake_telegram as make_fake_telegram
from tests.fakes.twilio import fake_twilio as make_fake_twilio

FIXTURES = Path(__file__).parents[1] / "fixtures" / "channels"
EMAIL_ACCOUNT = {"mail_from": "Aduan <aduan@agency.test>", "smtp_url": "smtp://127.0.0.1:1"}
ACCOUNTS = {
    "sms": TWILIO_ACCOUNT,
    "whatsapp": TWILIO_ACCOUNT,
    "voice": TWILIO_ACCOUNT,
    "telegram": TELEGRAM_ACCOUNT,
    "whatsapp_cloud": META_ACCOUNT,
    "email": EMAIL_ACCOUNT,
}


@pytest.fixture
def accounts(monkeypatch) -> dict[str, dict]:
    """Test accounts for every adapter; tests add e.g. ``api_base_url`` per channel."""
    overrides: dict[str, dict] = {}

    def adapter_for(channel: str, account_key: str = "default"):
        settings = {**ACCOUNTS.get(channel, {}), **overrides.get(channel, {})}
        return get_adapter_class(channel)(settings)

    monkeypatch.setattr(channel_lookup, "adapter_for", adapter_for)
    return overrides


@pytest.fixture
def twilio_server(accounts):
    """The fake Twilio, with the SMS and WhatsApp test accounts pointed at it."""
    with make_fake_twilio() as server:
        accounts["sms"] = accounts["whatsapp"] = {"api_base_url": server.url}
        yield server


@pytest.fixture
def telegram_server(accounts):
    """The fake Telegram Bot API, with the Telegram test account pointed at it."""
    with make_fake_telegram() as server:
        accounts["telegram"] = {"api_base_url": server.url}
        yield server


def fixture_form(channel: str, name: str) -> dict[str, str]:
    return json.loads((FIXTURES / channel / f"{name}.form.json").read_text("utf-8"))


def store(raw_event, account_key: str = "default") -> InboundEvent:
    """Store a RawEvent as the webhook would (committed)."""
    event = InboundEvent(
        channel=raw_event.channel,
        account_key=account_key,
        kind=raw_event.kind,
        provider_id=raw_event.provider_id,
        payload=raw_event.payload,
    )
    db.session.add(event)
    db.session.commit()
    return event


def twilio_event(channel: str, form: dict[str, str]) -> InboundEvent:
    adapter = get_adapter_class(channel)(ACCOUNTS[channel])
    (raw,) = adapter.split(twilio_request(form, channel=channel))
    return store(raw)


def sms_event(text: str, sid: str, sender: str = "+60123456789", fixture: str = "malay_emoji"):
    form = {**fixture_form("sms", fixture), "Body": text, "MessageSid": sid, "From": sender}
    return twilio_event("sms", form)


def whatsapp_event(text: str, sid: str, sender: str = "+60123456789"):
    form = {**fixture_form("whatsapp", "profile_name"), "Body": text, "MessageSid": sid}
    form["From"] = "whatsapp:" + sender
    return twilio_event("whatsapp", form)


def telegram_event(name: str, update_id: int | None = None, **message_changes) -> InboundEvent:
    data = json.loads((FIXTURES / "telegram" / f"{name}.json").read_text("utf-8"))
    data["message"].update(message_changes)
    if update_id is not None:
        data["update_id"] = update_id
    adapter = get_adapter_class("telegram")(TELEGRAM_ACCOUNT)
    (raw,) = adapter.split(telegram_request(json.dumps(data).encode()))
    return store(raw)


def email_fixture_event(name: str) -> InboundEvent:
    return store(event_from_bytes((FIXTURES / "email" / name).read_bytes(), mailbox="INBOX", uid=1))


def email_event(
    *,
    message_id: str,
    sender: str = "siti@example.com",
    subject: str = "Jalan berlubang",
    body: str = "Jalan berlubang di Jalan Kenanga, mohon dibaiki.",
    in_reply_to: str | None = None,
    headers: dict[str, str] | None = None,
) -> InboundEvent:
    lines = [
        f"From: Siti <{sender}>",
        "To: aduan@agency.test",
        f"Subject: {subject}",
        "Date: Tue, 03 Nov 2026 09:15:00 +0800",
        f"Message-ID: {message_id}",
    ]
    if in_reply_to:
        lines += [f"In-Reply-To: {in_reply_to}", f"References: {in_reply_to}"]
    lines += [f"{k}: {v}" for k, v in (headers or {}).items()]
    lines += ["MIME-Version: 1.0", 'Content-Type: text/plain; charset="utf-8"', "", body, ""]
    raw = "\r\n".join(lines).encode()
    return store(event_from_bytes(raw, mailbox="INBOX", uid=None))


def fail_ingest(monkeypatch, event_id: int, error: str = "database hiccup") -> None:
    """Make ``pipeline.ingest_message`` raise ``RuntimeError(error)`` for one event."""
    from aduan.services.intake import pipeline

    real = pipeline.ingest_message

    def ingest_message(inbound, message, adapter=None):
        if inbound.id == event_id:
            raise RuntimeError(error)
        return real(inbound, message, adapter)

    monkeypatch.setattr(pipeline, "ingest_message", ingest_message)


def agency_on(channel: str, code: str = "MBPJ", key: str = "mbpj", **settings) -> Agency:
    """Another agency, with its triage unit and its own ``channel`` account ``key``
    (committed): the second agency of a boundary test."""
    other = gen_agency(code)
    other.triage_unit_id = gen_unit(other).id
    other.settings = {**other.settings, **settings}
    save_account(other, channel, {}, key=key)
    db.session.commit()
    return other
