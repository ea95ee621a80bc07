"""Registry, phone normalisation, malformed input and the voice TwiML."""

from __future__ import annotations

import dataclasses
import datetime as dt
import xml.etree.ElementTree as ET

import pytest

from channels.base import ParseError, RawEvent, RawRequest
from channels.meta import InstagramAdapter, MessengerAdapter, WhatsAppCloudAdapter
from channels.phones import normalise_phone, normalise_wa_id
from channels.registry import ADAPTER_MODULES, get_adapter_class, load_adapters
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

OWN_TYPES = {
    "sms": TwilioSmsAdapter,
    "whatsapp": TwilioWhatsAppAdapter,
    "voice": TwilioVoiceAdapter,
    "telegram": TelegramAdapter,
    "whatsapp_cloud": WhatsAppCloudAdapter,
    "messenger": MessengerAdapter,
    "instagram": InstagramAdapter,
    "x": XAdapter,
}


class TestRegistry:
    def test_every_type_is_registered(self):
        load_adapters()
        for channel_type, adapter_class in OWN_TYPES.items():
            assert get_adapter_class(channel_type) is adapter_class
            assert adapter_class.type == channel_type
            assert adapter_class.display_name

    def test_modules_listed(self):
        assert "channels.email" in ADAPTER_MODULES
        assert {"channels.twilio_sms", "channels.telegram", "channels.meta", "channels.x"} <= set(
            ADAPTER_MODULES
        )


class TestPhones:
    @pytest.mark.parametrize(
        "raw",
        ["+60123456789", "whatsapp:+60123456789", "012-345 6789", "0123456789", "+60 12-345 6789"],
    )
    def test_one_person_one_handle(self, raw):
        assert normalise_phone(raw) == "+60123456789"

    def test_foreign_number_kept(self):
        assert normalise_phone("whatsapp:+6591234567") == "+6591234567"

    def test_short_code_and_sender_id_pass_through(self):
        assert normalise_phone("15888") == "15888"
        assert normalise_phone("MYSEJAHTERA") == "MYSEJAHTERA"

    def test_wa_id(self):
        assert normalise_wa_id("60123456789") == "+60123456789"

    def test_sms_and_whatsapp_from_one_number_are_one_sender(self):
        sms = TwilioSmsAdapter(TWILIO_ACCOUNT)
        wa = TwilioWhatsAppAdapter(TWILIO_ACCOUNT)
        form = {"MessageSid": "SM1", "Body": "hai", "To": "+60388880000"}
        sms_event = sms.split(twilio_request({**form, "From": "0123456789"}))[0]
        wa_event = wa.split(twilio_request({**form, "From": "whatsapp:+60123456789"}))[0]
        assert sms.parse(sms_event)[0].sender_handle == wa.parse(wa_event)[0].sender_handle


class TestMalformed:
    @pytest.mark.parametrize(
        ("adapter", "request_"),
        [
            (TelegramAdapter(TELEGRAM_ACCOUNT), telegram_request(b"{not json")),
            (TelegramAdapter(TELEGRAM_ACCOUNT), telegram_request(b'{"message": {}}')),
            (TelegramAdapter(TELEGRAM_ACCOUNT), telegram_request(b"[1, 2]")),
            (WhatsAppCloudAdapter(META_ACCOUNT), meta_request(b"\xff\xfe")),
            (WhatsAppCloudAdapter(META_ACCOUNT), meta_request(b'{"entry": ["x"]}')),
            (MessengerAdapter(META_ACCOUNT), meta_request(b"[]")),
            (InstagramAdapter(META_ACCOUNT), meta_request(b'{"entry": [1]}')),
            (
                WhatsAppCloudAdapter(META_ACCOUNT),
                meta_request(b'{"entry": [{"changes": [{"value": {"messages": [{}]}}]}]}'),
            ),
            (MessengerAdapter(META_ACCOUNT), meta_request(b'{"entry": [{"messaging": ["text"]}]}')),
            (XAdapter(X_ACCOUNT), x_request(b"<xml/>")),
            (XAdapter(X_ACCOUNT), x_request(b'{"direct_message_events": ["x"]}')),
            (TwilioSmsAdapter(TWILIO_ACCOUNT), twilio_request({"Body": "no sid"})),
            (TwilioVoiceAdapter(TWILIO_ACCOUNT), twilio_request({"Digits": "1"})),
        ],
    )
    def test_split_raises_parse_error(self, adapter, request_):
        with pytest.raises(ParseError):
            adapter.split(request_)

    def test_parse_error_is_not_retryable(self):
        with pytest.raises(ParseError) as caught:
            TelegramAdapter(TELEGRAM_ACCOUNT).split(telegram_request(b"nope"))
        assert caught.value.retryable is False

    @pytest.mark.parametrize(
        ("adapter", "payload"),
        [
            (TwilioSmsAdapter(TWILIO_ACCOUNT), {"MessageSid": "SM1", "Body": "x"}),
            (WhatsAppCloudAdapter(META_ACCOUNT), {"message": {"id": "wamid.1"}}),
            (MessengerAdapter(META_ACCOUNT), {"messaging": {"message": {"mid": "m"}}}),
            (XAdapter(X_ACCOUNT), {"event": {"id": "1", "message_create": {}}}),
            (TwilioVoiceAdapter(TWILIO_ACCOUNT), {"RecordingSid": "RE1"}),
        ],
    )
    def test_stored_event_missing_sender_raises_parse_error(self, adapter, payload):
        with pytest.raises(ParseError):
            adapter.parse(RawEvent(adapter.type, "message", "id-1", payload))

    def test_empty_meta_batch_is_no_events(self):
        assert WhatsAppCloudAdapter(META_ACCOUNT).split(meta_request(b'{"entry": []}')) == []


class TestTwilioDetails:
    def test_status_callback_recognised_without_body(self):
        form = {"MessageSid": "SM9", "MessageStatus": "delivered", "To": "+60123456789"}
        [event] = TwilioSmsAdapter(TWILIO_ACCOUNT).split(twilio_request(form))
        assert (event.kind, event.provider_id) == ("status", "SM9:delivered")

    def test_inbound_with_empty_body_is_a_message(self):
        form = {"MessageSid": "MM1", "Body": "", "From": "+60123456789", "NumMedia": "1"}
        [event] = TwilioWhatsAppAdapter(TWILIO_ACCOUNT).split(twilio_request(form))
        assert event.kind == "message"

    def test_unknown_status_ignored(self):
        event = RawEvent(
            "sms", "status", "SM1:receiving", {"MessageSid": "SM1", "MessageStatus": "x"}
        )
        assert TwilioSmsAdapter(TWILIO_ACCOUNT).parse_status(event) == []

    def test_split_reads_raw_body_when_form_empty(self):
        request = dataclasses.replace(
            twilio_request({"MessageSid": "SM1", "From": "+60123456789", "Body": "Salam & 😀"}),
            form={},
        )
        [event] = TwilioSmsAdapter(TWILIO_ACCOUNT).split(request)
        assert event.payload["Body"] == "Salam & 😀"


def _twiml(text: str) -> ET.Element:
    return ET.fromstring(text)  # noqa: S314 - TwiML we generated ourselves


class TestVoiceTwiml:
    def test_answer_call_greets_in_both_languages_and_records(self):
        adapter = TwilioVoiceAdapter(TWILIO_ACCOUNT)
        twiml = adapter.answer_call("https://a.example/voice/rec", "https://a.example/voice/tr")
        root = _twiml(twiml)
        says = root.findall("Say")
        assert [s.get("language") for s in says] == ["ms-MY", "en-GB"]
        assert "aduan" in says[0].text.lower()
        record = root.find("Record")
        assert record.get("action") == "https://a.example/voice/rec"
        assert record.get("transcribe") == "true"
        assert record.get("transcribeCallback") == "https://a.example/voice/tr"
        assert record.get("maxLength") == "120"

    def test_without_transcription(self):
        twiml = TwilioVoiceAdapter(TWILIO_ACCOUNT).answer_call("https://a.example/voice/rec")
        record = _twiml(twiml).find("Record")
        assert record.get("transcribe") is None

    def test_configured_tts_voice(self):
        account = {**TWILIO_ACCOUNT, "say_voice_ms": "Google.ms-MY-Standard-A"}
        says = _twiml(TwilioVoiceAdapter(account).answer_call("https://a.example/r")).findall("Say")
        assert [s.get("voice") for s in says] == ["Google.ms-MY-Standard-A", None]

    def test_thank_you_hangs_up(self):
        root = _twiml(TwilioVoiceAdapter(TWILIO_ACCOUNT).thank_you())
        assert root.find("Hangup") is not None


class TestTelegramDetails:
    def test_edited_message_flagged_with_edit_time(self):
        update = {
            "update_id": 1,
            "edited_message": {
                "message_id": 3,
                "from": {"id": 9, "is_bot": False, "first_name": "Ali"},
                "chat": {"id": 9, "type": "private"},
                "date": 1793498400,
                "edit_date": 1793498460,
                "text": "Pembetulan: Jalan 5, bukan Jalan 3",
            },
        }
        [message] = TelegramAdapter(TELEGRAM_ACCOUNT).parse(
            RawEvent("telegram", "message", "1", update)
        )
        assert message.extra["edited"] is True
        assert message.received_at == dt.datetime(2026, 11, 1, 2, 1, tzinfo=dt.UTC)

    def test_received_at_is_aware_utc(self):
        update = {
            "update_id": 2,
            "message": {
                "message_id": 4,
                "from": {"id": 9, "is_bot": False, "first_name": "Ali"},
                "chat": {"id": 9, "type": "private"},
                "date": 1793498400,
                "text": "hai",
            },
        }
        [message] = TelegramAdapter(TELEGRAM_ACCOUNT).parse(
            RawEvent("telegram", "message", "2", update)
        )
        assert message.received_at.utcoffset() == dt.timedelta(0)


def test_raw_request_header_lookup_used_case_insensitively():
    request = RawRequest("POST", "https://x", {"x-hub-signature-256": "sha256=00"}, b"{}")
    assert not WhatsAppCloudAdapter(META_ACCOUNT).verify(request)


def test_telegram_calls_work_inside_a_running_event_loop():
    """Hosts like Playwright's sync API keep a loop running in the calling thread."""
    from channels.telegram import run_to_completion

    async def answer():
        return 42

    async def host():
        return run_to_completion(answer())

    assert run_to_completion(host()) == 42  # host() runs a loop, then calls it again inside
    assert run_to_completion(answer()) == 42
