"""The form-filing adapters (web form, Open311): one stored payload parses into one message
the same way on each; nothing from outside is ever accepted; an Open311 request always asks
for a new ticket, a web filing does not."""

from __future__ import annotations

import pytest

from channels.base import ParseError, RawEvent, RawRequest
from channels.open311 import Open311Adapter
from channels.web import WebFormAdapter

PAYLOAD = {
    "text": "Pokok tumbang di Seksyen 14.",
    "received_at": "2026-11-03T04:09:00+00:00",
    "contact_kind": "email",
    "contact_handle": "siti@mel.my",
    "phone": "+60123456789",
    "sender_name": "Siti Aminah",
    "language": "ms",
    "fields": {"category_id": 7, "latitude": 3.1073, "longitude": 101.6067,
               "address": "Jalan Templer, Petaling Jaya"},
    "attachments": [],
}  # fmt: skip


@pytest.mark.parametrize(("adapter", "new"), [(Open311Adapter, True), (WebFormAdapter, None)])
def test_a_stored_filing_is_one_message_of_its_own_channel(adapter, new):
    (message,) = adapter({}).parse(RawEvent(adapter.type, "message", "f-1", PAYLOAD))
    assert (message.channel, message.provider_id) == (adapter.type, "f-1")
    assert (message.sender_handle, message.sender_name) == ("siti@mel.my", "Siti Aminah")
    assert message.extra["identity_type"] == "email" and message.extra["phone"] == "+60123456789"
    assert message.extra["address"] == "Jalan Templer, Petaling Jaya"
    assert message.extra.get("new_ticket") is new
    assert message.received_at.isoformat() == PAYLOAD["received_at"]


def test_nothing_from_outside_is_accepted_and_a_payload_without_text_is_refused():
    request = RawRequest("POST", "https://aduan.example.my/webhooks/open311", {}, b"{}")
    adapter = Open311Adapter({})
    assert adapter.verify(request) is False and adapter.split(request) == []
    with pytest.raises(ParseError, match="open311 payload without text"):
        adapter.parse(RawEvent("open311", "message", "f-2", {**PAYLOAD, "text": None}))
    manifest = Open311Adapter.manifest
    assert manifest.contact_details and not manifest.configurable and not manifest.webhooks
