"""Sends through the real client libraries against local fake provider servers; the assertions
are on what the fake server received."""

from __future__ import annotations

import json

import pytest

from channels.base import ChannelError, OutboundRequest
from channels.meta import InstagramAdapter, MessengerAdapter, WhatsAppCloudAdapter
from channels.telegram import TelegramAdapter
from channels.twilio_sms import TwilioSmsAdapter, TwilioWhatsAppAdapter
from channels.twilio_voice import TwilioVoiceAdapter
from channels.x import XAdapter
from tests.channels.builders import META_ACCOUNT, TELEGRAM_ACCOUNT, TWILIO_ACCOUNT, X_ACCOUNT

REPLY = "Aduan anda ADU-2026-000123 telah diterima 🙏 Terima kasih."


def _request(channel: str, to: str, text: str = REPLY, **kwargs) -> OutboundRequest:
    return OutboundRequest(channel=channel, to_handle=to, text=text, **kwargs)


class TestTwilioSend:
    def test_sms(self, fake_twilio):
        adapter = TwilioSmsAdapter({**TWILIO_ACCOUNT, "api_base_url": fake_twilio.url})
        callback = "https://aduan.example.gov.my/webhooks/sms/status"
        result = adapter.send(_request("sms", "012-345 6789", status_callback_url=callback))
        received = fake_twilio.last("/Messages.json")
        assert (
            received.path == f"/2010-04-01/Accounts/{TWILIO_ACCOUNT['account_sid']}/Messages.json"
        )
        assert received.auth == (TWILIO_ACCOUNT["account_sid"], TWILIO_ACCOUNT["auth_token"])
        assert received.form["To"] == "+60123456789"
        assert received.form["From"] == "+60388880000"
        assert received.form["Body"] == REPLY
        assert received.form["StatusCallback"] == callback
        assert result.provider_id.startswith("SM")
        assert result.status == "queued"

    def test_whatsapp_free_text(self, fake_twilio):
        adapter = TwilioWhatsAppAdapter({**TWILIO_ACCOUNT, "api_base_url": fake_twilio.url})
        adapter.send(_request("whatsapp", "+60123456789"))
        received = fake_twilio.last("/Messages.json")
        assert received.form["To"] == "whatsapp:+60123456789"
        assert received.form["From"] == "whatsapp:+60388880001"
        assert received.form["Body"] == REPLY

    def test_whatsapp_template(self, fake_twilio):
        adapter = TwilioWhatsAppAdapter({**TWILIO_ACCOUNT, "api_base_url": fake_twilio.url})
        variables = {"1": "ADU-2026-000123", "2": "Dalam tindakan"}
        message = _request(
            "whatsapp",
            "whatsapp:+60123456789",
            template="HX" + "a" * 32,
            template_variables=variables,
        )
        adapter.send(message)
        received = fake_twilio.last("/Messages.json")
        assert received.form["ContentSid"] == "HX" + "a" * 32
        assert json.loads(received.form["ContentVariables"]) == variables
        assert "Body" not in received.form

    def test_long_sms_goes_in_pieces_under_the_limit(self, fake_twilio):
        adapter = TwilioSmsAdapter({**TWILIO_ACCOUNT, "api_base_url": fake_twilio.url})
        text = "Maklum balas terperinci mengenai aduan anda. " * 80
        adapter.send(_request("sms", "+60123456789", text=text))
        bodies = [r.form["Body"] for r in fake_twilio.requests]
        assert len(bodies) == 3
        assert all(len(body) <= 1600 for body in bodies)
        assert " ".join(bodies).split() == text.split()

    def test_63016_is_not_retryable(self, fake_twilio):
        fake_twilio.mode = "63016"
        adapter = TwilioWhatsAppAdapter({**TWILIO_ACCOUNT, "api_base_url": fake_twilio.url})
        with pytest.raises(ChannelError) as caught:
            adapter.send(_request("whatsapp", "+60123456789"))
        assert caught.value.code == "63016"
        assert caught.value.retryable is False

    def test_other_4xx_is_not_retryable(self, fake_twilio):
        fake_twilio.mode = "400"
        adapter = TwilioSmsAdapter({**TWILIO_ACCOUNT, "api_base_url": fake_twilio.url})
        with pytest.raises(ChannelError) as caught:
            adapter.send(_request("sms", "+60123456789"))
        assert (caught.value.code, caught.value.retryable) == ("21211", False)

    def test_5xx_is_retryable(self, fake_twilio):
        fake_twilio.mode = "500"
        adapter = TwilioSmsAdapter({**TWILIO_ACCOUNT, "api_base_url": fake_twilio.url})
        with pytest.raises(ChannelError) as caught:
            adapter.send(_request("sms", "+60123456789"))
        assert caught.value.retryable is True

    def test_connection_refused_is_retryable(self, unused_url):
        adapter = TwilioSmsAdapter({**TWILIO_ACCOUNT, "api_base_url": unused_url})
        with pytest.raises(ChannelError) as caught:
            adapter.send(_request("sms", "+60123456789"))
        assert caught.value.retryable is True

    def test_voice_cannot_send(self):
        with pytest.raises(ChannelError) as caught:
            TwilioVoiceAdapter(TWILIO_ACCOUNT).send(_request("voice", "+60123456789"))
        assert caught.value.retryable is False


class TestTelegramSend:
    def _adapter(self, server):
        return TelegramAdapter({**TELEGRAM_ACCOUNT, "api_base_url": server.url})

    def test_send_message(self, fake_telegram):
        result = self._adapter(fake_telegram).send(_request("telegram", "555000111"))
        received = fake_telegram.last("/sendMessage")
        assert received.path == f"/bot{TELEGRAM_ACCOUNT['bot_token']}/sendMessage"
        assert received.params["chat_id"] in (555000111, "555000111")
        assert received.params["text"] == REPLY
        assert result.provider_id == "555000111:1"

    def test_blocked_bot_is_not_retryable(self, fake_telegram):
        fake_telegram.mode = "forbidden"
        with pytest.raises(ChannelError) as caught:
            self._adapter(fake_telegram).send(_request("telegram", "555000111"))
        assert caught.value.retryable is False

    def test_server_error_is_retryable(self, fake_telegram):
        fake_telegram.mode = "500"
        with pytest.raises(ChannelError) as caught:
            self._adapter(fake_telegram).send(_request("telegram", "555000111"))
        assert caught.value.retryable is True

    def test_fetch_file(self, fake_telegram):
        fake_telegram.files["AgACAgUAAxkBAAMLarge"] = b"\xff\xd8\xff jpeg bytes"
        data = self._adapter(fake_telegram).fetch_file("tg-file:AgACAgUAAxkBAAMLarge")
        assert data == b"\xff\xd8\xff jpeg bytes"
        assert fake_telegram.last("/getFile").params["file_id"] == "AgACAgUAAxkBAAMLarge"
        assert fake_telegram.requests[-1].path.startswith("/file/bot")

    def test_send_twice_from_one_adapter(self, fake_telegram):
        # asyncio.run per call: a second call must not trip over a closed loop.
        adapter = self._adapter(fake_telegram)
        adapter.send(_request("telegram", "555000111", text="satu"))
        adapter.send(_request("telegram", "555000111", text="dua"))
        texts = [r.params["text"] for r in fake_telegram.requests if r.path.endswith("sendMessage")]
        assert texts == ["satu", "dua"]


class TestMetaSend:
    def test_whatsapp_cloud_text(self, fake_graph):
        adapter = WhatsAppCloudAdapter({**META_ACCOUNT, "graph_base_url": fake_graph.url})
        result = adapter.send(_request("whatsapp_cloud", "+60112223333"))
        received = fake_graph.last("/messages")
        assert received.path == "/v21.0/109876543210/messages"
        assert received.headers["Authorization"] == "Bearer meta-access-token"
        assert received.json == {
            "messaging_product": "whatsapp",
            "recipient_type": "individual",
            "to": "60112223333",
            "type": "text",
            "text": {"body": REPLY, "preview_url": False},
        }
        assert result.provider_id.startswith("wamid.")

    def test_whatsapp_cloud_template(self, fake_graph):
        adapter = WhatsAppCloudAdapter({**META_ACCOUNT, "graph_base_url": fake_graph.url})
        variables = {"2": "Selesai", "1": "ADU-2026-000123", "10": "x"}
        adapter.send(
            _request(
                "whatsapp_cloud",
                "60112223333",
                template="status_aduan",
                template_variables=variables,
            )
        )
        template = fake_graph.last("/messages").json["template"]
        assert template["name"] == "status_aduan"
        assert template["language"] == {"code": "ms"}
        texts = [p["text"] for p in template["components"][0]["parameters"]]
        assert texts == ["ADU-2026-000123", "Selesai", "x"]

    def test_outside_window_is_not_retryable(self, fake_graph):
        fake_graph.mode = "131047"
        adapter = WhatsAppCloudAdapter({**META_ACCOUNT, "graph_base_url": fake_graph.url})
        with pytest.raises(ChannelError) as caught:
            adapter.send(_request("whatsapp_cloud", "60112223333"))
        assert (caught.value.code, caught.value.retryable) == ("131047", False)

    @pytest.mark.parametrize("mode", ["500", "ratelimit"])
    def test_server_error_and_rate_limit_are_retryable(self, fake_graph, mode):
        fake_graph.mode = mode
        adapter = MessengerAdapter({**META_ACCOUNT, "graph_base_url": fake_graph.url})
        with pytest.raises(ChannelError) as caught:
            adapter.send(_request("messenger", "24680135791357"))
        assert caught.value.retryable is True

    @pytest.mark.parametrize("adapter_class", [MessengerAdapter, InstagramAdapter])
    def test_messenger_and_instagram(self, fake_graph, adapter_class):
        adapter = adapter_class({**META_ACCOUNT, "graph_base_url": fake_graph.url})
        result = adapter.send(_request(adapter_class.type, "24680135791357"))
        received = fake_graph.last("/me/messages")
        assert received.path == "/v21.0/me/messages"
        assert received.json == {
            "recipient": {"id": "24680135791357"},
            "messaging_type": "RESPONSE",
            "message": {"text": REPLY},
        }
        assert result.provider_id.startswith("m_")

    def test_fetch_whatsapp_media(self, fake_graph):
        fake_graph.media["1234567890123456"] = (b"\x89PNG image", "image/png")
        adapter = WhatsAppCloudAdapter({**META_ACCOUNT, "graph_base_url": fake_graph.url})
        assert adapter.fetch_media("meta-media:1234567890123456") == (b"\x89PNG image", "image/png")
        assert all(
            r.headers["Authorization"] == "Bearer meta-access-token" for r in fake_graph.requests
        )


class TestXSend:
    def test_send_dm(self, fake_x):
        adapter = XAdapter({**X_ACCOUNT, "api_base_url": fake_x.url})
        result = adapter.send(_request("x", "3001969357"))
        received = fake_x.last("/messages")
        assert received.path == "/2/dm_conversations/with/3001969357/messages"
        assert received.headers["Authorization"] == "Bearer x-user-token"
        assert received.json == {"text": REPLY}
        assert result.provider_id

    @pytest.mark.parametrize(("mode", "retryable"), [("403", False), ("429", True), ("500", True)])
    def test_errors(self, fake_x, mode, retryable):
        fake_x.mode = mode
        with pytest.raises(ChannelError) as caught:
            XAdapter({**X_ACCOUNT, "api_base_url": fake_x.url}).send(_request("x", "3001969357"))
        assert (caught.value.code, caught.value.retryable) == (mode, retryable)
