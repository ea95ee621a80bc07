"""A new channel is one adapter with a manifest: registered through the registry's public API,
nothing else changes, and the admin form, the environment, the webhooks, identities, replies
and the vocabulary all take it up."""

from __future__ import annotations

import datetime as dt
import hmac
import json

import pytest

from aduan.extensions import db
from aduan.models import ContactIdentity, InboundEvent, OutboundMessage, Ticket
from aduan.services.channel_config.accounts import env_settings, save_account
from aduan.services.intake.pipeline import process_event
from aduan.services.outbox.replies import reply_target
from aduan.vocabulary import channel_term, channel_values
from aduan.web.inbox.timeline import reply_channels
from channels import registry
from channels.base import (
    ChannelAdapter,
    ChannelManifest,
    InboundMessage,
    OutboundRequest,
    RawEvent,
    RawRequest,
    SendResult,
    Setting,
    Webhook,
)
from channels.phones import normalise_phone
from config import load_settings
from tests.web.admin.helpers import setup

API_KEY = "gw-key-0123456789"
SENDER = "+60312345678"
HOOK = "/webhooks/gateway-sms"


class GatewaySmsAdapter(ChannelAdapter):
    """A generic HTTP SMS gateway: JSON in with an API key header, JSON out."""

    type = "gateway_sms"
    display_name = "SMS (HTTP gateway)"
    manifest = ChannelManifest(
        label_en="SMS gateway",
        label_ms="Gerbang SMS",
        identity="phone",
        credentials=(
            Setting("api_key", "Gateway API key", secret=True, env="GATEWAY_SMS_API_KEY"),
            Setting("sender", "E.164 sender", env="GATEWAY_SMS_SENDER"),
        ),
        settings=(Setting("region", "Default region of local numbers", default="MY"),),
        webhooks=(Webhook("/gateway-sms", "gateway_sms"),),
        replies=True,
    )
    sent: list[OutboundRequest] = []

    def verify(self, request: RawRequest) -> bool:
        """The gateway sends our API key in ``X-Api-Key``."""
        given = (request.header("X-Api-Key") or "").encode()
        return hmac.compare_digest(given, str(self.account.get("api_key") or "-").encode())

    def split(self, request: RawRequest) -> list[RawEvent]:
        """One message per request."""
        data = json.loads(request.body)
        return [RawEvent(self.type, "message", data["id"], data)]

    def parse(self, event: RawEvent) -> list[InboundMessage]:
        """The stored JSON as one message."""
        payload = event.payload
        return [
            InboundMessage(
                channel=self.type,
                provider_id=event.provider_id,
                sender_handle=normalise_phone(payload["from"]),
                text=payload["text"],
                received_at=dt.datetime.now(dt.UTC),
            )
        ]

    def send(self, message: OutboundRequest) -> SendResult:
        """Keep what would go out."""
        self.sent.append(message)
        return SendResult(provider_id=f"gw-{len(self.sent)}")


@pytest.fixture
def gateway():
    registry.register(GatewaySmsAdapter)
    yield GatewaySmsAdapter
    registry.unregister(GatewaySmsAdapter.type)


def test_the_account_form_offers_its_fields_with_the_secret_masked(client, gateway):
    s = setup(client)
    db.session.refresh(s.agency)
    row = save_account(s.agency, "gateway_sms", {"api_key": API_KEY, "sender": SENDER})
    db.session.commit()
    listing = client.get("/admin/channels").get_data(as_text=True)
    assert "/admin/channels/new/gateway_sms" in listing and API_KEY not in listing
    new = client.get("/admin/channels/new/gateway_sms").get_data(as_text=True)
    assert 'name="s_api_key" type="password"' in new
    assert 'name="s_sender" type="text"' in new and 'name="s_region"' in new
    edit = client.get(f"/admin/channels/{row.id}").get_data(as_text=True)
    assert API_KEY not in edit and "••••6789" in edit
    assert f'name="s_sender" type="text" value="{SENDER}"' in edit


def test_its_environment_variable_fills_the_default_account(app_ctx, gateway, monkeypatch):
    monkeypatch.setenv("ADUAN_GATEWAY_SMS_API_KEY", API_KEY)
    settings = load_settings()
    assert settings["GATEWAY_SMS_API_KEY"] == API_KEY and settings["GATEWAY_SMS_SENDER"] is None
    monkeypatch.setitem(app_ctx.config, "GATEWAY_SMS_API_KEY", settings["GATEWAY_SMS_API_KEY"])
    assert env_settings("gateway_sms") == {"api_key": API_KEY}


def test_a_message_on_its_webhook_becomes_a_ticket_of_a_phone_complainant(
    client, gateway, monkeypatch
):
    setup(client)  # the agency that owns messages with no account row
    monkeypatch.setitem(client.application.config, "GATEWAY_SMS_API_KEY", API_KEY)
    body = {"id": "gw-in-1", "from": "012-345 6789", "text": "Lampu jalan rosak."}
    assert client.post(HOOK, json=body).status_code == 403  # no key: forged
    response = client.post(HOOK, json=body, headers={"X-Api-Key": API_KEY})
    assert response.status_code == 200 and response.get_json() == {"ok": True}
    event = db.session.scalar(db.select(InboundEvent).where(InboundEvent.channel == "gateway_sms"))
    assert process_event(event.id) == "processed"
    ticket = db.session.scalar(db.select(Ticket))
    assert ticket.origin_channel == "gateway_sms"
    identity = db.session.scalar(db.select(ContactIdentity))
    assert (identity.channel_type, identity.handle) == ("phone", "+60123456789")
    ack = db.session.scalar(db.select(OutboundMessage))
    assert (ack.channel, ack.to_handle, ack.purpose) == (
        "gateway_sms",
        "+60123456789",
        "acknowledgement",
    )
    assert reply_target(ticket) == ("gateway_sms", "+60123456789")
    assert ("gateway_sms", "+60123456789") in reply_channels(ticket)


def test_the_vocabulary_knows_it_while_it_is_registered(app_ctx, gateway):
    assert "gateway_sms" in channel_values()
    assert channel_term("gateway_sms").label("ms") == "Gerbang SMS"
    registry.unregister("gateway_sms")
    assert "gateway_sms" not in channel_values()
